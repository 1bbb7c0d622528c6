"""Care pages (关爱走访): the phone pages of contact persons and the desk pages, with scoping
(a grid worker sees only their grid; community B's social worker gets 404), masking, and bad
input answered in Chinese."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shezhi.accounts.models import Role
from shezhi.accounts.tests.factories import UserFactory
from shezhi.care import campaigns, jobs, services
from shezhi.care.models import CampaignStop, CareAlert, CareProfile, ContactAssignment, Visit
from shezhi.care.tests.factories import register
from shezhi.core.models import AuditEvent
from shezhi.needs.models import Need
from shezhi.org.tests.factories import OrgUnitFactory
from shezhi.people.tests.factories import ResidentFactory


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def care(world):
    """Dora (grid A) is on the registry, overdue, with Gina (grid worker) and Bob (volunteer)
    as her contact persons. Olga lives in a second grid of community A with its own worker."""
    month_ago = timezone.now() - timedelta(days=30)
    register(world.alice, world.dora_resident, "high", now=month_ago)
    for contact in (world.gina, world.bob):
        services.contact_assign(
            actor=world.alice, resident_id=world.dora_resident.pk, contact_id=contact.pk
        )
    other_grid = OrgUnitFactory(level=5, parent=world.a["compound"], name="A二网格")
    olga = ResidentFactory(grid=other_grid, name="奥尔加")
    register(world.alice, olga, "key", now=month_ago - timedelta(days=40))
    register(world.charlie, world.resident_b, "high", now=month_ago)
    return {"olga": olga, "other_grid": other_grid}


def visit_data(**overrides) -> dict:
    data = {
        "visited_on": timezone.localdate().isoformat(),
        "mode": "home",
        "contact_made": "yes",
        "note": "老人精神不错",
        "risk_level": "",
        "risk_reasons": "",
        "category": "",
        "urgency": "",
        "need_description": "",
    }
    for item in ("health", "meals", "safety", "mood", "living", "needs"):
        data[item] = "ok"
        data[f"{item}_note"] = ""
    data.update(overrides)
    return data


# --- phone pages ------------------------------------------------------------------------


def test_today_list_shows_my_overdue_residents_with_masked_phone(world, care):
    response = client_for(world.gina).get("/m/care/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "朵拉" in html and "逾期" in html
    phone = world.dora_resident.phone
    assert phone[:3] + "****" + phone[-4:] in html and phone not in html
    assert "奥尔加" not in html  # another grid


def test_care_card_shows_risk_cadence_contacts_and_full_phone_to_the_contact(world, care):
    response = client_for(world.bob).get(f"/m/care/residents/{world.dora_resident.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "80岁以上独居" in html and "每7天" in html and "艾琳" not in html
    assert world.dora_resident.phone in html and "3栋2单元501" in html
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.READ_UNMASKED, object_type="people.resident"
    ).exists()


def test_supervisor_not_a_contact_sees_the_card_phone_masked(world, care):
    html = client_for(world.sam).get(f"/m/care/residents/{world.dora_resident.pk}/").content
    assert world.dora_resident.phone not in html.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.READ_UNMASKED).exists()


def test_grid_worker_gets_404_outside_their_grid(world, care):
    gina = client_for(world.gina)
    olga = care["olga"].pk
    assert gina.get(f"/m/care/residents/{olga}/").status_code == 404
    assert gina.post(f"/m/care/residents/{olga}/visit/", visit_data()).status_code == 404
    assert gina.get(f"/desk/care/residents/{olga}/").status_code == 404
    registry = gina.get("/desk/care/").content.decode()
    assert "朵拉" in registry and "奥尔加" not in registry


def test_community_b_social_worker_gets_404_everywhere(world, care):
    charlie = client_for(world.charlie)
    dora = world.dora_resident.pk
    for url in (
        f"/m/care/residents/{dora}/",
        f"/m/care/residents/{dora}/visit/",
        f"/desk/care/residents/{dora}/",
    ):
        assert charlie.get(url).status_code == 404, url
    assert charlie.post(f"/desk/care/residents/{dora}/profile/", {}).status_code == 404
    assert "朵拉" not in charlie.get("/desk/care/").content.decode()


def test_visit_dated_in_the_future_is_refused_in_chinese(world, care):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client_for(world.gina).post(
        f"/m/care/residents/{world.dora_resident.pk}/visit/", visit_data(visited_on=tomorrow)
    )
    assert response.status_code == 400
    assert "走访日期不能晚于今天" in response.content.decode()
    assert not Visit.objects.exists()


def test_visit_form_with_garbage_answers_400_not_500(world, care):
    response = client_for(world.gina).post(
        f"/m/care/residents/{world.dora_resident.pk}/visit/",
        visit_data(visited_on="明天", health="fine", contact_made="maybe"),
    )
    assert response.status_code == 400
    assert not Visit.objects.exists()


def test_visit_that_raises_a_need_puts_it_in_the_ledger_and_moves_the_due_date(world, care):
    response = client_for(world.gina).post(
        f"/m/care/residents/{world.dora_resident.pk}/visit/",
        visit_data(
            raise_need="on",
            category="daily_care",
            urgency="caring",
            need_description="灯泡坏了，需要上门更换",
        ),
    )
    assert response.status_code == 302
    visit = Visit.objects.get()
    need = Need.objects.get()
    assert visit.raised_need == need and need.resident == world.dora_resident
    assert need.source == "visit"
    profile = CareProfile.objects.get(resident=world.dora_resident)
    assert profile.last_seen_on == timezone.localdate()
    assert profile.next_visit_due == timezone.localdate() + timedelta(days=7)
    page = client_for(world.gina).get(response["Location"]).content.decode()
    assert f"已登记需求 #{need.pk}" in page


def test_raising_a_need_without_its_fields_is_a_form_error(world, care):
    response = client_for(world.gina).post(
        f"/m/care/residents/{world.dora_resident.pk}/visit/", visit_data(raise_need="on")
    )
    assert response.status_code == 400
    assert "登记需求时请填写此项" in response.content.decode()
    assert not Visit.objects.exists() and not Need.objects.exists()


def test_volunteer_flags_a_risk_change_as_a_suggestion_only(world, care):
    client_for(world.bob).post(
        f"/m/care/residents/{world.dora_resident.pk}/visit/",
        visit_data(risk_level="key", risk_reasons="身体好转"),
    )
    assert Visit.objects.get().suggested_risk_level == "key"
    assert CareProfile.objects.get(resident=world.dora_resident).risk_level == "high"


def test_grid_worker_flags_a_risk_change_and_the_profile_follows(world, care):
    client_for(world.gina).post(
        f"/m/care/residents/{world.dora_resident.pk}/visit/",
        visit_data(risk_level="key", risk_reasons="子女已搬回同住"),
    )
    profile = CareProfile.objects.get(resident=world.dora_resident)
    assert profile.risk_level == "key" and profile.risk_reasons == "子女已搬回同住"


def test_residents_cannot_open_the_care_pages(world, care):
    assert client_for(world.dora).get("/m/care/").status_code == 403
    assert client_for(world.bob).get("/desk/care/").status_code == 403


# --- campaigns --------------------------------------------------------------------------


def test_campaign_launch_progress_and_one_tap_outcome(world, care):
    alice = client_for(world.alice)
    response = alice.post(
        "/desk/care/campaigns/",
        {"unit": world.a["community"].pk, "name": "高温前敲门", "reason": "高温预警"},
    )
    assert response.status_code == 302
    campaign_id = int(response["Location"].rstrip("/").split("/")[-1])
    stop = CampaignStop.objects.get(campaign_id=campaign_id, resident=world.dora_resident)

    gina = client_for(world.gina)
    page = gina.get(f"/m/care/campaigns/{campaign_id}/").content.decode()
    assert "3栋2单元501" in page and "奥尔加" not in page
    gina.post(f"/m/care/stops/{stop.pk}/", {"outcome": "not_home", "campaign": campaign_id})
    stop.refresh_from_db()
    assert stop.outcome == "not_home" and stop.recorded_by == world.gina

    progress = alice.get(f"/desk/care/campaigns/{campaign_id}/").content.decode()
    assert 'data-testid="outcome-not_home">1<' in progress
    doors = progress.split('data-testid="doors"')[1]
    assert "3栋2单元501" in doors and "不在家" in doors and str(world.gina) in doors
    assert client_for(world.charlie).get(f"/desk/care/campaigns/{campaign_id}/").status_code == 404


def test_concern_without_a_note_is_refused_with_a_message(world, care):
    campaign = campaigns.campaign_launch(
        actor=world.alice, unit_id=world.a["grid"].pk, name="敲门", reason=""
    )
    stop = campaign.stops.get()
    response = client_for(world.gina).post(
        f"/m/care/stops/{stop.pk}/", {"outcome": "concern", "campaign": campaign.pk}, follow=True
    )
    assert "发现问题时请填写说明" in response.content.decode()
    stop.refresh_from_db()
    assert stop.outcome == "pending"


def test_campaign_launch_with_a_blank_name_is_a_form_error(world, care):
    response = client_for(world.alice).post(
        "/desk/care/campaigns/", {"unit": world.a["community"].pk, "name": "  "}
    )
    assert response.status_code == 400
    assert "行动名称" in response.content.decode()


# --- desk: registry, profile, contacts ---------------------------------------------------


def test_registry_filters_by_risk_unit_and_no_contact(world, care):
    alice = client_for(world.alice)
    html = alice.get("/desk/care/", {"no_contact": "on"}).content.decode()
    assert "奥尔加" in html and "朵拉" not in html
    html = alice.get("/desk/care/", {"risk": "high"}).content.decode()
    assert "朵拉" in html and "奥尔加" not in html
    html = alice.get("/desk/care/", {"unit": care["other_grid"].pk}).content.decode()
    assert "奥尔加" in html and "朵拉" not in html
    assert alice.get("/desk/care/", {"risk": "extreme"}).status_code == 400


def test_register_a_resident_and_change_the_risk(world, care):
    resident = ResidentFactory(grid=world.a["grid"], name="新居民")
    alice = client_for(world.alice)
    response = alice.post(
        f"/desk/care/residents/{resident.pk}/profile/",
        {"risk_level": "key", "risk_reasons": "独居，患阿尔茨海默病"},
    )
    assert response.status_code == 302
    assert CareProfile.objects.get(resident=resident).risk_level == "key"
    response = alice.post(
        f"/desk/care/residents/{resident.pk}/profile/", {"risk_level": "key", "risk_reasons": " "}
    )
    assert response.status_code == 400 and "风险原因" in response.content.decode()


def test_contact_assign_and_end_keep_the_history(world, care):
    alice = client_for(world.alice)
    olga = care["olga"]
    response = alice.post(f"/desk/care/residents/{olga.pk}/contacts/", {"contact": world.bob.pk})
    assert response.status_code == 302
    assignment = ContactAssignment.objects.get(resident=olga)
    alice.post(f"/desk/care/contacts/{assignment.pk}/end/", {"reason": "志愿者搬家"})
    assignment.refresh_from_db()
    assert assignment.ended_on == timezone.localdate()
    html = alice.get(f"/desk/care/residents/{olga.pk}/").content.decode()
    assert "志愿者搬家" in html and str(world.bob) in html


def test_contact_from_another_community_is_refused(world, care):
    outsider = UserFactory(role=Role.GRID_WORKER, unit=world.b["grid"])
    response = client_for(world.alice).post(
        f"/desk/care/residents/{care['olga'].pk}/contacts/", {"contact": outsider.pk}
    )
    assert response.status_code == 400
    assert not ContactAssignment.objects.filter(resident=care["olga"]).exists()


def test_outsider_cannot_end_a_contact(world, care):
    assignment = ContactAssignment.objects.filter(resident=world.dora_resident).first()
    response = client_for(world.charlie).post(
        f"/desk/care/contacts/{assignment.pk}/end/", {"reason": "x"}
    )
    assert response.status_code == 404
    assignment.refresh_from_db()
    assert assignment.ended_on is None


# --- desk: alerts -------------------------------------------------------------------------


@pytest.fixture
def child_alert(world, care):
    return services.scan_text(
        actor=world.gina,
        text="隔壁老是打孩子，孩子哭得很厉害",
        source_type="test",
        resident=world.dora_resident,
    )


def test_alert_acknowledge_report_and_close(world, child_alert):
    alice = client_for(world.alice)
    html = alice.get("/desk/care/alerts/").content.decode()
    assert "危机信号" in html and "强制报告" in html
    alice.post(f"/desk/care/alerts/{child_alert.pk}/ack/")
    # Closing before the mandatory report is refused with the reason.
    page = alice.post(
        f"/desk/care/alerts/{child_alert.pk}/close/", {"note": "已处置", "confirm": "on"}
    ).content.decode()
    assert "强制报告" in page
    alice.post(f"/desk/care/alerts/{child_alert.pk}/report/", {"reported_to": "某派出所 王警官"})
    alice.post(f"/desk/care/alerts/{child_alert.pk}/close/", {"note": "已处置", "confirm": "on"})
    child_alert.refresh_from_db()
    assert child_alert.status == CareAlert.Status.CLOSED
    assert child_alert.acknowledged_by == world.alice and child_alert.reported_to.startswith("某")


def test_crisis_alerts_come_first_on_the_alerts_page(world, care, child_alert):
    jobs.overdue_compute(now=timezone.now())  # opens overdue and no-contact alerts
    html = client_for(world.alice).get("/desk/care/alerts/").content.decode()
    kinds = [html.index(f"card alert-{k}") for k in ("crisis", "overdue", "no_contact_person")]
    assert kinds[0] < kinds[1] and kinds[0] < kinds[2]


def test_mandatory_report_in_the_future_is_refused(world, child_alert):
    later = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    page = client_for(world.alice).post(
        f"/desk/care/alerts/{child_alert.pk}/report/",
        {"reported_to": "派出所", "reported_at": later},
        follow=True,
    )
    assert "报告时间不能晚于现在" in page.content.decode()
    child_alert.refresh_from_db()
    assert child_alert.reported_at is None


def test_outsider_gets_404_on_alert_actions(world, child_alert):
    charlie = client_for(world.charlie)
    assert charlie.post(f"/desk/care/alerts/{child_alert.pk}/ack/").status_code == 404
    assert charlie.post(f"/desk/care/alerts/{child_alert.pk}/close/", {}).status_code == 404
    assert "隔壁" not in charlie.get("/desk/care/alerts/").content.decode()
    child_alert.refresh_from_db()
    assert child_alert.status == CareAlert.Status.OPEN


# --- desk: coverage -----------------------------------------------------------------------


def test_coverage_page_has_the_local_chart_table_and_overdue_list(world, care):
    services.visit_log(
        actor=world.gina,
        resident_id=world.dora_resident.pk,
        visited_on=timezone.localdate(),
        contact_made=True,
    )
    response = client_for(world.sam).get("/desk/care/coverage/", {"by": "grid"})
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "/static/vendor/echarts/echarts.min.js" in html
        and "http" not in html.split("echarts.min.js")[0].rsplit("<script", 1)[1]
    )
    assert 'id="coverage-data"' in html
    assert "A网格" in html and "100%" in html  # Dora seen today
    assert "A二网格" in html and "0%" in html  # Olga never seen
    assert "奥尔加" in html.split('data-testid="overdue"')[1]
    assert "B网格" not in html  # another street
    assert client_for(world.sam).get("/desk/care/coverage/", {"by": "x"}).status_code == 200


def test_grid_workers_do_not_get_the_coverage_overview(world, care):
    assert client_for(world.gina).get("/desk/care/coverage/").status_code == 403


def test_nav_links_for_roles_that_use_the_care_pages(world):
    assert "/desk/care/" in client_for(world.alice).get("/desk/").content.decode()
    assert "/m/care/" in client_for(world.bob).get("/m/orders/").content.decode()


def test_desk_home_counts_open_crisis_alerts_in_scope(client, world):
    from shezhi.care import services as care_services

    care_services.scan_text(
        actor=world.gina, text="我不想活了", source_type="test", resident=world.dora_resident
    )
    tile = 'data-count="crises"><span class="tile-n">{}</span>'
    client.force_login(world.alice)
    assert tile.format(1) in client.get("/desk/").content.decode()
    client.force_login(world.charlie)
    assert tile.format(0) in client.get("/desk/").content.decode()


def test_alerts_page_speaks_english_with_the_english_locale(client, world):
    from shezhi.care import services as care_services

    care_services.scan_text(
        actor=world.gina, text="我不想活了", source_type="test", resident=world.dora_resident
    )
    client.force_login(world.alice)
    client.cookies["django_language"] = "en"
    page = client.get("/desk/care/alerts/").content.decode()
    assert "Crisis signal" in page and "Awaiting acknowledgement" in page
    # The filter's choices too (the alert's own summary is stored text and stays as written).
    assert 'value="crisis">Crisis signal</option>' in page and ">危机信号</option>" not in page
