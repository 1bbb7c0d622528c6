"""Two social workers deciding one held record at the same moment: exactly one wins.

Needs real concurrent transactions, so it runs on PostgreSQL (the test command's second pass)."""

import pytest

from shezhi.accounts.models import Role
from shezhi.accounts.tests.factories import UserFactory
from shezhi.core.errors import Conflict
from shezhi.core.tests.concurrency import race
from shezhi.volunteers import holds
from shezhi.volunteers.models import ServiceRecord, ServiceRecordVersion
from shezhi.volunteers.tests.factories import held_records

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("rounds", range(3))
def test_two_workers_confirming_and_rejecting_one_record_exactly_one_wins(world, rounds):
    (record,) = held_records(world.bob_volunteer, world.alice)
    fay = UserFactory(role=Role.SOCIAL_WORKER, unit=world.a["community"])
    results = race(
        [
            lambda: holds.service_record_confirm(actor=world.alice, record_id=record.pk),
            lambda: holds.service_record_reject(actor=fay, record_id=record.pk, reason="未到场"),
        ]
    )
    winners = [r for r in results if isinstance(r, ServiceRecord)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(winners) == 1 and len(losers) == 1, results
    record.refresh_from_db()
    assert record.status == winners[0].status and record.version == 2
    assert ServiceRecordVersion.objects.filter(record=record, version=2).count() == 1
