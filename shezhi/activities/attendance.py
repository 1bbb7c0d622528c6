"""Check-in and check-out: a signed token rotating on the organiser's phone (TimestampSigner,
bound to the activity, valid SHEZHI_CHECKIN_TOKEN_SECONDS), an optional geofence, check-in by
hand with a reason, one check-in per sign-up (a lock on the sign-up row and a unique
constraint), forgotten check-outs closed by the organiser; then the confirmation that turns the
attendance list into service records in one step."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.activities import geo
from shezhi.activities import permissions as perms
from shezhi.activities.errors import ActivityError
from shezhi.activities.models import (
    Activity,
    Attendance,
    SignUp,
)
from shezhi.activities.services import (
    SU,
    Status,
    activity_for_organiser,
    activity_row,
    aware_datetime,
    may_organise,
    may_see,
    parse_point,
    token_seconds,
    volunteer_of,
)
from shezhi.core import audit
from shezhi.core.errors import Conflict, DomainError, InvalidInput, NotFound
from shezhi.core.inputs import clean_text
from shezhi.core.models import AuditEvent
from shezhi.volunteers.models import (
    ServiceRecord,
    Volunteer,
)
from shezhi.volunteers.services import (
    hours_of,
    service_record_create,
)

CHECKIN_SALT = "shezhi.activities.checkin"


# --- check-in and check-out -------------------------------------------------------------------


class _ClockSigner(signing.TimestampSigner):
    """A TimestampSigner whose clock is given (so that tests and the service agree on `now`)."""

    def __init__(self, *, at: datetime) -> None:
        super().__init__(salt=CHECKIN_SALT)
        self.at = at

    def timestamp(self) -> str:
        return signing.b62_encode(int(self.at.timestamp()))


def checkin_token_issue(*, actor: User, activity_id: int, now: datetime | None = None) -> str:
    """A signed token for the organiser's rotating QR code, bound to the activity and valid for
    SHEZHI_CHECKIN_TOKEN_SECONDS (default 60). Not a write: nothing is stored."""
    now = now or timezone.now()
    activity = activity_for_organiser(actor, activity_id)
    perms.require_activity_action(actor, activity, perms.ActivityAction.SHOW_QR, now=now)
    return _ClockSigner(at=now).sign(f"a{activity.pk}")


def checkin_url(*, activity_id: int, token: str) -> str:
    """The absolute address the QR code carries: the volunteer's mobile check-in page."""
    base = str(settings.SHEZHI_PUBLIC_BASE_URL).rstrip("/")
    path = reverse("activities:checkin", args=[activity_id])
    return f"{base}{path}?{urlencode({'t': token})}"


def _read_token(token: str, *, activity_id: int, now: datetime) -> None:
    signer = _ClockSigner(at=now)
    try:
        value = signing.Signer.unsign(signer, str(token or "").strip())
        payload, stamp = value.rsplit(signer.sep, 1)
        issued = signing.b62_decode(stamp)
    except (signing.BadSignature, ValueError):
        raise InvalidInput(
            "签到二维码无效，请扫描组织者手机上的二维码",
            field="token",
            code=ActivityError.BAD_TOKEN,
        ) from None
    age = now.timestamp() - issued
    if age > token_seconds() or age < -10:
        raise InvalidInput(
            "签到二维码已过期，请重新扫描组织者手机上的最新二维码",
            field="token",
            code=ActivityError.TOKEN_EXPIRED,
        )
    if payload != f"a{activity_id}":
        raise InvalidInput(
            "该二维码不是本活动的签到码", field="token", code=ActivityError.BAD_TOKEN
        )


def _checkin_window(activity: Activity, at: datetime) -> None:
    opens = activity.starts_at - timedelta(minutes=settings.SHEZHI_CHECKIN_OPENS_MINUTES)
    if activity.status != Status.PUBLISHED:
        raise Conflict("该活动不在进行中，不能签到", field="activity")
    if not opens <= at <= activity.ends_at:
        local = timezone.localtime
        raise Conflict(
            f"不在签到时间内（{local(opens):%m-%d %H:%M}至{local(activity.ends_at):%H:%M}）",
            field="activity",
            code=ActivityError.OUTSIDE_WINDOW,
        )


def _attend(
    *,
    actor: User,
    signup: SignUp,
    at: datetime,
    method: str,
    reason: str = "",
    point: tuple[float, float] | None = None,
) -> Attendance:
    if signup.status != SU.CONFIRMED:
        raise Conflict("报名尚未确认，不能签到", field="signup", code=ActivityError.NOT_CONFIRMED)
    if Attendance.objects.filter(signup=signup).exists():
        raise Conflict(
            "已签到，不能重复签到", field="signup", code=ActivityError.ALREADY_CHECKED_IN
        )
    attendance = Attendance(
        signup=signup,
        activity=signup.activity,
        volunteer=signup.volunteer,
        checked_in_at=at,
        checkin_method=method,
        checkin_reason=reason,
        checkin_latitude=point[0] if point else None,
        checkin_longitude=point[1] if point else None,
        checked_in_by=actor,
    )
    try:
        with transaction.atomic():
            attendance.save()
    except IntegrityError:
        raise Conflict(
            "已签到，不能重复签到", field="signup", code=ActivityError.ALREADY_CHECKED_IN
        ) from None
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=attendance,
        summary=f"{signup.volunteer.name}签到（{attendance.get_checkin_method_display()}）"
        + (f"：{reason}" if reason else ""),
        changes={"method": method},
    )
    return attendance


@transaction.atomic
def checkin_by_token(
    *,
    actor: User,
    activity_id: int,
    token: str,
    latitude: float | None = None,
    longitude: float | None = None,
    now: datetime | None = None,
) -> Attendance:
    """The volunteer checks in with the token of the organiser's QR code; where the activity
    has a radius, the phone's position must lie within it."""
    now = now or timezone.now()
    _read_token(token, activity_id=activity_id, now=now)
    activity = activity_row(activity_id)
    volunteer = volunteer_of(actor)
    signup = None
    if volunteer is not None:
        signup = (
            SignUp.objects.select_for_update(of=("self",))
            .filter(activity=activity, volunteer=volunteer)
            .exclude(status=SU.CANCELLED)
            .select_related("volunteer", "activity")
            .first()
        )
    if signup is None:
        raise Conflict(
            "您没有报名该活动，不能签到", field="activity", code=ActivityError.NOT_SIGNED_UP
        )
    _checkin_window(activity, now)
    point = parse_point(latitude, longitude, field="latitude")
    if activity.has_geofence:
        if point is None:
            raise InvalidInput(
                "本活动须在活动地点签到，请允许获取位置后重试",
                field="latitude",
                code=ActivityError.NO_POSITION,
            )
        assert activity.latitude is not None and activity.longitude is not None
        assert activity.checkin_radius_m is not None
        distance = geo.haversine_m(activity.latitude, activity.longitude, *point)
        if distance > activity.checkin_radius_m:
            raise InvalidInput(
                f"您距活动地点约{round(distance)}米，超出签到范围（{activity.checkin_radius_m}米）",
                field="latitude",
                code=ActivityError.OUTSIDE_GEOFENCE,
            )
    return _attend(actor=actor, signup=signup, at=now, method=Attendance.Method.QR, point=point)


@transaction.atomic
def checkin_manual(
    *,
    actor: User,
    signup_id: int,
    reason: str,
    at: datetime | None = None,
    now: datetime | None = None,
) -> Attendance:
    """The organiser checks a volunteer in by hand (no phone, no signal …), with a reason."""
    now = now or timezone.now()
    signup = (
        SignUp.objects.select_for_update(of=("self",))
        .select_related("volunteer", "activity__organiser_unit", "activity__team")
        .filter(pk=signup_id)
        .first()
    )
    if signup is None or not may_organise(actor, signup.activity):
        raise NotFound("未找到该报名", field="signup_id")
    perms.require_activity_action(
        actor, signup.activity, perms.ActivityAction.CHECKIN_MANUAL, now=now
    )
    reason = clean_text(reason, field="reason", label="手工签到原因", max_length=200)
    at = aware_datetime(at, field="at", label="签到时间") if at is not None else now
    if at > now:
        raise InvalidInput("签到时间不能晚于现在", field="at")
    _checkin_window(signup.activity, at)
    return _attend(
        actor=actor, signup=signup, at=at, method=Attendance.Method.MANUAL, reason=reason
    )


def _close(attendance: Attendance, *, out: datetime, method: str) -> None:
    """Set the check-out and the hours: the time within the activity's scheduled period
    (arriving early or staying on is not counted), under the region's rounding rule."""
    attendance.checked_out_at = out
    attendance.checkout_method = method
    attendance.minutes = _counted_minutes(attendance, out)
    attendance.hours = hours_of(attendance.minutes, attendance.activity.organiser_unit)


def _counted_minutes(attendance: Attendance, out: datetime) -> int:
    activity = attendance.activity
    start = max(attendance.checked_in_at, activity.starts_at)
    end = min(out, activity.ends_at)
    return max(0, int((end - start).total_seconds() // 60))


def _attendance_locked(activity: Activity, volunteer: Volunteer | None) -> Attendance | None:
    if volunteer is None:
        return None
    return (
        Attendance.objects.select_for_update(of=("self",))
        .filter(activity=activity, volunteer=volunteer)
        .select_related("activity__organiser_unit", "volunteer")
        .first()
    )


@dataclass(frozen=True)
class CheckoutPreview:
    """What a check-out now would record, for the confirmation step."""

    attendance: Attendance
    minutes: int  # counted minutes (within the scheduled period)
    hours: Any  # Decimal, after the region's rounding rule
    allowed_from: datetime  # the earliest check-out (SHEZHI_CHECKOUT_MIN_MINUTES after check-in)
    too_soon: bool  # now is before `allowed_from`
    present_minutes: int  # since the check-in
    at: datetime  # the time the preview was made


def _checkout_checks(activity: Activity, attendance: Attendance | None, actor: User, now: datetime):
    """The refusals shared by the confirmation step and the check-out itself."""
    if attendance is None:
        if not may_see(actor, activity):
            raise NotFound("未找到该活动", field="activity_id")
        raise Conflict("您尚未签到，不能签退", field="activity", code=ActivityError.NOT_CHECKED_IN)
    if attendance.checked_out_at is not None:
        raise Conflict(
            "您已签退，不能重复签退", field="activity", code=ActivityError.ALREADY_CHECKED_OUT
        )
    grace = timedelta(minutes=settings.SHEZHI_CHECKOUT_GRACE_MINUTES)
    if now > activity.ends_at + grace:
        raise Conflict("已超过签退时间，请联系活动组织者补签退", field="activity")
    if now < attendance.checked_in_at:
        raise InvalidInput("签退时间不能早于签到时间", field="activity")


def _allowed_from(attendance: Attendance) -> datetime:
    return attendance.checked_in_at + timedelta(minutes=settings.SHEZHI_CHECKOUT_MIN_MINUTES)


def checkout_preview(
    *, actor: User, activity_id: int, now: datetime | None = None
) -> CheckoutPreview:
    """What 签退 now would record (the volunteer confirms it before it is written)."""
    now = now or timezone.now()
    activity = activity_row(activity_id)
    volunteer = volunteer_of(actor)
    attendance = (
        Attendance.objects.filter(activity=activity, volunteer=volunteer)
        .select_related("activity__organiser_unit", "signup__position")
        .first()
        if volunteer is not None
        else None
    )
    _checkout_checks(activity, attendance, actor, now)
    assert attendance is not None
    minutes = _counted_minutes(attendance, now)
    return CheckoutPreview(
        attendance=attendance,
        minutes=minutes,
        hours=hours_of(minutes, activity.organiser_unit),
        allowed_from=_allowed_from(attendance),
        too_soon=now < _allowed_from(attendance),
        present_minutes=max(0, int((now - attendance.checked_in_at).total_seconds() // 60)),
        at=now,
    )


@transaction.atomic
def checkout(*, actor: User, activity_id: int, now: datetime | None = None) -> Attendance:
    """The volunteer checks out; allowed from SHEZHI_CHECKOUT_MIN_MINUTES after the check-in (a
    tap right after 签到 must not record 0 hours) until SHEZHI_CHECKOUT_GRACE_MINUTES (default
    120) after the end, after which the organiser closes the attendance."""
    now = now or timezone.now()
    activity = activity_row(activity_id)
    attendance = _attendance_locked(activity, volunteer_of(actor))
    _checkout_checks(activity, attendance, actor, now)
    assert attendance is not None
    if now < _allowed_from(attendance):
        checked_in = timezone.localtime(attendance.checked_in_at)
        raise Conflict(
            f"您 {checked_in:%H:%M} 刚签到，签到 {settings.SHEZHI_CHECKOUT_MIN_MINUTES} 分钟后"
            f"才能签退。如需提前离开，请告诉活动组织者。",
            field="activity",
            code=ActivityError.CHECKOUT_TOO_SOON,
        )
    _close(attendance, out=now, method=Attendance.Method.QR)
    attendance.save(update_fields=["checked_out_at", "checkout_method", "minutes", "hours"])
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=attendance,
        summary=f"{attendance.volunteer.name}签退，{attendance.hours}小时",
        changes={"minutes": attendance.minutes},
    )
    return attendance


@transaction.atomic
def checkout_close_forgotten(
    *, actor: User, activity_id: int, at: datetime | None = None, now: datetime | None = None
) -> list[Attendance]:
    """After the activity, the organiser closes every attendance left open, at `at` (default:
    the scheduled end)."""
    now = now or timezone.now()
    activity = activity_for_organiser(actor, activity_id, lock=True)
    perms.require_activity_action(actor, activity, perms.ActivityAction.CLOSE_ATTENDANCE, now=now)
    out = aware_datetime(at, field="at", label="签退时间") if at is not None else activity.ends_at
    if out > now:
        raise InvalidInput("签退时间不能晚于现在", field="at")
    open_ones = list(
        Attendance.objects.select_for_update(of=("self",))
        .filter(activity=activity, checked_out_at__isnull=True)
        .select_related("volunteer")
    )
    for attendance in open_ones:
        attendance.activity = activity
        _close(attendance, out=max(out, attendance.checked_in_at), method=Attendance.Method.CLOSED)
        attendance.closed_by = actor
        attendance.save(
            update_fields=["checked_out_at", "checkout_method", "minutes", "hours", "closed_by"]
        )
        audit.record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=attendance,
            summary=f"为{attendance.volunteer.name}补签退，{attendance.hours}小时",
            changes={"closed_at": str(attendance.checked_out_at)},
        )
    return open_ones


@dataclass
class ConfirmResult:
    activity: Activity
    written: list[ServiceRecord] = field(default_factory=list)
    skipped: list[tuple[Attendance, str]] = field(default_factory=list)


@transaction.atomic
def attendance_confirm(
    *, actor: User, activity_id: int, now: datetime | None = None
) -> ConfirmResult:
    """After the activity, the organising unit's staff confirm the attendance list in one step:
    each closed attendance becomes a service record (volunteers' service_record_create: the
    region's rounding and its due-working-days rule apply; a late record waits for approval).
    An attendance whose record is refused is listed with the reason; confirming again retries it
    and never writes a record twice."""
    now = now or timezone.now()
    activity = activity_for_organiser(actor, activity_id, lock=True)
    perms.require_activity_action(actor, activity, perms.ActivityAction.CONFIRM_ATTENDANCE, now=now)
    result = ConfirmResult(activity=activity)
    pending = (
        Attendance.objects.select_for_update(of=("self",))
        .filter(activity=activity, service_record__isnull=True)
        .select_related("volunteer", "signup__position")
    )
    for attendance in pending:
        if not attendance.minutes:
            result.skipped.append((attendance, "在活动时间内的服务不足1分钟，不记录时长"))
            continue
        start = max(attendance.checked_in_at, activity.starts_at)
        end = min(attendance.checked_out_at or activity.ends_at, activity.ends_at)
        try:
            with transaction.atomic():
                record = service_record_create(
                    recorder=actor,
                    volunteer=attendance.volunteer,
                    title=activity.title,
                    service_date=None,
                    place=activity.venue,
                    content=f"{attendance.signup.position.name}：{activity.description}"[:2000],
                    minutes=attendance.minutes,
                    started_at=start,
                    ended_at=end,
                    organiser_unit=activity.organiser_unit,
                    person_in_charge=activity.person_in_charge,
                    team=activity.team,
                    source=f"activity:{activity.pk}",
                    now=now,
                    # Overlapping another record of the volunteer: held for a social worker.
                    hold_clashes=True,
                )
                attendance.service_record = record
                attendance.save(update_fields=["service_record"])
        except DomainError as exc:
            result.skipped.append((attendance, exc.message))
            continue
        result.written.append(record)
    before = activity.status
    activity.status = Status.FINISHED
    activity.attendance_confirmed_at = now
    activity.attendance_confirmed_by = actor
    activity.save(
        update_fields=["status", "attendance_confirmed_at", "attendance_confirmed_by", "updated_at"]
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=activity,
        summary=f"确认考勤：写入{len(result.written)}条服务记录，{len(result.skipped)}条未写入",
        changes={
            "status": [before, "finished"],
            "skipped": {str(a.volunteer_id): m for a, m in result.skipped},
        },
    )
    return result
