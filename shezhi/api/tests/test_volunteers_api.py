"""/api/v1 volunteers, service records, corrections, teams, training, honours and the volunteer's
summary. Masked identifiers everywhere; Charlie, the outsider, gets 404."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shezhi.core.validators import compose_id_number
from shezhi.volunteers import teams
from shezhi.volunteers.models import CorrectionRequest, ServiceRecord, Team, TeamMembership
from shezhi.volunteers.services import correction_request_file
from shezhi.volunteers.tests.factories import record

YESTERDAY = timezone.localdate() - timedelta(days=1)
ADULT_ID = compose_id_number("110105", date(1980, 1, 1), 1)


@pytest.fixture
def rec(world):
    return record(world.alice, world.bob_volunteer, world.a["community"], service_date=YESTERDAY)


def registration(world, **overrides):
    body = {
        "name": "周志愿",
        "id_number": ADULT_ID,
        "phone": "13800001234",
        "community_id": world.a["community"].pk,
        "consent_version": "2026-01",
        "skills": ["repair"],
        "service_categories": ["elderly"],
        "languages": ["普通话", "英语"],
        "political_status": "party",
        "dual_report_community_id": world.b["community"].pk,
        "availability": [{"weekday": 5, "start": "09:00", "end": "12:00"}],
        "certificates": [{"kind": "lawyer", "number": "L123", "expires_on": "2030-01-01"}],
    }
    body.update(overrides)
    return body


# --- volunteers -------------------------------------------------------------------------------


def test_social_worker_registers_a_volunteer_and_sees_it_masked(as_user, world):
    alice = as_user(world.alice)
    response = alice.post("/volunteers", registration(world))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["volunteer_no"].startswith("ZY")
    assert body["id_number"] == f"110***********{ADULT_ID[-4:]}" and body["phone"] == "138****1234"
    assert body["name"] == "周**" and body["political_status"] == "party"
    assert body["availability"] == [{"weekday": 5, "start": "09:00:00", "end": "12:00:00"}]
    assert body["certificates"][0]["kind"] == "lawyer" and body["consent_versions"] == ["2026-01"]
    assert body["dual_report_community"]["id"] == world.b["community"].pk
    detail = alice.get(f"/volunteers/{body['id']}")
    assert ADULT_ID not in detail.content.decode() and "13800001234" not in detail.content.decode()
    listing = alice.get("/volunteers", q=body["volunteer_no"]).json()
    assert [v["id"] for v in listing["items"]] == [body["id"]]


def test_registration_errors_are_chinese_with_the_field(as_user, world):
    alice = as_user(world.alice)
    bad = alice.post("/volunteers", registration(world, id_number="110105198001010000"))
    assert bad.status_code == 400 and bad.json()["field"] == "id_number"
    today = timezone.localdate()
    minor = compose_id_number("110105", today.replace(year=today.year - 15), 3)
    response = alice.post(
        "/volunteers",
        registration(
            world, id_number=minor, political_status="league", dual_report_community_id=None
        ),
    )
    assert response.status_code == 400 and response.json()["field"] == "guardian_consent"
    assert "监护人" in response.json()["message"]
    assert alice.post("/volunteers", registration(world)).status_code == 201
    dup = alice.post("/volunteers", registration(world, phone="13800009999"))
    assert dup.status_code == 409 and "已登记为志愿者" in dup.json()["message"]


def test_outsider_cannot_register_in_or_see_community_a(as_user, world):
    charlie = as_user(world.charlie)
    assert charlie.post("/volunteers", registration(world)).status_code == 404
    assert charlie.get(f"/volunteers/{world.bob_volunteer.pk}").status_code == 404
    assert charlie.get("/volunteers").json()["items"] == []
    for path in ("trainings", "honours"):
        assert charlie.get(f"/volunteers/{world.bob_volunteer.pk}/{path}").status_code == 404


def test_training_and_honours_are_recorded_and_listed(as_user, world):
    alice = as_user(world.alice)
    vid = world.bob_volunteer.pk
    training = {
        "name": "急救培训",
        "content": "心肺复苏",
        "minutes": 90,
        "organiser": "红十字会",
        "day": YESTERDAY.isoformat(),
    }
    assert alice.post(f"/volunteers/{vid}/trainings", training).status_code == 201
    honour = {"name": "优秀志愿者", "day": YESTERDAY.isoformat(), "grantor": "街道"}
    assert alice.post(f"/volunteers/{vid}/honours", honour).status_code == 201
    assert alice.get(f"/volunteers/{vid}/trainings").json()[0]["name"] == "急救培训"
    assert alice.get(f"/volunteers/{vid}/honours").json()[0]["grantor"] == "街道"
    future = {**honour, "day": (timezone.localdate() + timedelta(days=5)).isoformat()}
    response = alice.post(f"/volunteers/{vid}/honours", future)
    assert response.status_code == 400 and response.json()["field"] == "day"
    charlie = as_user(world.charlie)
    assert charlie.post(f"/volunteers/{vid}/trainings", training).status_code == 404
    assert charlie.post(f"/volunteers/{vid}/honours", honour).status_code == 404


def test_volunteer_summary_shows_hours_star_balance_and_teams(as_user, world, rec, monkeypatch):
    bob = as_user(world.bob)
    body = bob.get("/me/volunteer").json()
    assert Decimal(body["hours_total"]) == 1 and body["records_count"] == 1
    assert Decimal(body["hours_this_year"]) <= Decimal(body["hours_total"])
    assert body["star"] == 0 and body["balance"] is None and body["teams"] == []
    monkeypatch.setattr(
        "shezhi.api.volunteers.summary.balance_of", lambda *, volunteer: Decimal("7")
    )
    teams.team_join(actor=world.bob, team_id=world.team.pk)
    body = bob.get("/me/volunteer").json()
    assert Decimal(body["balance"]) == 7
    assert body["teams"] == [
        {"team": {"id": world.team.pk, "name": "维修服务队"}, "role": "member"}
    ]
    assert as_user(world.charlie).get("/me/volunteer").status_code == 404


# --- service records --------------------------------------------------------------------------


def record_body(world, **overrides):
    body = {
        "volunteer_id": world.bob_volunteer.pk,
        "organiser_unit_id": world.a["community"].pk,
        "title": "理发义剪",
        "place": "活动室",
        "content": "为老人理发",
        "person_in_charge": "王主任",
        "service_date": YESTERDAY.isoformat(),
        "minutes": 110,
        "beneficiary": "张大爷",
        "quality_rating": 5,
        "team_id": world.team.pk,
    }
    body.update(overrides)
    return body


def test_social_worker_records_lists_and_reads_a_service(as_user, world):
    alice = as_user(world.alice)
    response = alice.post("/service-records", record_body(world))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert Decimal(body["hours"]) == 2 and body["status"] == "counted"
    assert body["volunteer"]["name"] == world.bob_volunteer.masked_name
    assert body["team"]["id"] == world.team.pk and body["versions"][0]["version"] == 1
    listing = alice.get("/service-records", q="理发").json()
    assert [r["id"] for r in listing["items"]] == [body["id"]]
    assert alice.get(f"/service-records/{body['id']}").status_code == 200
    assert as_user(world.bob).get(f"/service-records/{body['id']}").status_code == 200


def test_record_errors_future_overlap_and_absurd_durations(as_user, world):
    alice = as_user(world.alice)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    future = alice.post("/service-records", record_body(world, service_date=tomorrow))
    assert future.status_code == 400 and future.json()["field"] == "service_date"
    huge = alice.post("/service-records", record_body(world, minutes=5000))
    assert huge.status_code == 400 and huge.json()["field"] == "minutes"
    start = timezone.make_aware(datetime.combine(YESTERDAY, time.min))
    period = {
        "minutes": None,
        "service_date": None,
        "started_at": (start + timedelta(hours=9)).isoformat(),
        "ended_at": (start + timedelta(hours=10)).isoformat(),
    }
    assert alice.post("/service-records", record_body(world, **period)).status_code == 201
    clash = alice.post("/service-records", record_body(world, **period))
    assert clash.status_code == 400 and "重叠" in clash.json()["message"]
    assert ServiceRecord.objects.count() == 1


def test_outsider_cannot_record_read_or_list_community_a_records(as_user, world, rec):
    charlie = as_user(world.charlie)
    assert charlie.get(f"/service-records/{rec.pk}").status_code == 404
    assert charlie.get("/service-records").json()["items"] == []
    assert charlie.post("/service-records", record_body(world)).status_code == 404
    other = record_body(world, organiser_unit_id=world.b["community"].pk)
    assert charlie.post("/service-records", other).status_code == 404
    assert ServiceRecord.objects.count() == 1


def test_late_record_is_approved_by_the_supervisor_only(as_user, world):
    late = record(
        world.alice,
        world.bob_volunteer,
        world.a["community"],
        service_date=timezone.localdate() - timedelta(days=40),
    )
    assert late.status == ServiceRecord.Status.PENDING
    alice = as_user(world.alice)
    refused = alice.post(f"/service-records/{late.pk}/approve-late", {"note": ""})
    assert refused.status_code == 403 and "督导" in refused.json()["message"]
    charlie = as_user(world.charlie)
    assert charlie.post(f"/service-records/{late.pk}/approve-late", {}).status_code == 404
    sam = as_user(world.sam)
    no_reason = sam.post(f"/service-records/{late.pk}/reject-late", {"note": ""})
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "note"
    ok = sam.post(f"/service-records/{late.pk}/approve-late", {"note": "属实"})
    assert ok.status_code == 200 and ok.json()["status"] == "counted"
    again = sam.post(f"/service-records/{late.pk}/approve-late", {})
    assert again.status_code == 409


# --- corrections ------------------------------------------------------------------------------


def test_correction_round_trip_through_the_api(as_user, world, rec):
    bob = as_user(world.bob)
    filed = bob.post(
        "/corrections",
        {"record_id": rec.pk, "changes": {"minutes": 90, "place": "阳光小区"}, "reason": "记少了"},
    )
    assert filed.status_code == 201, filed.json()
    cid = filed.json()["id"]
    assert bob.get("/me/corrections").json()[0]["status"] == "pending"
    alice = as_user(world.alice)
    assert [c["id"] for c in alice.get("/corrections").json()] == [cid]
    decided = alice.post(f"/corrections/{cid}/decide", {"approve": True})
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    detail = bob.get(f"/service-records/{rec.pk}").json()
    assert detail["place"] == "阳光小区" and Decimal(detail["hours"]) == Decimal("1.5")
    assert [v["version"] for v in detail["versions"]] == [1, 2]
    assert detail["versions"][0]["data"]["place"] == "幸福小区"


def test_correction_errors_and_outsiders(as_user, world, rec):
    bob = as_user(world.bob)
    same = bob.post("/corrections", {"record_id": rec.pk, "changes": {}, "reason": "x"})
    assert same.status_code == 400 and same.json()["field"] == "changes"
    erin = as_user(world.erin)
    theft = erin.post(
        "/corrections", {"record_id": rec.pk, "changes": {"place": "x"}, "reason": "x"}
    )
    assert theft.status_code == 404
    req = correction_request_file(
        actor=world.bob, record_id=rec.pk, changes={"place": "别处"}, reason="x"
    )
    charlie = as_user(world.charlie)
    assert charlie.post(f"/corrections/{req.pk}/decide", {"approve": True}).status_code == 404
    assert charlie.get("/corrections").json() == []
    no_reason = as_user(world.alice).post(f"/corrections/{req.pk}/decide", {"approve": False})
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "reason"
    req.refresh_from_db()
    assert req.status == CorrectionRequest.Status.PENDING


# --- teams ------------------------------------------------------------------------------------


def test_team_apply_review_join_role_and_leave(as_user, world):
    bob = as_user(world.bob)
    applied = bob.post(
        "/teams",
        {
            "community_id": world.a["community"].pk,
            "name": "青年突击队",
            "kind": "youth",
            "charter": "章程",
        },
    )
    assert applied.status_code == 201, applied.json()
    tid = applied.json()["id"]
    assert applied.json()["status"] == "applied" and applied.json()["leader"]["name"] == "鲍*"
    alice = as_user(world.alice)
    refused = alice.post(f"/teams/{tid}/review", {"approve": False})
    assert refused.status_code == 400 and refused.json()["field"] == "reason"
    founded = alice.post(f"/teams/{tid}/review", {"approve": True})
    assert founded.json()["status"] == "founded" and founded.json()["figures"]["members"] == 1

    erin = as_user(world.erin)
    assert erin.post(f"/teams/{tid}/join").status_code == 200
    role = bob.post(
        f"/teams/{tid}/role", {"volunteer_id": world.erin_volunteer.pk, "role": "deputy"}
    )
    assert role.status_code == 200
    roles = {m["volunteer"]["id"]: m["role"] for m in role.json()["members"]}
    assert roles == {world.bob_volunteer.pk: "leader", world.erin_volunteer.pk: "deputy"}
    refused = erin.post(
        f"/teams/{tid}/role", {"volunteer_id": world.erin_volunteer.pk, "role": "leader"}
    )
    assert refused.status_code == 403
    assert bob.post(f"/teams/{tid}/leave", {}).status_code == 409  # the leader hands over first
    assert (
        bob.post(f"/teams/{tid}/leave", {"volunteer_id": world.erin_volunteer.pk}).status_code
        == 204
    )
    detail = alice.get(f"/teams/{tid}").json()
    assert [e["kind"] for e in detail["history"]] == ["join", "join", "role", "leave"]
    assert tid in [t["id"] for t in alice.get("/teams", status="founded").json()]


def test_outsider_gets_404_on_teams(as_user, world):
    charlie = as_user(world.charlie)
    tid = world.team.pk
    assert charlie.get(f"/teams/{tid}").status_code == 404
    assert charlie.get("/teams").json() == []
    assert charlie.post(f"/teams/{tid}/review", {"approve": True}).status_code == 404
    assert charlie.post(f"/teams/{tid}/join", {}).status_code == 404
    assert (
        charlie.post(f"/teams/{tid}/leave", {"volunteer_id": world.erin_volunteer.pk}).status_code
        == 404
    )
    role = {"volunteer_id": world.erin_volunteer.pk, "role": "leader"}
    assert charlie.post(f"/teams/{tid}/role", role).status_code == 404
    apply = {"community_id": world.a["community"].pk, "name": "x", "kind": "youth", "charter": "c"}
    assert charlie.post("/teams", apply).status_code == 404
    assert TeamMembership.objects.filter(team_id=tid).count() == 1
    assert not Team.objects.filter(name="x").exists()
