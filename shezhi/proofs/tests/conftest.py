from datetime import date

import pytest

from shezhi.proofs.tests.factories import service
from shezhi.volunteers.models import ServiceRecord


@pytest.fixture
def bob_records(world):
    """Bob's service in January 2026: two counted records by two units, one late record that
    still waits for approval (not counted), and one in February (outside the period)."""
    return [
        service(world.bob_volunteer, world.alice, day=date(2026, 1, 5), hours="2.0"),
        service(
            world.bob_volunteer,
            world.alice,
            day=date(2026, 1, 20),
            hours="1.5",
            title="义务理发",
            content="为行动不便的老人上门理发",
            organiser="A街道新时代文明实践所",
        ),
        service(
            world.bob_volunteer,
            world.alice,
            day=date(2026, 1, 25),
            hours="8.0",
            title="逾期补录",
            status=ServiceRecord.Status.PENDING,
        ),
        service(world.bob_volunteer, world.alice, day=date(2026, 2, 3), hours="3.0"),
    ]


JANUARY = {"date_from": date(2026, 1, 1), "date_to": date(2026, 1, 31)}
