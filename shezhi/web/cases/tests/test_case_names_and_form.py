"""The case form starts empty (no problem type or risk guessed), and the case team sees their
client's full name on the case (a logged read) while others keep the masked name."""

import pytest
from django.test import Client

from shezhi.accounts.models import Role
from shezhi.accounts.tests.factories import UserFactory
from shezhi.cases import services
from shezhi.cases.models import Case, CaseAccessLog
from shezhi.cases.tests.factories import open_case


def client_of(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def case(world):
    return open_case(world.alice, world.dora_resident)


def test_case_form_has_no_preselected_problem_type(world):
    html = client_of(world.alice).get("/desk/cases/new/").content.decode()
    select = html[html.index('name="problem_type"') :]
    select = select[: select.index("</select>")]
    assert (
        "selected" not in select.replace('value="" selected', "") or 'value="" selected' in select
    )
    assert "— 请选择 —" in select


def test_case_form_without_problem_type_is_refused(world):
    response = client_of(world.alice).post(
        "/desk/cases/new/",
        {
            "source": "walk_in",
            "client": world.dora_resident.pk,
            "risk_level": "medium",
            "client_consent": "on",
        },
    )
    assert response.status_code in (200, 400) and "请选择问题类型" in response.content.decode()
    assert not Case.objects.exists()


def test_worker_and_team_see_the_full_name_and_the_read_is_logged(world, case):
    colleague = UserFactory(role=Role.SOCIAL_WORKER, unit=world.a["community"])
    services.team_add(actor=world.alice, case_id=case.pk, user_id=colleague.pk, role="colleague")
    for member in (world.alice, colleague):
        html = client_of(member).get(f"/desk/cases/{case.pk}/").content.decode()
        assert 'data-testid="client-name">朵拉<' in html
        assert CaseAccessLog.objects.filter(
            user=member, case=case, action=CaseAccessLog.Action.READ, part="client_name"
        ).exists()


def test_supervisor_keeps_the_masked_name(world, case):
    html = client_of(world.sam).get(f"/desk/cases/{case.pk}/").content.decode()
    assert f'data-testid="client-name">{world.dora_resident.masked_name}<' in html
    assert "朵拉" not in html
    assert not CaseAccessLog.objects.filter(user=world.sam, part="client_name").exists()


def test_outsider_gets_404(world, case):
    assert client_of(world.charlie).get(f"/desk/cases/{case.pk}/").status_code == 404
