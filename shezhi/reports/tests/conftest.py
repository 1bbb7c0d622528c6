from dataclasses import dataclass

import pytest
from django.utils import timezone

from shezhi.accounts.models import Role, User
from shezhi.accounts.tests.factories import UserFactory


@dataclass
class Leaders:
    street_admin: User  # of street A: told of every report of street A and below
    district_admin: User  # of district A
    other_district: User  # of district B: told nothing about A


@pytest.fixture
def leaders(world) -> Leaders:
    return Leaders(
        street_admin=UserFactory(role=Role.STREET_ADMIN, unit=world.a["street"], username="sue"),
        district_admin=UserFactory(
            role=Role.DISTRICT_ADMIN, unit=world.a["district"], username="dan"
        ),
        other_district=UserFactory(
            role=Role.DISTRICT_ADMIN, unit=world.b["district"], username="olga"
        ),
    )


def last_month() -> str:
    """The month before today, as the pickers write it (2026-11)."""
    first = timezone.localdate().replace(day=1)
    prev = first - timezone.timedelta(days=1)
    return f"{prev:%Y-%m}"


def this_month() -> str:
    return f"{timezone.localdate():%Y-%m}"
