"""Who may do what with one need: the one answer the services, pages and API share.

`need_actions_for(actor, need)` combines the actor's role and relation to the need (dispatcher of
its unit, resident owner, the helper it is offered to, the taker) with its state (workflow.py).
`need_require(...)` is the services' guard: 403 when the role or relation stands in the way,
409 `illegal_transition` when only the state does. The caller has already read the need through
the scoped selector (`need_get`), so an actor outside its unit never gets this far (404)."""

from enum import StrEnum

from django.utils import timezone

from shezhi.accounts.models import Role, User
from shezhi.accounts.scoping import sees_everything
from shezhi.core.errors import Conflict
from shezhi.core.permissions import require
from shezhi.needs import workflow
from shezhi.needs.errors import NeedError
from shezhi.needs.models import Need
from shezhi.needs.workflow import OPEN, IllegalTransition, Status
from shezhi.volunteers.models import TeamMembership, Volunteer


class NeedAction(StrEnum):
    """The workflow's steps (same values as workflow.Action) and the desk's other operations."""

    DISPATCH = "dispatch"
    REDISPATCH = "redispatch"
    RETURN = "return"
    ACCEPT = "accept"
    START = "start"
    COMPLETE = "complete"
    RATE = "rate"
    CANCEL = "cancel"
    UNRESOLVABLE = "unresolvable"
    REOPEN = "reopen"
    REVIEW = "review"  # close the review of a low rating (reopen or accept the outcome)
    EDIT = "edit"
    WAIVE_START = "waive_start"  # let the taker start outside the booked time's window


ADULT_AGE = 18
# Operations only a dispatcher (social worker, supervisor, system admin) may do: refused with
# 403 before the need is read, so a role that never may learns nothing about the need.
DISPATCHER_ACTIONS = frozenset(
    {
        NeedAction.DISPATCH,
        NeedAction.REDISPATCH,
        NeedAction.UNRESOLVABLE,
        NeedAction.REOPEN,
        NeedAction.REVIEW,
        NeedAction.EDIT,
        NeedAction.WAIVE_START,
    }
)
DISPATCHER_MESSAGE = "只有社工或督导可以派单、取消和复核需求"
ROLE_MESSAGES: dict[NeedAction, str] = {
    NeedAction.ACCEPT: "这张订单不是派给您的",
    NeedAction.START: "只有接单人可以执行此操作",
    NeedAction.COMPLETE: "只有接单人可以执行此操作",
    NeedAction.RATE: "只有提出需求的居民可以评价",
    NeedAction.RETURN: "您无权退回这张订单",
    NeedAction.CANCEL: "您无权取消这项需求",
}
MINOR_HAZARD_MESSAGE = "危险作业不能由未成年志愿者承接"
RESIDENT_CANCEL_STATES = frozenset({Status.PENDING, Status.DISPATCHED})


def is_owner(actor: User, need: Need) -> bool:
    """The resident who asked: the account that registered it or the resident's own account."""
    if need.created_by_id == actor.pk:
        return True
    return need.resident_id is not None and need.resident.user_id == actor.pk


def may_accept(actor: User, need: Need) -> bool:
    """Whether the order is offered to this actor (directly, via their team or the pool)."""
    kind = need.assignee_kind
    if kind == Need.AssigneeKind.SOCIAL_WORKER:
        return need.assignee_user_id == actor.pk
    if kind == Need.AssigneeKind.PARTNER:
        return actor.role == Role.PARTNER and actor.partner_id == need.assignee_partner_id
    volunteer = Volunteer.objects.filter(user=actor, is_active=True).first()
    if volunteer is None:
        return False
    if kind == Need.AssigneeKind.VOLUNTEER:
        return need.assignee_volunteer_id == volunteer.pk
    if kind == Need.AssigneeKind.TEAM:
        return TeamMembership.objects.filter(
            team_id=need.assignee_team_id, volunteer=volunteer
        ).exists()
    return kind == Need.AssigneeKind.POOL and volunteer.community_id == need.community_id


def is_minor_helper(actor: User) -> bool:
    volunteer = Volunteer.objects.filter(user=actor).first()
    return volunteer is not None and volunteer.age_on(timezone.localdate()) < ADULT_AGE


def _role_actions(actor: User, need: Need) -> set[NeedAction]:
    """What the actor's role and relation to the need allow, whatever its state."""
    allowed: set[NeedAction] = set()
    dispatcher = actor.can_dispatch
    if dispatcher:
        allowed |= DISPATCHER_ACTIONS | {NeedAction.CANCEL, NeedAction.RETURN}
    if sees_everything(actor):
        allowed.add(NeedAction.RETURN)
    taker = need.accepted_by_id is not None and need.accepted_by_id == actor.pk
    if taker:
        allowed |= {NeedAction.START, NeedAction.COMPLETE, NeedAction.RETURN, NeedAction.ACCEPT}
    if need.status == Status.DISPATCHED and may_accept(actor, need):
        allowed |= {NeedAction.ACCEPT, NeedAction.RETURN}
    if is_owner(actor, need):
        allowed |= {NeedAction.RATE, NeedAction.CANCEL}
    return allowed


def _state_allows(action: NeedAction, actor: User, need: Need) -> bool:
    status = Status(need.status)
    if action == NeedAction.EDIT:
        return status in OPEN
    if action == NeedAction.REVIEW:
        return need.needs_review
    if action == NeedAction.REOPEN:
        return need.needs_review and status in workflow.TRANSITIONS[workflow.Action.REOPEN][0]
    if action == NeedAction.WAIVE_START:
        return status in (Status.DISPATCHED, Status.ACCEPTED) and need.wanted_from is not None
    if action == NeedAction.CANCEL and not actor.can_dispatch:
        return status in RESIDENT_CANCEL_STATES
    if action == NeedAction.ACCEPT and status == Status.ACCEPTED:
        return False  # already taken (by this actor or another)
    return status in workflow.TRANSITIONS[workflow.Action(action.value)][0]


def need_actions_for(actor: User, need: Need) -> frozenset[NeedAction]:
    """What this user may do with this need now (role, relation and state)."""
    if not actor.is_authenticated:
        return frozenset()
    allowed = {a for a in _role_actions(actor, need) if _state_allows(a, actor, need)}
    if NeedAction.ACCEPT in allowed and need.hazardous and is_minor_helper(actor):
        allowed.discard(NeedAction.ACCEPT)
    return frozenset(allowed)


def _state_message(actor: User, need: Need, action: NeedAction) -> str:
    status = Status(need.status)
    if action == NeedAction.CANCEL and not actor.can_dispatch:
        return "志愿者已接单，请联系社区社工取消"
    if action in (NeedAction.REVIEW, NeedAction.REOPEN) and not need.needs_review:
        return "该需求没有待复核的评价"
    if action == NeedAction.WAIVE_START:
        return (
            f"当前状态为「{need.status_label}」，只有已派单或已接单的订单可以准许不按预约时间开始"
        )
    if action == NeedAction.EDIT:
        return f"当前状态为「{need.status_label}」，已结束的需求不能修改"
    if action.value not in {a.value for a in workflow.Action}:
        return "当前状态不能进行此操作"
    try:
        workflow.next_status(status, workflow.Action(action.value), note="-")
    except IllegalTransition as exc:
        return str(exc)
    return "当前状态不能进行此操作"


def need_require_role(actor: User, action: NeedAction) -> None:
    """The role check that needs no object: dispatcher-only operations, before the read."""
    if action in DISPATCHER_ACTIONS:
        allowed = DISPATCHER_ACTIONS if actor.can_dispatch else frozenset()
        require(action, allowed, message=DISPATCHER_MESSAGE)


def need_require(actor: User, need: Need, action: NeedAction) -> None:
    """The services' guard: 403 for the role or relation, 409 when only the state refuses."""
    need_require_role(actor, action)
    if action == NeedAction.ACCEPT:
        # Only an order offered to someone else is a matter of who; the rest is state.
        if need.status == Status.DISPATCHED and not may_accept(actor, need):
            require(action, (), message=ROLE_MESSAGES[action])
        if need.status == Status.ACCEPTED and need.accepted_by_id != actor.pk:
            raise Conflict("这张订单已被其他人接单", code=NeedError.TAKEN)
        if need.hazardous and is_minor_helper(actor):
            require(action, (), message=MINOR_HAZARD_MESSAGE)
    else:
        by_role = _role_actions(actor, need)
        require(action, by_role, message=ROLE_MESSAGES.get(action, DISPATCHER_MESSAGE))
    allowed = need_actions_for(actor, need)
    if action not in allowed:
        require(action, allowed, message=_state_message(actor, need, action), state_refusal=True)
