"""Who may do what with an activity and a sign-up: one answer for services, pages and API.

An activity's organisers (staff of the organising unit or above, or a leader of the organising
team) publish a draft before it starts; edit it until it starts and cancel it until it ends, as
long as nobody has checked in (a draft may be cancelled at any time: nobody saw it); show the
check-in QR code while it is published and has not ended, check volunteers in by hand once
check-in opens and decide pending sign-ups; after it ends they close forgotten check-outs, and
then staff of the organising unit (谁组织谁记录) confirm the attendance. A volunteer checks in to
their own confirmed sign-up of a published activity while check-in is open, and cancels a live
sign-up until the activity's cut-off, unless they have checked in.

Each rule is written once, as the reason it refuses (`activity_refusal`, `signup_refusal`): the
services raise that reason, the pages and the API show the actions nobody refuses."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.activities.errors import ActivityError
from shezhi.activities.models import Activity, SignUp
from shezhi.activities.services.access import may_organise
from shezhi.core.errors import Conflict, ErrorCode, Forbidden
from shezhi.volunteers.services import may_record_for

Status = Activity.Status
LIVE = (Status.DRAFT, Status.PUBLISHED)
NOT_ORGANISER = "只有活动组织者可以进行此操作"


class ActivityAction(StrEnum):
    PUBLISH = "publish"
    EDIT = "edit"
    CANCEL = "cancel"
    SHOW_QR = "show_qr"
    DECIDE_SIGNUPS = "decide_signups"  # confirm or refuse a pending sign-up
    CHECKIN_MANUAL = "checkin_manual"
    CLOSE_ATTENDANCE = "close_attendance"  # check out those who forgot, after the end
    CONFIRM_ATTENDANCE = "confirm_attendance"  # write the service records


class SignUpAction(StrEnum):
    CHECK_IN = "check_in"  # check in and out with the QR code
    CANCEL = "cancel"


@dataclass(frozen=True)
class Refusal:
    """Why an action is refused: by the object's state (409) or by who asks (403)."""

    message: str
    state: bool = True
    code: str = ErrorCode.ILLEGAL_TRANSITION
    field: str = "status"

    def error(self) -> Conflict | Forbidden:
        if self.state:
            return Conflict(self.message, field=self.field, code=self.code)
        return Forbidden(self.message)


def _activity_refusals(
    actor: User, activity: Activity, now: datetime
) -> dict[ActivityAction, Refusal | None]:
    A = ActivityAction
    if not actor.is_authenticated or not may_organise(actor, activity):
        return dict.fromkeys(A, Refusal(NOT_ORGANISER, state=False))
    status = activity.status
    started, ended = now >= activity.starts_at, now >= activity.ends_at
    # Check-in opens before the start, so "nobody has checked in" is its own condition.
    attended = status in LIVE and activity.attendances.exists()
    gone = Refusal("该活动已取消或已结束") if status not in LIVE else None
    published = None if status == Status.PUBLISHED else Refusal("该活动不在进行中")
    opens = activity.starts_at - timedelta(minutes=settings.SHEZHI_CHECKIN_OPENS_MINUTES)
    held = status in (Status.PUBLISHED, Status.FINISHED)
    # Only a held activity has attendances to close and confirm, and only once it has ended.
    after = (
        Refusal("该活动未发布或已取消，没有考勤")
        if not held
        else None
        if ended
        else Refusal("活动结束后才能补签退或确认考勤")
    )
    confirm = after
    if confirm is None and not may_record_for(actor, activity.organiser_unit):
        confirm = Refusal("考勤须由组织单位的社工确认（谁组织谁记录）", state=False)
    if confirm is None:  # hours are counted at check-out: close the forgotten ones first
        still_open = activity.attendances.filter(checked_out_at__isnull=True).count()
        if still_open:
            confirm = Refusal(
                f"还有{still_open}人未签退，请先补签退", code=ActivityError.OPEN_CHECKOUTS
            )
    return {
        A.PUBLISH: (
            Refusal("只有草稿状态的活动可以发布")
            if status != Status.DRAFT
            else Refusal("活动已开始，不能发布", field="starts_at")
            if started
            else None
        ),
        A.EDIT: (Refusal("只有草稿或招募中的活动可以修改") if gone else None)
        or (Refusal("活动已开始，不能修改", field="starts_at") if started or attended else None),
        A.CANCEL: gone
        or (Refusal("已有志愿者签到，不能取消活动") if attended else None)
        or (Refusal("活动已结束，不能取消") if ended and status == Status.PUBLISHED else None),
        A.SHOW_QR: published or (Refusal("活动已结束，签到已关闭") if ended else None),
        A.DECIDE_SIGNUPS: None,
        A.CHECKIN_MANUAL: published
        or (None if now >= opens else Refusal("签到尚未开始，不能手工签到")),
        A.CLOSE_ATTENDANCE: after,
        A.CONFIRM_ATTENDANCE: confirm,
    }


def activity_refusal(
    actor: User, activity: Activity, action: ActivityAction, *, now: datetime | None = None
) -> Refusal | None:
    return _activity_refusals(actor, activity, now or timezone.now())[action]


def activity_actions_for(
    actor: User, activity: Activity, *, now: datetime | None = None
) -> frozenset[ActivityAction]:
    refusals = _activity_refusals(actor, activity, now or timezone.now())
    return frozenset(a for a, why in refusals.items() if why is None)


def require_activity_action(
    actor: User, activity: Activity, action: ActivityAction, *, now: datetime | None = None
) -> None:
    """The services' guard: raise the reason the selector refuses `action` for."""
    why = activity_refusal(actor, activity, action, now=now)
    if why is not None:
        raise why.error()


def _checked_in(signup: SignUp) -> bool:
    """No query when the caller loaded the sign-up with select_related("attendance")."""
    try:
        return signup.attendance is not None
    except ObjectDoesNotExist:
        return False


def signup_refusal(
    actor: User,
    signup: SignUp,
    action: SignUpAction,
    *,
    now: datetime | None = None,
    organiser: bool = False,
) -> Refusal | None:
    """Why `actor` may not do `action` with the sign-up (load it with its volunteer and
    activity). `organiser`: the actor organises the activity and may withdraw anyone until the
    start, past the volunteers' cut-off."""
    own = actor.is_authenticated and signup.volunteer.user_id == actor.pk
    if not own and not (organiser and action == SignUpAction.CANCEL):
        return Refusal("只能操作自己的报名", state=False)
    if signup.status == SignUp.Status.CANCELLED:
        return Refusal("该报名已取消")
    activity = signup.activity
    if activity.status != Status.PUBLISHED:
        return Refusal("该活动不在招募中")
    now = now or timezone.now()
    if action == SignUpAction.CHECK_IN:
        # Only a confirmed place is checked in, and only while check-in is open.
        if signup.status != SignUp.Status.CONFIRMED:
            return Refusal("报名尚未确认，不能签到")
        opens = activity.starts_at - timedelta(minutes=settings.SHEZHI_CHECKIN_OPENS_MINUTES)
        if not opens <= now <= activity.ends_at:
            return Refusal("不在签到时间内", code=ActivityError.OUTSIDE_WINDOW)
        return None
    if _checked_in(signup):
        return Refusal("已签到，不能取消报名")
    if now >= activity.starts_at:
        return Refusal("活动已开始，不能取消报名")
    cutoff = activity.starts_at - timedelta(hours=activity.cancel_cutoff_hours)
    if not organiser and now > cutoff:
        return Refusal(
            f"活动开始前{activity.cancel_cutoff_hours}小时内不能自行取消报名，请联系活动组织者",
            code=ActivityError.CUTOFF,
        )
    return None


def signup_actions_for(
    actor: User, signup: SignUp, *, now: datetime | None = None
) -> frozenset[SignUpAction]:
    """The volunteer's own sign-up (load it with its volunteer, activity and attendance)."""
    now = now or timezone.now()
    return frozenset(a for a in SignUpAction if signup_refusal(actor, signup, a, now=now) is None)
