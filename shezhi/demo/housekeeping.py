"""Around the seeder: the fixed demo log-ins, a summary of what is loaded, and wiping it."""

from typing import Any

from django.db import transaction
from django.db.models import Count

from shezhi.accounts.models import User
from shezhi.core.models import AuditEvent
from shezhi.needs.models import Need, NeedTransition
from shezhi.org.models import Level, OrgUnit, PartnerOrganisation, ServiceCentre, Station
from shezhi.people.models import Household, Resident
from shezhi.volunteers.models import ServiceRecord, Team, TeamMembership, Volunteer

DEMO_PASSWORD = "shezhi-demo"


def summary() -> dict[str, Any]:
    statuses = dict(
        Need.objects.order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return {
        "org_units": OrgUnit.objects.count(),
        "communities": OrgUnit.objects.filter(level=Level.COMMUNITY).count(),
        "compounds": OrgUnit.objects.filter(level=Level.COMPOUND).count(),
        "grids": OrgUnit.objects.filter(level=Level.GRID).count(),
        "stations": Station.objects.count(),
        "households": Household.objects.count(),
        "residents": Resident.objects.count(),
        "volunteers": Volunteer.objects.count(),
        "teams": Team.objects.count(),
        "users": User.objects.count(),
        "needs": Need.objects.count(),
        "needs_by_status": statuses,
        "service_records": ServiceRecord.objects.count(),
    }


def is_empty() -> bool:
    return not OrgUnit.objects.exists()


@transaction.atomic
def wipe() -> None:
    """Delete everything the seeder writes (keeps the taxonomy from the migrations)."""
    AuditEvent.objects.all().delete()
    NeedTransition.objects.all().delete()
    Need.objects.all().delete()
    ServiceRecord.objects.all().delete()
    TeamMembership.objects.all().delete()
    Team.objects.all().delete()
    Volunteer.skills.through.objects.all().delete()
    Volunteer.objects.all().delete()
    Resident.tags.through.objects.all().delete()
    Resident.objects.all().delete()
    Household.objects.all().delete()
    User.objects.all().delete()
    Station.objects.all().delete()
    ServiceCentre.objects.all().delete()
    PartnerOrganisation.objects.all().delete()
    for level in sorted(Level.values, reverse=True):
        OrgUnit.objects.filter(level=level).delete()


# The fixed demo log-ins, one per role; worker1, grid1, leader1, volunteer1 and resident1 are
# all in the first community, where the featured needs are.
DEMO_USERNAMES = [
    "admin",
    "district",
    "street",
    "supervisor1",
    "worker1",
    "grid1",
    "leader1",
    "volunteer1",
    "resident1",
    "partner1",
]


def demo_logins() -> list[dict[str, str]]:
    users = {
        u.username: u
        for u in User.objects.filter(username__in=DEMO_USERNAMES).select_related(
            "unit__parent__parent__parent__parent", "partner"
        )
    }
    rows = []
    for username in DEMO_USERNAMES:
        user = users.get(username)
        if user is None:
            continue
        unit = ""
        if user.unit is not None:
            chain, node = [], user.unit
            while node is not None:
                chain.append(node.name)
                node = node.parent
            unit = " / ".join(reversed(chain[:3]))
        if user.partner is not None:
            unit = f"{user.partner.name}（{unit}）"
        rows.append(
            {
                "role": user.get_role_display(),
                "username": username,
                "password": DEMO_PASSWORD,
                "unit": unit or "全区",
                "name": str(user),
            }
        )
    return rows
