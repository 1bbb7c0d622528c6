"""The four orders' transitions: 派单 (dispatch), 接单 (accept), 退回 (return, with the automatic
redispatch after a helper declines), 取消 (cancel) and 无法解决 (unresolvable)."""

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.accounts.scoping import sees_everything
from shezhi.needs import matching_adapter, notices
from shezhi.needs.models import Need
from shezhi.needs.permissions import NeedAction, need_require, need_require_role
from shezhi.needs.services.common import (
    ASSIGNEE_FIELDS,
    apply_transition,
    assignee_fields,
    load_need,
    need_dispatcher,
)
from shezhi.needs.workflow import Action, Status
from shezhi.volunteers import commitments, trust
from shezhi.volunteers.models import Volunteer


@transaction.atomic
def need_dispatch(
    *,
    actor: User,
    need_id: int,
    target_kind: str,
    target_id: int | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Need:
    """派单 (or 重新派单 when already dispatched or accepted)."""
    need_require_role(actor, NeedAction.DISPATCH)
    need = load_need(actor, need_id, expected_version)
    action = Action.DISPATCH if need.status == Status.PENDING else Action.REDISPATCH
    need_require(actor, need, NeedAction(action.value))
    fields = assignee_fields(need, target_kind, target_id)
    fields.update(dispatched_at=timezone.now(), accepted_by=None, accepted_at=None)
    held = notices.before(need)
    need = apply_transition(
        actor=actor, need=need, action=action, note=note or need.assignee_label, **fields
    )
    notices.withdrawn(need, before=held)
    notices.dispatched(need)
    return need


@transaction.atomic
def need_accept(*, actor: User, need_id: int, expected_version: int | None = None) -> Need:
    """接单. When several helpers accept at once, the first write wins; the others get 409."""
    need = load_need(actor, need_id, expected_version)
    need_require(actor, need, NeedAction.ACCEPT)
    _refuse_clash_on_accept(actor, need)
    need = apply_transition(
        actor=actor,
        need=need,
        action=Action.ACCEPT,
        accepted_by=actor,
        accepted_at=timezone.now(),
        started_at=None,  # a start from an earlier round (before a reopen) is not this one's
    )
    notices.accepted(need)
    return need


def booked_period(need: Need) -> tuple[datetime, datetime] | None:
    """The period an accepted order occupies its helper (None without a booked time)."""
    return trust.booked_period(need.wanted_from, need.wanted_until, need.category.max_minutes)


def _refuse_clash_on_accept(actor: User, need: Need) -> None:
    """A volunteer cannot accept an order booked at a time they already signed up for an
    activity or accepted another order (refused, not warned: the resident relies on the time)."""
    period = booked_period(need)
    volunteer = Volunteer.objects.filter(user=actor).first()
    if period is None or volunteer is None:
        return
    commitments.refuse_clash(
        volunteer, period[0], period[1], exclude=f"need:{need.pk}", doing="接这张订单"
    )


def accepted_orders_of(volunteer: Volunteer, start: datetime, end: datetime) -> list:
    """Commitments provider: the volunteer's accepted or started orders booked in [start, end)."""
    needs = Need.objects.filter(
        accepted_by_id=volunteer.user_id,
        status__in=[Status.ACCEPTED, Status.IN_SERVICE],
        wanted_from__lt=end,
        wanted_from__gt=start - timedelta(days=1),
    ).select_related("category")
    found = []
    for need in needs:
        period = booked_period(need)
        if period is not None:
            found.append(
                commitments.Commitment(
                    key=f"need:{need.pk}",
                    label=f"已接的订单“{need.category.name}”",
                    start=period[0],
                    end=period[1],
                )
            )
    return found


@transaction.atomic
def need_return(*, actor: User, need_id: int, reason: str) -> Need:
    """退回: the helper declines, or the social worker withdraws the order, back to 待受理."""
    need = load_need(actor, need_id, None)
    need_require(actor, need, NeedAction.RETURN)
    fields: dict[str, Any] = {f: None for f in ASSIGNEE_FIELDS}
    fields.update(assignee_kind="", accepted_by=None, accepted_at=None)
    declined_by_helper = not actor.can_dispatch and not sees_everything(actor)
    held = notices.before(need)
    need = apply_transition(
        actor=actor, need=need, action=Action.RETURN, note=(reason or "").strip(), **fields
    )
    if declined_by_helper:
        need = _redispatch_after_decline(need=need, declined_by=actor)
        notices.declined(need, before=held)
    else:
        notices.returned(need, before=held)
    return need


def _redispatch_after_decline(*, need: Need, declined_by: User) -> Need:
    """A helper declined: offer the order to the engine's next best candidate (helpers who
    declined it before are excluded), in the name of the social worker who dispatched it.
    With nobody left, the need stays 待受理 for the social worker."""
    dispatcher = need_dispatcher(need)
    best = matching_adapter.next_best(need)
    if dispatcher is None or best is None:
        return need
    fields = assignee_fields(need, best.kind, best.id)
    fields.update(dispatched_at=timezone.now())
    return apply_transition(
        actor=dispatcher,
        need=need,
        action=Action.DISPATCH,
        note=f"自动改派（{declined_by}退单）：{best.name}",
        **fields,
    )


@transaction.atomic
def need_cancel(*, actor: User, need_id: int, reason: str) -> Need:
    """取消: by a social worker, or by the resident before anyone has accepted."""
    need = load_need(actor, need_id, None)
    need_require(actor, need, NeedAction.CANCEL)
    held = notices.before(need)
    need = apply_transition(
        actor=actor, need=need, action=Action.CANCEL, note=(reason or "").strip()
    )
    notices.cancelled(need, actor=actor, before=held)
    return need


@transaction.atomic
def need_mark_unresolvable(*, actor: User, need_id: int, reason: str) -> Need:
    need_require_role(actor, NeedAction.UNRESOLVABLE)
    need = load_need(actor, need_id, None)
    need_require(actor, need, NeedAction.UNRESOLVABLE)
    held = notices.before(need)
    need = apply_transition(
        actor=actor, need=need, action=Action.UNRESOLVABLE, note=(reason or "").strip()
    )
    notices.unresolvable(need, before=held)
    return need
