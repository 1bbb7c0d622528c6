"""Fixtures of the casework page tests: a case in intervention with one session, and a
counsellor on its team."""

import pytest

from shezhi.accounts.models import Role
from shezhi.accounts.tests.factories import UserFactory
from shezhi.cases import services
from shezhi.cases.models import Stage
from shezhi.cases.tests.factories import log_session, open_case, to_stage


@pytest.fixture
def case(world):
    c = to_stage(open_case(world.alice, world.dora_resident), world.alice, Stage.INTERVENTION)
    log_session(c, world.alice, content="社工面谈内容")
    return c


@pytest.fixture
def counsellor(world, case):
    user = UserFactory(role=Role.VOLUNTEER, unit=world.a["community"], username="coun")
    services.team_add(actor=world.alice, case_id=case.pk, user_id=user.pk, role="counsellor")
    return user
