"""The overdue job started twice at the same moment, and two contact assignments of the same
person at once: the database constraints keep one open alert and one active assignment.

Needs real concurrent transactions, so it runs on PostgreSQL (the test command's second pass)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from shezhi.care import jobs, services
from shezhi.care.models import CareAlert, ContactAssignment
from shezhi.care.tests.factories import register
from shezhi.core.tests.concurrency import race

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NOW = datetime(2024, 6, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.parametrize("rounds", range(3))
def test_overdue_job_twice_at_once_opens_one_alert_per_resident(world, rounds):
    register(world.alice, world.dora_resident, now=datetime(2024, 1, 2, tzinfo=NOW.tzinfo))
    results = race([lambda: jobs.overdue_compute(now=NOW)] * 2)
    assert not any(isinstance(r, Exception) for r in results), results
    for kind in ("overdue", "no_contact_person"):
        assert CareAlert.objects.filter(kind=kind, status="open").count() == 1


def test_same_contact_assigned_twice_at_once_is_one_active_assignment(world):
    args = {
        "actor": world.alice,
        "resident_id": world.dora_resident.pk,
        "contact_id": world.gina.pk,
    }
    results = race([lambda: services.contact_assign(**args)] * 2)
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "ContactAssignment"]
    assert ContactAssignment.objects.filter(ended_on__isnull=True).count() == 1
