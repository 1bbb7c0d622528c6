"""A record held for a social worker is not on the volunteer's proof until confirmed."""

from decimal import Decimal

import pytest
from django.utils import timezone

from shezhi.needs.tests.test_trusted_hours import held_from_order
from shezhi.proofs import services as proofs
from shezhi.volunteers import holds
from shezhi.volunteers.models import ServiceRecord
from shezhi.volunteers.tests.factories import record as make_record


@pytest.fixture
def held(world) -> ServiceRecord:
    return held_from_order(world)


def test_a_held_record_is_not_on_the_proof(world, held):
    today = timezone.localdate()
    counted = make_record(
        world.alice, world.bob_volunteer, world.a["community"], service_date=today, minutes=60
    )
    proof = proofs.proof_issue(actor=world.bob, date_from=today, date_to=today)
    assert proof.record_ids == [counted.pk] and proof.total_hours == Decimal("1")
    holds.service_record_confirm(actor=world.alice, record_id=held.pk)
    again = proofs.proof_issue(actor=world.bob, date_from=today, date_to=today)
    assert sorted(again.record_ids) == sorted([counted.pk, held.pk])
