"""The desk pages show a case only to those who may see it, and only the parts they may see."""

import pytest

from shezhi.accounts.models import Role
from shezhi.accounts.tests.factories import UserFactory
from shezhi.cases import services
from shezhi.cases.models import CaseAccessLog, Stage
from shezhi.cases.tests.factories import log_session, open_case, to_stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world):
    c = to_stage(open_case(world.alice, world.dora_resident), world.alice, Stage.INTERVENTION)
    log_session(c, world.alice, content="社工面谈内容")
    services.supervision_note_add(actor=world.sam, case_id=c.pk, text="督导意见甲")
    return c


def test_worker_sees_list_and_full_file(client, world, case):
    client.force_login(world.alice)
    page = client.get("/desk/cases/").content.decode()
    assert f"/desk/cases/{case.pk}/" in page
    assert "朵拉" not in page  # the list masks the client's name
    detail = client.get(f"/desk/cases/{case.pk}/").content.decode()
    assert "曾遭父亲殴打" in detail and "社工面谈内容" in detail and "督导意见甲" in detail
    assert CaseAccessLog.objects.filter(user=world.alice, case=case, part="assessment").exists()


def test_counsellor_page_hides_assessment_and_supervision(client, world, case):
    counsellor = UserFactory(role=Role.VOLUNTEER, unit=world.a["community"])
    services.team_add(actor=world.alice, case_id=case.pk, user_id=counsellor.pk, role="counsellor")
    client.force_login(counsellor)
    detail = client.get(f"/desk/cases/{case.pk}/").content.decode()
    assert "减少逃学次数" in detail  # the plan
    assert "曾遭父亲殴打" not in detail and "社工面谈内容" not in detail
    assert "督导意见甲" not in detail


@pytest.mark.parametrize("who", ["charlie", "admin", "bob", "gina"])
def test_outsiders_get_404_and_an_audit_entry(client, world, case, who):
    other = UserFactory(role=Role.SOCIAL_WORKER, unit=world.a["community"])
    for actor in (getattr(world, who), other):
        client.force_login(actor)
        assert client.get(f"/desk/cases/{case.pk}/").status_code == 404
        assert CaseAccessLog.objects.filter(user=actor, case=case, action="denied").exists()
        assert f"/desk/cases/{case.pk}/" not in client.get("/desk/cases/").content.decode()


def test_supervisor_sees_supervision_views(client, world, case):
    client.force_login(world.sam)
    page = client.get("/desk/cases/").content.decode()
    assert 'data-testid="caseloads"' in page and f"#{case.pk}" in page
    assert client.get(f"/desk/cases/{case.pk}/").status_code == 200


def test_anonymous_is_sent_to_log_in(client, case):
    assert client.get(f"/desk/cases/{case.pk}/").status_code == 302
