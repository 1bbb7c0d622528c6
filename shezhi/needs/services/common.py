"""What every need transition shares: load with the version check, apply a transition
(conditional update + history + audit), the assignee columns of a dispatch, who dispatched."""

from typing import Any

from django.db.models import F
from django.utils import timezone

from shezhi.accounts.models import Role, User
from shezhi.core import audit
from shezhi.core.ages import ADULT_AGE
from shezhi.core.errors import (
    Conflict,
    ErrorCode,
    InvalidInput,
    NotFound,
)
from shezhi.core.models import AuditEvent
from shezhi.core.rollups import rollups_touch_rows
from shezhi.needs.models import Need, NeedTransition
from shezhi.needs.selectors import need_get
from shezhi.needs.workflow import ACTION_LABELS, Action, IllegalTransition, Status, next_status
from shezhi.org.models import PartnerOrganisation
from shezhi.volunteers.models import Team, Volunteer


def apply_transition(
    *, actor: User, need: Need, action: Action, note: str = "", **fields: Any
) -> Need:
    """Move `need` by `action` if nobody changed it since it was read; record who and why."""
    current = Status(need.status)
    try:
        target = next_status(current, action, note=note)
    except IllegalTransition as exc:
        raise Conflict(str(exc), code=ErrorCode.ILLEGAL_TRANSITION) from None
    rollups_touch_rows("needs.Need", [need])
    updated = Need.objects.filter(pk=need.pk, version=need.version, status=current).update(
        status=target, version=F("version") + 1, updated_at=timezone.now(), **fields
    )
    if updated != 1:
        raise Conflict("该需求刚被他人处理，请刷新后再试", code=ErrorCode.STALE)
    NeedTransition.objects.create(
        need=need,
        action=action,
        from_status=current,
        to_status=target,
        actor=actor,
        note=note[:500],
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=need,
        summary=f"{ACTION_LABELS[action]}：{note}"[:300],
        changes={"status": [current.value, target.value]},
    )
    need.refresh_from_db()
    return need


def load_need(actor: User, need_id: int, expected_version: int | None) -> Need:
    need = need_get(actor=actor, need_id=need_id)
    if expected_version is not None and expected_version != need.version:
        raise Conflict("该需求已被他人修改，请刷新后再试", code=ErrorCode.STALE)
    return need


ASSIGNEE_FIELDS = ("assignee_volunteer", "assignee_team", "assignee_user", "assignee_partner")


def assignee_fields(need: Need, kind: str, target_id: int | None) -> dict[str, Any]:
    """The assignee columns for a dispatch; the target must belong to the need's community."""
    fields: dict[str, Any] = {f: None for f in ASSIGNEE_FIELDS}
    fields["assignee_kind"] = kind
    community = need.community
    not_found = NotFound("未找到该派单对象", field="target_id")
    if kind == Need.AssigneeKind.POOL:
        return fields
    if target_id is None:
        raise InvalidInput("请选择派单对象", field="target_id")
    if kind == Need.AssigneeKind.VOLUNTEER:
        target: Any = Volunteer.objects.filter(
            pk=target_id, community=community, is_active=True
        ).first()
        fields["assignee_volunteer"] = target
        if target is not None and need.hazardous and is_minor(target):
            raise InvalidInput("危险作业不能派给未成年志愿者", field="target_id")
    elif kind == Need.AssigneeKind.TEAM:
        # Only a founded team serves: one applied for (or refused, dissolved) cannot take orders.
        target = Team.objects.filter(
            pk=target_id, community=community, status=Team.Status.FOUNDED
        ).first()
        fields["assignee_team"] = target
    elif kind == Need.AssigneeKind.SOCIAL_WORKER:
        target = User.objects.filter(
            pk=target_id,
            role=Role.SOCIAL_WORKER,
            is_active=True,
            unit__path__startswith=community.path,
        ).first()
        fields["assignee_user"] = target
    elif kind == Need.AssigneeKind.PARTNER:
        target = PartnerOrganisation.objects.filter(pk=target_id, is_active=True).first()
        if target and not community.path.startswith(target.unit.path):
            target = None
        fields["assignee_partner"] = target
    else:
        raise InvalidInput("派单对象类型无效", field="target_kind")
    if target is None:
        raise not_found
    return fields


def is_minor(volunteer: Volunteer) -> bool:
    return volunteer.age_on(timezone.localdate()) < ADULT_AGE


def need_dispatcher(need: Need) -> User | None:
    last = need.transitions.filter(action__in=[Action.DISPATCH, Action.REDISPATCH]).last()
    return last.actor if last else None
