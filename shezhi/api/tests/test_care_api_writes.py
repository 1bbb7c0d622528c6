"""/api/v1/care writes the desk and phone pages also do: register a resident in care, pair and
end a one-on-one contact, the mandatory report and closing of an alert, and door-knocking
campaigns (launch, progress, my doors, record a door). Same services, same role gates: a role
the page refuses gets 403, anything outside the actor's units a 404, bad input a Chinese 400."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shezhi.care import campaigns, services
from shezhi.care.models import CampaignStop, CareAlert, CareProfile, ContactAssignment
from shezhi.care.tests.factories import register
from shezhi.people.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db

CJK = "\u4e00"


def _chinese(r) -> bool:
    return r.status_code == 400 and any(ch >= CJK for ch in r.json()["message"])


def test_register_a_resident_in_care(as_user, world):
    body = {"risk_level": "high", "risk_reasons": "80岁以上独居"}
    url = f"/care/residents/{world.dora_resident.pk}/profile"
    r = as_user(world.alice).post(url, body)
    assert r.status_code == 200, r.content
    assert r.json()["risk_level"] == "high"
    assert CareProfile.objects.filter(resident=world.dora_resident).exists()
    assert _chinese(as_user(world.alice).post(url, body | {"risk_reasons": " "}))
    assert as_user(world.alice).post(url, body | {"risk_level": "max"}).status_code == 400
    assert as_user(world.charlie).post(url, body).status_code == 404
    assert as_user(world.bob).post(url, body).status_code == 403  # volunteers: not the desk


def test_pair_and_end_a_contact(as_user, world):
    register(world.alice, world.dora_resident)
    url = f"/care/residents/{world.dora_resident.pk}/contacts"
    r = as_user(world.alice).post(url, {"contact_id": world.gina.pk})
    assert r.status_code == 201, r.content
    aid = r.json()["id"]
    assert as_user(world.alice).post(url, {"contact_id": world.gina.pk}).status_code == 409
    assert as_user(world.charlie).post(url, {"contact_id": world.gina.pk}).status_code == 404
    assert as_user(world.bob).post(url, {"contact_id": world.bob.pk}).status_code == 403
    end = f"/care/contacts/{aid}/end"
    assert as_user(world.charlie).post(end, {"reason": "调岗"}).status_code == 404
    assert _chinese(as_user(world.alice).post(end, {"reason": " "}))
    r = as_user(world.alice).post(end, {"reason": "调岗"})
    assert r.status_code == 200 and r.json()["ended_on"]
    assert ContactAssignment.objects.get(pk=aid).ended_on is not None


def test_alert_report_and_close(as_user, world):
    alert = services.scan_text(
        actor=world.gina,
        text="邻居家孩子身上老有淤青",
        source_type="test",
        source_id="1",
        resident=world.dora_resident,
    )
    assert alert.mandatory_report
    api = as_user(world.alice)
    r = api.post(f"/care/alerts/{alert.pk}/close", {"note": "已核实", "confirm": True})
    assert r.status_code == 409  # the report comes first
    assert _chinese(api.post(f"/care/alerts/{alert.pk}/report", {"reported_to": " "}))
    r = as_user(world.charlie).post(f"/care/alerts/{alert.pk}/report", {"reported_to": "派出所"})
    assert r.status_code == 404
    r = api.post(f"/care/alerts/{alert.pk}/report", {"reported_to": "派出所张警官"})
    assert r.status_code == 200 and r.json()["reported_to"] == "派出所张警官"
    r = api.post(f"/care/alerts/{alert.pk}/close", {"note": "已核实，已转个案", "confirm": True})
    assert r.status_code == 200, r.content
    assert CareAlert.objects.get(pk=alert.pk).status == CareAlert.Status.CLOSED


def test_campaign_launch_progress_and_doors(as_user, world):
    register(world.alice, world.dora_resident)
    body = {"unit_id": world.a["community"].pk, "name": "高温敲门", "reason": "连续高温"}
    assert as_user(world.gina).post("/care/campaigns", body).status_code == 403
    assert as_user(world.bob).post("/care/campaigns", body).status_code == 403
    assert as_user(world.charlie).post("/care/campaigns", body).status_code == 404
    assert _chinese(as_user(world.alice).post("/care/campaigns", body | {"name": " "}))
    r = as_user(world.alice).post("/care/campaigns", body)
    assert r.status_code == 201, r.content
    cid = r.json()["id"]
    assert [c["id"] for c in as_user(world.alice).get("/care/campaigns").json()] == [cid]
    assert as_user(world.charlie).get("/care/campaigns").json() == []
    r = as_user(world.alice).get(f"/care/campaigns/{cid}")
    assert r.status_code == 200 and r.json()["total"] == 1 and r.json()["done"] == 0
    assert as_user(world.charlie).get(f"/care/campaigns/{cid}").status_code == 404
    # The grid worker walks the door.
    doors = as_user(world.gina).get(f"/care/campaigns/{cid}/stops").json()
    assert len(doors) == 1 and "朵拉" not in doors[0]["name"]
    sid = doors[0]["id"]
    assert _chinese(as_user(world.gina).post(f"/care/stops/{sid}", {"outcome": "concern"}))
    assert as_user(world.gina).post(f"/care/stops/{sid}", {"outcome": "gone"}).status_code == 400
    assert (
        as_user(world.charlie).post(f"/care/stops/{sid}", {"outcome": "visited"}).status_code == 404
    )
    assert as_user(world.dora).post(f"/care/stops/{sid}", {"outcome": "visited"}).status_code == 403
    r = as_user(world.gina).post(f"/care/stops/{sid}", {"outcome": "not_home"})
    assert r.status_code == 200 and r.json()["outcome"] == "not_home"
    assert CampaignStop.objects.get(pk=sid).outcome == "not_home"
    assert as_user(world.alice).get(f"/care/campaigns/{cid}").json()["done"] == 1


def _campaign_with(world, n: int) -> int:
    for _ in range(n):
        register(world.alice, ResidentFactory(grid=world.a["grid"]))
    c = campaigns.campaign_launch(actor=world.alice, unit_id=world.a["community"].pk, name="巡查")
    return c.pk


@pytest.mark.parametrize("path", ["/care/campaigns", "/care/campaigns/{id}/stops"])
def test_campaign_lists_run_a_fixed_number_of_queries(as_user, world, path):
    counts = []
    for n in (1, 4):
        cid = _campaign_with(world, n)
        api = as_user(world.gina if "stops" in path else world.alice)
        with CaptureQueriesContext(connection) as ctx:
            r = api.get(path.format(id=cid))
        assert r.status_code == 200 and r.json()
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts
