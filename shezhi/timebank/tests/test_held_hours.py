"""A record held for a social worker earns no time coins until confirmed."""

from decimal import Decimal

import pytest

from shezhi.core.errors import Conflict
from shezhi.needs.tests.test_trusted_hours import held_from_order
from shezhi.timebank import services as timebank
from shezhi.volunteers import holds
from shezhi.volunteers.models import ServiceRecord


@pytest.fixture
def held(world) -> ServiceRecord:
    return held_from_order(world)


def test_a_held_record_cannot_go_into_the_time_bank_until_confirmed(world, held):
    with pytest.raises(Conflict) as exc:
        timebank.deposit_from_record(actor=world.alice, record_id=held.pk, category="elderly")
    assert "待社工确认" in exc.value.message
    holds.service_record_confirm(actor=world.alice, record_id=held.pk)
    deposit = timebank.deposit_from_record(actor=world.alice, record_id=held.pk, category="elderly")
    assert deposit.amount == Decimal("3.5")
