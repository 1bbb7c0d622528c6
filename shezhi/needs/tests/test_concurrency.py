"""Two helpers accepting one order at the same moment: exactly one wins.

Needs real concurrent transactions, so it runs on PostgreSQL (the test command's second pass)."""

import pytest

from shezhi.core.errors import Conflict
from shezhi.core.tests.concurrency import race
from shezhi.needs import services
from shezhi.needs.models import Need
from shezhi.volunteers.tests.factories import add_member

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("rounds", range(5))
def test_two_volunteers_accepting_one_order_exactly_one_wins(world, rounds):
    add_member(world.team, world.bob_volunteer)
    need = services.need_create(
        actor=world.dora, category="repair", urgency="general", description="灯坏了"
    )
    services.need_dispatch(
        actor=world.alice, need_id=need.pk, target_kind="team", target_id=world.team.pk
    )
    results = race(
        [
            lambda: services.need_accept(actor=world.bob, need_id=need.pk),
            lambda: services.need_accept(actor=world.erin, need_id=need.pk),
        ]
    )
    winners = [r for r in results if isinstance(r, Need)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(winners) == 1 and len(losers) == 1, results
    need.refresh_from_db()
    assert need.status == "accepted" and need.accepted_by == winners[0].accepted_by
    assert need.transitions.filter(action="accept").count() == 1


def test_two_edits_of_one_version_exactly_one_wins(world):
    need = services.need_create(
        actor=world.alice, category="repair", urgency="general", description="灯坏了"
    )
    results = race(
        [
            lambda: services.need_update(
                actor=world.alice, need_id=need.pk, expected_version=need.version, title="甲"
            ),
            lambda: services.need_update(
                actor=world.sam, need_id=need.pk, expected_version=need.version, title="乙"
            ),
        ]
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "Need"]
    need.refresh_from_db()
    assert need.version == 2 and need.title in {"甲", "乙"}
