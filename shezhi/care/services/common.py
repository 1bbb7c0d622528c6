"""Constants and helpers shared by the care services."""

from django.conf import settings

from shezhi.accounts.models import Role, User
from shezhi.care import cadence
from shezhi.care.models import (
    ContactAssignment,
)
from shezhi.care.permissions import (
    CareAction,
    care_actions_for,
)
from shezhi.core.errors import InvalidInput
from shezhi.core.permissions import require

CONTACT_KINDS = {
    Role.GRID_WORKER: ContactAssignment.Kind.GRID_WORKER,
    Role.SOCIAL_WORKER: ContactAssignment.Kind.SOCIAL_WORKER,
    Role.VOLUNTEER: ContactAssignment.Kind.VOLUNTEER,
    Role.TEAM_LEADER: ContactAssignment.Kind.VOLUNTEER,
}
BATCH = 2000


def rules() -> cadence.CadenceRules:
    return cadence.rules_from_mapping(settings.SHEZHI_CARE_CADENCE)


def crisis_ack_minutes() -> int:
    return int(settings.SHEZHI_CARE_CRISIS_ACK_MINUTES)


def may_manage(actor: User) -> bool:
    return CareAction.MANAGE_REGISTRY in care_actions_for(actor)


def require_manager(actor: User) -> None:
    # Before any lookup: the desk's role gate, the same 403 for the page and the API.
    require(CareAction.MANAGE_REGISTRY, care_actions_for(actor), message="您的角色无权维护关爱档案")


def risk_level_of(value: str) -> cadence.RiskLevel:
    try:
        return cadence.RiskLevel(value)
    except ValueError:
        raise InvalidInput("请选择有效的风险等级（高、重点、一般）", field="risk_level") from None


def community_social_worker(community_id: int) -> User | None:
    return (
        User.objects.filter(role=Role.SOCIAL_WORKER, unit_id=community_id, is_active=True)
        .order_by("id")
        .first()
    )
