"""Who may do what with a resident's data rights: one answer for services, pages and API.

The resident exercises their own rights (see, download, ask for correction or deletion); desk
staff of the resident's unit may do so on the resident's behalf (an elderly resident without a
smartphone asks at the station). Social workers, supervisors and admins in scope answer requests."""

from enum import StrEnum

from shezhi.accounts.models import Role, User
from shezhi.people.models import Resident
from shezhi.privacy.models import RightsRequest

# Roles that answer requests in their unit (the station's social-work staff and above).
ANSWER_ROLES = frozenset(
    {
        Role.SOCIAL_WORKER,
        Role.SUPERVISOR,
        Role.STREET_ADMIN,
        Role.DISTRICT_ADMIN,
        Role.SYSTEM_ADMIN,
    }
)


class DataAction(StrEnum):
    VIEW = "view"  # see what the platform holds
    EXPORT = "export"  # download it (JSON, PDF)
    REQUEST = "request"  # ask for a correction or deletion


class RequestAction(StrEnum):
    ANSWER = "answer"


def data_actions_for(actor: User, resident: Resident) -> frozenset[DataAction]:
    """`resident` must come from a scoped selector (residents_visible_to)."""
    if not actor.is_authenticated:
        return frozenset()
    own = actor.role == Role.RESIDENT and resident.user_id == actor.pk
    if not (own or actor.is_staff_role or actor.is_superuser):
        return frozenset()
    if resident.anonymised_at is not None:
        return frozenset({DataAction.VIEW})
    return frozenset(DataAction)


def request_actions_for(actor: User, request: RightsRequest) -> frozenset[RequestAction]:
    """`request` must come from a scoped selector (requests_visible_to)."""
    if not actor.is_authenticated or request.status != RightsRequest.Status.OPEN:
        return frozenset()
    if actor.role in ANSWER_ROLES or actor.is_superuser:
        return frozenset({RequestAction.ANSWER})
    return frozenset()
