"""Two people closing, or advancing, the same case at the same moment: the row lock lets one
through and the other gets a clear refusal, never two closures. Runs on PostgreSQL."""

import pytest

from shezhi.cases import services
from shezhi.cases.models import CaseClosure, Stage
from shezhi.cases.tests.factories import open_case, to_stage
from shezhi.core.errors import Conflict, InvalidInput
from shezhi.core.tests.concurrency import race

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_two_closures_at_once_make_one(world):
    case = to_stage(open_case(world.alice, world.dora_resident), world.alice, Stage.INTERVENTION)

    def close():
        return services.case_close(
            actor=world.alice, case_id=case.pk, reason="moved", outcome="partly"
        )

    results = race([close, close])
    assert sum(isinstance(r, CaseClosure) for r in results) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 1
    assert CaseClosure.objects.filter(case=case).count() == 1


def test_two_advances_at_once_move_one_stage(world):
    case = open_case(world.alice, world.dora_resident)

    def advance():
        return services.case_advance(actor=world.alice, case_id=case.pk, to_status="assessment")

    results = race([advance, advance])
    assert sum(isinstance(r, InvalidInput) for r in results) == 1, results
    assert case.transitions.filter(to_status="assessment").count() == 1
