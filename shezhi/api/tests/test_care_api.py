"""/api/v1/care: today list, care card, visits (raising a need), alerts, coverage; with the
pages' scoping (404 outside the actor's units) and masking."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shezhi.care import jobs, services
from shezhi.care.models import CareAlert, CareProfile, Visit
from shezhi.care.tests.factories import register
from shezhi.core.models import AuditEvent
from shezhi.needs.models import Need
from shezhi.org.tests.factories import OrgUnitFactory
from shezhi.people.tests.factories import ResidentFactory


@pytest.fixture
def care(world):
    """Dora (grid A) overdue, Gina and Bob her contact persons; Olga in a second grid."""
    month_ago = timezone.now() - timedelta(days=30)
    register(world.alice, world.dora_resident, "high", now=month_ago)
    for contact in (world.gina, world.bob):
        services.contact_assign(
            actor=world.alice, resident_id=world.dora_resident.pk, contact_id=contact.pk
        )
    olga = ResidentFactory(
        grid=OrgUnitFactory(level=5, parent=world.a["compound"], name="A二网格"), name="奥尔加"
    )
    register(world.alice, olga, "key", now=month_ago - timedelta(days=40))
    return {"olga": olga}


def visit_body(**overrides) -> dict:
    body = {
        "visited_on": timezone.localdate().isoformat(),
        "contact_made": True,
        "checklist": {"health": "ok", "meals": "concern"},
        "notes": {"meals": "冰箱空了"},
        "note": "",
    }
    body.update(overrides)
    return body


def test_today_lists_my_due_residents_with_masked_phone(world, care, as_user):
    response = as_user(world.gina).get("/care/today")
    assert response.status_code == 200
    items = response.json()
    assert [i["name"] for i in items] == ["朵拉"]
    phone = world.dora_resident.phone
    assert items[0]["phone"] == phone[:3] + "****" + phone[-4:]
    assert items[0]["days_overdue"] > 0 and items[0]["risk_label"] == "高"
    assert as_user(world.charlie).get("/care/today").json() == []


def test_card_gives_the_contact_the_full_phone_audited_and_others_masked(world, care, as_user):
    dora = world.dora_resident
    mine = as_user(world.bob).get(f"/care/residents/{dora.pk}").json()
    assert mine["resident"]["phone"] == dora.phone and mine["resident"]["phone_full"] is True
    assert mine["profile"]["cadence"] == "7天"
    assert {c["contact_id"] for c in mine["contacts"]} == {world.gina.pk, world.bob.pk}
    assert AuditEvent.objects.filter(action=AuditEvent.Action.READ_UNMASKED).count() == 1
    theirs = as_user(world.sam).get(f"/care/residents/{dora.pk}").json()
    assert theirs["resident"]["phone"] != dora.phone and theirs["resident"]["phone_full"] is False


def test_scoping_grid_worker_and_outsider_get_404(world, care, as_user):
    olga = care["olga"].pk
    assert as_user(world.gina).get(f"/care/residents/{olga}").status_code == 404
    assert (
        as_user(world.gina).post(f"/care/residents/{olga}/visits", visit_body()).status_code == 404
    )
    dora = world.dora_resident.pk
    charlie = as_user(world.charlie)
    assert charlie.get(f"/care/residents/{dora}").status_code == 404
    response = charlie.post(f"/care/residents/{dora}/visits", visit_body())
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert as_user(world.erin).get(f"/care/residents/{dora}").status_code == 404  # not her contact
    assert not Visit.objects.exists()


def test_visit_raising_a_need_puts_it_in_the_ledger(world, care, as_user):
    response = as_user(world.gina).post(
        f"/care/residents/{world.dora_resident.pk}/visits",
        visit_body(
            need={"category": "meals", "urgency": "caring", "description": "需要助餐送餐服务"}
        ),
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    need = Need.objects.get(pk=body["raised_need_id"])
    assert need.resident == world.dora_resident and need.source == "visit"
    assert body["checklist"]["meals"] == "concern" and body["notes"]["meals"] == "冰箱空了"
    profile = CareProfile.objects.get(resident=world.dora_resident)
    assert profile.last_seen_on == timezone.localdate()


def test_visit_in_the_future_is_400_in_chinese(world, care, as_user):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = as_user(world.gina).post(
        f"/care/residents/{world.dora_resident.pk}/visits", visit_body(visited_on=tomorrow)
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "走访日期不能晚于今天",
        "field": "visited_on",
    }


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"visited_on": "昨天"}, "visited_on"),
        ({"contact_made": "yes"}, "contact_made"),
        ({"checklist": {"health": "great"}}, "checklist.health"),
        ({"risk_level": "extreme"}, "risk_level"),
        ({"need": {"category": "meals", "urgency": "caring", "description": ""}}, None),
    ],
)
def test_malformed_visits_are_400_naming_the_field(world, care, as_user, overrides, field):
    response = as_user(world.gina).post(
        f"/care/residents/{world.dora_resident.pk}/visits", visit_body(**overrides)
    )
    assert response.status_code == 400
    if field:
        assert response.json()["field"] == field
    assert not Visit.objects.exists()


def test_unknown_checklist_item_is_refused_by_the_service(world, care, as_user):
    response = as_user(world.gina).post(
        f"/care/residents/{world.dora_resident.pk}/visits",
        visit_body(notes={"pets": "猫很好"}),
    )
    assert response.status_code == 400 and "未知的走访检查项" in response.json()["message"]


def test_alerts_list_and_acknowledge_with_scoping(world, care, as_user):
    alert = services.scan_text(
        actor=world.gina, text="不想活了", source_type="test", resident=world.dora_resident
    )
    listed = as_user(world.alice).get("/care/alerts", kind="crisis").json()
    assert [a["id"] for a in listed] == [alert.pk]
    assert listed[0]["resident_name"] == "朵拉"
    assert as_user(world.charlie).get("/care/alerts").json() == []
    assert as_user(world.charlie).post(f"/care/alerts/{alert.pk}/acknowledge").status_code == 404
    response = as_user(world.alice).post(f"/care/alerts/{alert.pk}/acknowledge")
    assert response.status_code == 200 and response.json()["status"] == "acknowledged"
    again = as_user(world.alice).post(f"/care/alerts/{alert.pk}/acknowledge")
    assert again.status_code == 409
    alert.refresh_from_db()
    assert alert.status == CareAlert.Status.ACKNOWLEDGED and alert.acknowledged_by == world.alice
    assert as_user(world.alice).get("/care/alerts", kind="nonsense").status_code == 400


def test_alerts_list_puts_crisis_signals_first(world, care, as_user):
    # Overdue and no-contact alerts have no deadline; the crisis is listed first regardless.
    jobs.overdue_compute(now=timezone.now())
    alert = services.scan_text(
        actor=world.gina, text="不想活了", source_type="test", resident=world.dora_resident
    )
    listed = as_user(world.alice).get("/care/alerts").json()
    assert len(listed) > 1 and listed[0]["id"] == alert.pk


def test_coverage_figures_and_overdue_longest(world, care, as_user):
    services.visit_log(
        actor=world.gina,
        resident_id=world.dora_resident.pk,
        visited_on=timezone.localdate(),
        contact_made=True,
    )
    body = as_user(world.sam).get("/care/coverage", by="grid").json()
    shares = {r["unit_name"]: r["share"] for r in body["rows"]}
    assert shares == {"A网格": 1.0, "A二网格": 0.0}
    assert body["registered"] == 2 and body["covered"] == 1
    assert [o["name"] for o in body["overdue_longest"]] == ["奥尔加"]
    assert as_user(world.charlie).get("/care/coverage").json()["rows"] == []
    assert as_user(world.gina).get("/care/coverage").status_code == 403
    assert as_user(world.sam).get("/care/coverage", by="street").status_code == 400


def test_anonymous_is_refused(world, care, as_user):
    assert as_user().get("/care/today").status_code == 401
