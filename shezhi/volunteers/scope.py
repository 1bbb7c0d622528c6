"""Scope helpers shared by the volunteer services: who records for, and approves late records of,
which unit."""

from shezhi.accounts.models import Role, User
from shezhi.accounts.scoping import sees_everything
from shezhi.core.errors import NotFound
from shezhi.org.models import OrgUnit
from shezhi.volunteers.models import (
    Volunteer,
)

# Roles of the recording unit: they record, verify corrections and see records in their scope.
RECORDING_ROLES = frozenset(
    {Role.SOCIAL_WORKER, Role.SUPERVISOR, Role.STREET_ADMIN, Role.DISTRICT_ADMIN}
)
# Roles that approve late records (逾期补录审批).
APPROVING_ROLES = frozenset({Role.SUPERVISOR, Role.STREET_ADMIN, Role.DISTRICT_ADMIN})


def unit_in_scope(actor: User, unit: OrgUnit | None) -> bool:
    """Whether `unit` is the actor's unit or below it."""
    if sees_everything(actor):
        return True
    if unit is None or actor.unit is None:
        return False
    return unit.path.startswith(actor.unit.path)


def may_record_for(actor: User, unit: OrgUnit | None) -> bool:
    return sees_everything(actor) or (actor.role in RECORDING_ROLES and unit_in_scope(actor, unit))


def may_approve_late(actor: User, unit: OrgUnit | None) -> bool:
    return sees_everything(actor) or (actor.role in APPROVING_ROLES and unit_in_scope(actor, unit))


def volunteer_in_scope(actor: User, volunteer_id: int) -> Volunteer:
    volunteer = Volunteer.objects.filter(pk=volunteer_id).select_related("community").first()
    if volunteer is None or not may_record_for(actor, volunteer.community):
        raise NotFound("未找到该志愿者", field="volunteer_id")
    return volunteer
