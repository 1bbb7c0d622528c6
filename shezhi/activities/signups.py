"""Sign-ups: eligibility checked, risks acknowledged (条例 art. 12), optional approval, quotas
held under concurrency (every change to a position's places first locks the position row with
`select_for_update`, always before any sign-up row), a waiting list promoted first come first
served, cancellation until the activity's cut-off, bulk sign-up by a team leader; and the
volunteers' insurance, required before confirmation on a hazardous position (art. 17)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.activities import notices
from shezhi.activities import permissions as perms
from shezhi.activities.errors import ActivityError
from shezhi.activities.models import (
    Activity,
    InsuranceRecord,
    Position,
    SignUp,
)
from shezhi.activities.services import (
    MAX_QUOTA,
    SU,
    Status,
    eligibility_problems,
    may_organise,
    may_see,
    teams_led_by,
    valid_insurance,
    volunteer_of,
)
from shezhi.core import audit
from shezhi.core.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from shezhi.core.inputs import clean_text, save_validated
from shezhi.core.models import AuditEvent
from shezhi.volunteers import commitments
from shezhi.volunteers.commitments import Commitment
from shezhi.volunteers.models import (
    Volunteer,
)
from shezhi.volunteers.services import (
    may_record_for,
)

# --- sign-up ----------------------------------------------------------------------------------


def signups_of(volunteer: Volunteer, start: datetime, end: datetime) -> list[Commitment]:
    """Commitments provider: the volunteer's live sign-ups (not cancelled, not waiting) for
    activities that overlap [start, end)."""
    rows = (
        SignUp.objects.filter(
            volunteer=volunteer,
            status__in=SignUp.HOLDING,
            activity__starts_at__lt=end,
            activity__ends_at__gt=start,
        )
        .exclude(activity__status=Status.CANCELLED)
        .select_related("activity")
    )
    return [
        Commitment(
            key=f"activity:{s.activity_id}",
            label=f"报名的活动“{s.activity.title}”",
            start=s.activity.starts_at,
            end=s.activity.ends_at,
        )
        for s in rows
    ]


def _position(position_id: int) -> Position:
    """The position and its activity, locked: every change to the position's places goes through
    this lock, and a sign-up cannot slip past a concurrent cancellation of the activity."""
    position = (
        Position.objects.select_for_update(of=("self", "activity"))
        .select_related("activity__organiser_unit", "activity__team", "activity__scope_unit")
        .filter(pk=position_id)
        .first()
    )
    if position is None:
        raise NotFound("未找到该岗位", field="position_id")
    return position


def places_held(position: Position) -> int:
    return SignUp.objects.filter(position=position, status__in=SignUp.HOLDING).count()


def _entry_status(activity: Activity, position: Position, insurance: Any) -> str:
    if activity.requires_approval or (position.hazardous and insurance is None):
        return SU.PENDING
    return SU.CONFIRMED


def _sign_up(
    *,
    actor: User,
    position: Position,
    volunteer: Volunteer,
    risk_acknowledged: bool,
    join_waitlist: bool,
    now: datetime,
) -> SignUp:
    activity = position.activity
    # Speak to the volunteer about themselves; name the member when a leader signs them up.
    who = "您" if volunteer.user_id == actor.pk else volunteer.name
    if activity.status != Status.PUBLISHED:
        raise Conflict("该活动不在招募中", field="activity")
    if now >= activity.starts_at:
        raise Conflict("活动已开始，报名已截止", field="activity")
    problems = eligibility_problems(volunteer=volunteer, position=position)
    if problems:
        raise InvalidInput(
            f"{who}不符合该岗位的条件：{'；'.join(problems)}",
            field="position_id",
            code=ActivityError.INELIGIBLE,
        )
    if activity.has_risks and not risk_acknowledged:
        raise InvalidInput(
            "请阅读并确认活动的风险告知后再报名",
            field="risk_acknowledged",
            code=ActivityError.RISK_UNACKNOWLEDGED,
        )
    if (
        SignUp.objects.filter(activity=activity, volunteer=volunteer)
        .exclude(status=SU.CANCELLED)
        .exists()
    ):
        raise Conflict(f"{who}已报名该活动", field="activity", code=ActivityError.DUPLICATE)
    commitments.refuse_clash(
        volunteer,
        activity.starts_at,
        activity.ends_at,
        exclude=f"activity:{activity.pk}",
        doing="报名该活动",
    )
    insurance = valid_insurance(volunteer, activity)
    if places_held(position) >= position.quota:
        if not join_waitlist:
            raise Conflict("该岗位名额已满", field="position_id", code=ActivityError.FULL)
        status = SU.WAITLISTED
    else:
        status = _entry_status(activity, position, insurance)
    signup = SignUp(
        activity=activity,
        position=position,
        volunteer=volunteer,
        status=status,
        risk_acknowledged_at=now if activity.has_risks else None,
        insurance=insurance,
        signed_up_by=actor,
    )
    try:
        with transaction.atomic():
            signup.save()
    except IntegrityError:
        raise Conflict(
            f"{who}已报名该活动", field="activity", code=ActivityError.DUPLICATE
        ) from None
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=signup,
        summary=f"{volunteer.name}报名活动 {activity.title}（{signup.get_status_display()}）",
        changes={"position": position.pk, "status": status, "by_leader": actor != volunteer.user},
    )
    notices.signed_up(signup)
    return signup


@transaction.atomic
def signup_create(
    *,
    actor: User,
    position_id: int,
    risk_acknowledged: bool = False,
    join_waitlist: bool = True,
    now: datetime | None = None,
) -> SignUp:
    """The actor signs up for a position: confirmed while places are left (pending when the
    organiser approves sign-ups or a hazardous position still lacks insurance), otherwise on the
    waiting list (or refused with `join_waitlist=False`)."""
    now = now or timezone.now()
    volunteer = volunteer_of(actor)
    if volunteer is None:
        raise Forbidden("请先登记为志愿者再报名活动")
    position = _position(position_id)
    if not may_see(actor, position.activity):
        raise NotFound("未找到该岗位", field="position_id")
    return _sign_up(
        actor=actor,
        position=position,
        volunteer=volunteer,
        risk_acknowledged=risk_acknowledged,
        join_waitlist=join_waitlist,
        now=now,
    )


@dataclass(frozen=True)
class BulkOutcome:
    volunteer_id: int
    signup: SignUp | None = None
    error: str | None = None


@transaction.atomic
def signup_bulk(
    *,
    actor: User,
    position_id: int,
    volunteer_ids: Sequence[int],
    risk_acknowledged: bool = False,
    now: datetime | None = None,
) -> list[BulkOutcome]:
    """A team leader signs members of their team(s) up; each member succeeds or fails alone.
    `risk_acknowledged` records that the leader passed the risk statement on to the members."""
    now = now or timezone.now()
    led = teams_led_by(actor)
    if not led:
        raise Forbidden("只有服务队队长可以批量报名")
    if not volunteer_ids:
        raise InvalidInput("请选择要报名的队员", field="volunteer_ids")
    if len(volunteer_ids) > MAX_QUOTA:
        raise InvalidInput(f"一次最多报名{MAX_QUOTA}人", field="volunteer_ids")
    position = _position(position_id)
    if not may_see(actor, position.activity):
        raise NotFound("未找到该岗位", field="position_id")
    members = {
        v.pk: v
        for v in Volunteer.objects.filter(
            pk__in=volunteer_ids, teammembership__team__in=led
        ).select_related("community")
    }
    outcomes = []
    for vid in dict.fromkeys(volunteer_ids):
        volunteer = members.get(vid)
        if volunteer is None:
            outcomes.append(BulkOutcome(vid, error="不是您带领的服务队的队员"))
            continue
        try:
            with transaction.atomic():
                signup = _sign_up(
                    actor=actor,
                    position=position,
                    volunteer=volunteer,
                    risk_acknowledged=risk_acknowledged,
                    join_waitlist=True,
                    now=now,
                )
            outcomes.append(BulkOutcome(vid, signup=signup))
        except DomainError as exc:
            outcomes.append(BulkOutcome(vid, error=exc.message))
    return outcomes


def promote_waitlisted(position: Position, *, actor: User, now: datetime) -> list[SignUp]:
    """Fill freed places from the waiting list, first come first served (position locked)."""
    activity = position.activity
    promoted: list[SignUp] = []
    if activity.status != Status.PUBLISHED or now >= activity.starts_at:
        return promoted
    free = position.quota - places_held(position)
    waiting = list(
        SignUp.objects.select_for_update()
        .filter(position=position, status=SU.WAITLISTED)
        .select_related("volunteer")
        .order_by("created_at", "id")[: max(free, 0)]
    )
    for signup in waiting:
        signup.insurance = valid_insurance(signup.volunteer, activity)
        signup.status = _entry_status(activity, position, signup.insurance)
        signup.save(update_fields=["status", "insurance", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditEvent.Action.TRANSITION,
            obj=signup,
            summary=f"{signup.volunteer.name}由候补转为{signup.get_status_display()}",
            changes={"status": ["waitlisted", signup.status]},
        )
        notices.signup_promoted(signup)
        promoted.append(signup)
    return promoted


@transaction.atomic
def position_set_quota(
    *, actor: User, position_id: int, quota: int, now: datetime | None = None
) -> Position:
    """The organiser changes a position's quota: never below the places already held; a larger
    quota promotes from the waiting list at once."""
    now = now or timezone.now()
    position = _position(position_id)
    activity = position.activity
    if not may_organise(actor, activity):
        if may_see(actor, activity):
            raise Forbidden("只有活动组织者可以进行此操作")
        raise NotFound("未找到该岗位", field="position_id")
    if activity.status not in (Status.DRAFT, Status.PUBLISHED):
        raise Conflict("该活动已取消或已结束", field="status")
    if isinstance(quota, bool) or not isinstance(quota, int) or not 1 <= quota <= MAX_QUOTA:
        raise InvalidInput(f"招募人数应为1到{MAX_QUOTA}之间的整数", field="quota")
    held = places_held(position)
    if quota < held:
        raise Conflict(
            f"已有{held}人报名占用名额，招募人数不能少于{held}",
            field="quota",
            code=ActivityError.BELOW_HELD,
        )
    before = position.quota
    position.quota = quota
    position.save(update_fields=["quota"])
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=position,
        summary=f"调整岗位“{position.name}”招募人数 {before} → {quota}",
        changes={"quota": [before, quota]},
    )
    if quota > before:
        promote_waitlisted(position, actor=actor, now=now)
    return position


def _signup_locked(signup_id: int) -> tuple[SignUp, Position]:
    position_id = SignUp.objects.filter(pk=signup_id).values_list("position_id", flat=True).first()
    if position_id is None:
        raise NotFound("未找到该报名", field="signup_id")
    position = _position(position_id)  # the position first, always: no lock-order deadlocks
    signup = (
        SignUp.objects.select_for_update(of=("self",))
        .select_related("volunteer__community", "activity")
        .get(pk=signup_id)
    )
    signup.activity = position.activity
    signup.position = position
    return signup, position


@transaction.atomic
def signup_cancel(
    *, actor: User, signup_id: int, reason: str = "", now: datetime | None = None
) -> SignUp:
    """The volunteer withdraws until the activity's cut-off; the organiser may withdraw anyone
    (with a reason) until the activity starts. A freed place goes to the waiting list."""
    now = now or timezone.now()
    signup, position = _signup_locked(signup_id)
    activity = position.activity
    own = signup.volunteer.user_id == actor.pk
    organiser = may_organise(actor, activity)
    if not own and not organiser:
        raise NotFound("未找到该报名", field="signup_id")
    why = perms.signup_refusal(
        actor, signup, perms.SignUpAction.CANCEL, now=now, organiser=organiser
    )
    if why is not None:
        raise why.error()
    reason = clean_text(reason, field="reason", label="取消原因", max_length=300, required=not own)
    before = signup.status
    signup.status = SU.CANCELLED
    signup.cancelled_at = now
    signup.cancel_reason = reason
    signup.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=signup,
        summary=f"取消{signup.volunteer.name}的报名",
        changes={"status": [before, "cancelled"], "reason": reason},
    )
    if not own:
        notices.signup_withdrawn(signup, reason=reason)
    if before in SignUp.HOLDING:
        promote_waitlisted(position, actor=actor, now=now)
    return signup


@transaction.atomic
def signup_decide(
    *,
    actor: User,
    signup_id: int,
    approve: bool,
    reason: str = "",
    now: datetime | None = None,
) -> SignUp:
    """The organiser confirms a pending sign-up (a hazardous position needs the volunteer's
    insurance first, 条例 art. 17) or refuses it with a reason (the place goes to the list)."""
    now = now or timezone.now()
    signup, position = _signup_locked(signup_id)
    activity = position.activity
    if not may_organise(actor, activity):
        if signup.volunteer.user_id == actor.pk:
            raise Forbidden("只有活动组织者可以审核报名")
        raise NotFound("未找到该报名", field="signup_id")
    if signup.status != SU.PENDING:
        raise Conflict("该报名不是待确认状态", field="status")
    reason = clean_text(
        reason, field="reason", label="不予通过的理由", max_length=300, required=not approve
    )
    if approve:
        insurance = valid_insurance(signup.volunteer, activity)
        if position.hazardous and insurance is None:
            raise InvalidInput(
                f"危险性岗位须先为{signup.volunteer.name}登记覆盖活动日期的保险"
                "（《志愿服务条例》第十七条）",
                field="insurance",
                code=ActivityError.INSURANCE_REQUIRED,
            )
        signup.status = SU.CONFIRMED
        signup.insurance = insurance
    else:
        signup.status = SU.CANCELLED
        signup.cancelled_at = now
        signup.cancel_reason = reason
    signup.decided_by = actor
    signup.decided_at = now
    signup.save()
    audit.record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=signup,
        summary=("确认" if approve else "不予通过") + f"{signup.volunteer.name}的报名",
        changes={"status": ["pending", signup.status], "reason": reason},
    )
    notices.signup_decided(signup, approved=approve, reason=reason)
    if not approve:
        promote_waitlisted(position, actor=actor, now=now)
    return signup


# --- insurance --------------------------------------------------------------------------------


@transaction.atomic
def insurance_record_create(
    *,
    actor: User,
    volunteer_id: int,
    policy_no: str,
    insurer: str,
    valid_from: date,
    valid_to: date,
    now: datetime | None = None,
) -> InsuranceRecord:
    """Record a volunteer's insurance: staff of the volunteer's community, or an organiser of an
    activity the volunteer signed up for. Pending sign-ups that waited only for insurance (no
    approval asked) and that it covers are confirmed."""
    now = now or timezone.now()
    volunteer = Volunteer.objects.filter(pk=volunteer_id).select_related("community").first()
    if volunteer is None:
        raise NotFound("未找到该志愿者", field="volunteer_id")
    live = SignUp.objects.filter(volunteer=volunteer).exclude(status=SU.CANCELLED)
    organises = any(
        may_organise(actor, s.activity)
        for s in live.select_related("activity__organiser_unit", "activity__team")
    )
    if not (may_record_for(actor, volunteer.community) or organises):
        raise NotFound("未找到该志愿者", field="volunteer_id")
    for value, name, label in (
        (valid_from, "valid_from", "生效日期"),
        (valid_to, "valid_to", "到期日期"),
    ):
        if not isinstance(value, date) or isinstance(value, datetime):
            raise InvalidInput(f"请填写{label}", field=name)
    if valid_to < valid_from:
        raise InvalidInput("到期日期不能早于生效日期", field="valid_to")
    insurance = InsuranceRecord(
        volunteer=volunteer,
        policy_no=clean_text(policy_no, field="policy_no", label="保单号", max_length=40),
        insurer=clean_text(insurer, field="insurer", label="保险公司", max_length=60),
        valid_from=valid_from,
        valid_to=valid_to,
        recorded_by=actor,
    )
    if InsuranceRecord.objects.filter(
        volunteer=volunteer, insurer=insurance.insurer, policy_no=insurance.policy_no
    ).exists():
        raise Conflict("该保单已登记", field="policy_no")
    save_validated(insurance)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=insurance,
        summary=f"登记{volunteer.name}的保险 {insurance.insurer}",
        changes={"valid_from": str(valid_from), "valid_to": str(valid_to)},
    )
    waiting = live.filter(
        status=SU.PENDING,
        position__hazardous=True,
        activity__requires_approval=False,
        activity__starts_at__date__gte=valid_from,
    ).select_related("activity")
    for signup in waiting.select_for_update(of=("self",)):
        if valid_insurance(volunteer, signup.activity) is None:
            continue
        signup.status = SU.CONFIRMED
        signup.insurance = valid_insurance(volunteer, signup.activity)
        signup.save(update_fields=["status", "insurance", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditEvent.Action.TRANSITION,
            obj=signup,
            summary=f"已登记保险，{volunteer.name}的报名确认",
            changes={"status": ["pending", "confirmed"]},
        )
        notices.signup_decided(signup, approved=True)
    return insurance


@transaction.atomic
def insurance_record_for_signup(
    *,
    actor: User,
    signup_id: int,
    policy_no: str,
    insurer: str,
    valid_from: date,
    valid_to: date,
) -> InsuranceRecord:
    """The organiser records the insurance of the volunteer of one of their sign-ups."""
    signup = (
        SignUp.objects.filter(pk=signup_id)
        .exclude(status=SU.CANCELLED)
        .select_related("activity__organiser_unit", "activity__team")
        .first()
    )
    if signup is None or not may_organise(actor, signup.activity):
        raise NotFound("未找到该报名", field="signup_id")
    return insurance_record_create(
        actor=actor,
        volunteer_id=signup.volunteer_id,
        policy_no=policy_no,
        insurer=insurer,
        valid_from=valid_from,
        valid_to=valid_to,
    )
