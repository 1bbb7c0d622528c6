"""Helpers that put coins on accounts through the services (so every rule applies)."""

from django.utils import timezone

from shezhi.timebank import services
from shezhi.timebank.models import Account, Deposit
from shezhi.volunteers.models import ServiceRecord
from shezhi.volunteers.tests.factories import record


def served(world, *, minutes: int = 120, volunteer=None) -> ServiceRecord:
    """A counted service record of today, organised by community A and recorded by Alice."""
    return record(
        world.alice,
        volunteer or world.bob_volunteer,
        world.a["community"],
        minutes=minutes,
        service_date=timezone.localdate(),
    )


def deposited(world, *, minutes: int = 120, volunteer=None, category="elderly") -> Deposit:
    """Alice deposits a fresh record (approved at once under the default single-reviewer rule)."""
    r = served(world, minutes=minutes, volunteer=volunteer)
    return services.deposit_from_record(actor=world.alice, record_id=r.pk, category=category)


def bob_account(world) -> Account:
    return Account.objects.get(volunteer=world.bob_volunteer)
