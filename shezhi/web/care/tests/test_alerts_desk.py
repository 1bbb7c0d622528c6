"""Crisis alerts stand out and come first; closing takes a confirmation and a reason (page and
API); an alert with a case links to it and is not offered 开案 again."""

import pytest
from django.test import Client

from shezhi.care.models import CareAlert
from shezhi.cases import services as case_services
from shezhi.people.tests.factories import ResidentFactory


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def make_alert(world, kind, summary="想不开，不想活了", resident=None):
    r = resident or world.dora_resident
    return CareAlert.objects.create(
        kind=kind, resident=r, community=r.community, grid=r.grid, summary=summary
    )


@pytest.fixture
def alerts(world):
    routine = [
        make_alert(
            world,
            CareAlert.Kind.OVERDUE,
            f"走访逾期{i}",
            resident=ResidentFactory(grid=world.a["grid"]),
        )
        for i in range(3)
    ]
    return {"crisis": make_alert(world, CareAlert.Kind.CRISIS), "routine": routine}


def test_crisis_alert_is_first_and_labelled(world, alerts):
    html = client_for(world.alice).get("/desk/care/alerts/").content.decode()
    crisis_at = html.index(f'data-testid="alert-{alerts["crisis"].pk}"')
    assert all(crisis_at < html.index(f'data-testid="alert-{a.pk}"') for a in alerts["routine"])
    assert html.count('data-testid="crisis-label"') == 1
    assert "card alert-crisis" in html and "危机" in html


def test_close_asks_for_confirmation_and_a_reason(world, alerts):
    alice, alert = client_for(world.alice), alerts["crisis"]
    page = alice.get(f"/desk/care/alerts/{alert.pk}/close/")
    assert page.status_code == 200 and "确认关闭" in page.content.decode()
    no_confirm = alice.post(f"/desk/care/alerts/{alert.pk}/close/", {"note": "已核实"})
    assert no_confirm.status_code == 400 and "确认关闭" in no_confirm.content.decode()
    no_reason = alice.post(f"/desk/care/alerts/{alert.pk}/close/", {"confirm": "on"})
    assert no_reason.status_code == 400
    alert.refresh_from_db()
    assert alert.status == CareAlert.Status.OPEN
    done = alice.post(f"/desk/care/alerts/{alert.pk}/close/", {"note": "已核实", "confirm": "on"})
    assert done.status_code == 302
    alert.refresh_from_db()
    assert alert.status == CareAlert.Status.CLOSED and alert.close_note == "已核实"


def test_outsider_cannot_open_the_close_page(world, alerts):
    charlie = client_for(world.charlie)
    assert charlie.get(f"/desk/care/alerts/{alerts['crisis'].pk}/close/").status_code == 404


def test_alert_with_a_case_links_to_it_and_offers_no_second_case(world, alerts):
    alert = alerts["crisis"]
    alice = client_for(world.alice)
    assert f'data-testid="open-case-{alert.pk}"' in alice.get("/desk/care/alerts/").content.decode()
    case = case_services.case_open_from_alert(
        actor=world.alice, alert_id=alert.pk, problem_type="mental_health", client_consent=True
    )
    html = alice.get("/desk/care/alerts/").content.decode()
    assert f'data-testid="open-case-{alert.pk}"' not in html
    assert f"/desk/cases/{case.pk}/" in html
