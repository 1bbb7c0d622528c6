"""Around the seeder: the fixed demo log-ins, a summary of what is loaded, and wiping it."""

from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import Count

from shezhi.accounts.models import User
from shezhi.care.models import CareAlert, CareProfile, Visit
from shezhi.core.models import AuditEvent, TaskRun
from shezhi.needs.models import Need
from shezhi.org.models import Level, OrgUnit, Station
from shezhi.people.models import Household, Resident
from shezhi.volunteers.models import ServiceRecord, Team, Volunteer

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
        "care_profiles": CareProfile.objects.count(),
        "care_visits": Visit.objects.count(),
        "care_alerts_open": CareAlert.objects.filter(status__in=CareAlert.OPEN_STATUSES).count(),
    }


def is_empty() -> bool:
    return not OrgUnit.objects.exists()


# Reference data loaded by migrations; everything else is the seeder's (or a user's) data.
KEPT_MODELS = {"needcategory", "urgencylevel", "skilltag", "vulnerabilitytag"}
# Upper apps first, so that rows are gone before the rows they point at.
WIPE_ORDER = [
    "privacy",
    "activities",
    "imports",
    "timebank",
    "proofs",
    "cases",
    "care",
    "notifications",  # recipient-less SMS notices are not removed with the accounts
    "needs",
    "volunteers",
    "people",
    "accounts",
    "org",
]


@transaction.atomic
def wipe() -> None:
    """Delete every business row and account (keeps the taxonomy from the migrations)."""
    AuditEvent.objects.all().delete()
    TaskRun.objects.all().delete()  # their arguments name rows that are about to go
    for label in WIPE_ORDER:
        models = [m for m in apps.get_app_config(label).get_models() if m._meta.managed]
        for model in reversed(models):  # later models point at earlier ones
            if model._meta.model_name not in KEPT_MODELS:
                _delete_all(model)


def _delete_all(model) -> None:
    # The base manager: wiping the demo is the one place append-only ledgers may be emptied.
    rows = model._base_manager.all()
    if model._meta.model_name == "orgunit":
        for level in sorted(Level.values, reverse=True):  # children before parents
            rows.filter(level=level).delete()
        return
    rows.delete()


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
