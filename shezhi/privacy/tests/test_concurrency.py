"""Two workers answering one request, or a resident filing twice, at the same moment: one wins,
the other gets a clear refusal. Runs on PostgreSQL."""

import pytest

from shezhi.core.errors import Conflict
from shezhi.core.tests.concurrency import race
from shezhi.privacy import services
from shezhi.privacy.models import RightsRequest

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_two_answers_at_once_make_one(world):
    req = services.rights_request_create(
        actor=world.dora, resident=world.dora_resident, kind=RightsRequest.Kind.DELETION
    )

    def answer():
        return services.rights_request_answer(
            actor=world.alice, request=req, accept=True, answer=""
        )

    results = race([answer, answer])
    assert sum(isinstance(r, RightsRequest) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 1, results


def test_two_filings_at_once_make_one(world):
    def file():
        return services.rights_request_create(
            actor=world.dora, resident=world.dora_resident, kind=RightsRequest.Kind.ACCESS
        )

    results = race([file, file])
    assert sum(isinstance(r, RightsRequest) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    assert RightsRequest.objects.count() == 1
