"""The API router and the check-in pages, on the real clock (an activity starting soon)."""

import json
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client
from django.utils import timezone

from shezhi.activities import attendance as checkins
from shezhi.activities import signups
from shezhi.activities.models import Attendance, SignUp
from shezhi.activities.services import PositionSpec
from shezhi.activities.tests.factories import activity
from shezhi.volunteers.tests.factories import VolunteerFactory


def _checked_in_minutes_ago(activity, minutes):
    """Move the check-ins back in time (the real clock: a check-out needs a few minutes)."""
    Attendance.objects.filter(activity=activity).update(
        checked_in_at=timezone.now() - timedelta(minutes=minutes)
    )


class ApiClient:
    """A JSON client for /api/v1/ logged in as one user."""

    def __init__(self, user):
        self.client = Client()
        self.client.force_login(user)

    def get(self, path):
        return self.client.get("/api/v1" + path)

    def post(self, path, body=None, raw=None):
        data = raw if raw is not None else (json.dumps(body) if body is not None else "")
        return self.client.post("/api/v1" + path, data=data, content_type="application/json")


@pytest.fixture
def soon(world):
    now = timezone.now()
    return activity(
        world.alice,
        world.a["community"],
        starts_at=now + timedelta(minutes=30),
        ends_at=now + timedelta(hours=2),
        now=now,
        risk_statement="使用剪刀，注意安全",
        positions=[
            PositionSpec(name="理发师", quota=1),
            PositionSpec(name="义诊", quota=1, certificates=["doctor"]),
        ],
    )


def client_of(user):
    c = Client()
    c.force_login(user)
    return c


def test_api_lists_positions_with_eligibility_for_the_volunteer(world, soon):
    body = ApiClient(world.bob).get("/activities/positions").json()
    by_name = {p["position"]: p for p in body}
    assert by_name["理发师"]["eligible"] and by_name["理发师"]["places_left"] == 1
    assert not by_name["义诊"]["eligible"] and "医师" in by_name["义诊"]["problems"][0]
    assert (
        ApiClient(VolunteerFactory(community=world.b["community"]).user)
        .get("/activities/positions")
        .json()
        == []
    )


def test_api_sign_up_needs_the_risk_acknowledgement_and_answers_409_when_full(world, soon):
    pid = soon.positions.get(name="理发师").pk
    bob = ApiClient(world.bob)
    refused = bob.post(f"/activities/positions/{pid}/signups", {})
    assert refused.status_code == 400 and refused.json()["field"] == "risk_acknowledged"
    ok = bob.post(f"/activities/positions/{pid}/signups", {"risk_acknowledged": True})
    assert ok.status_code == 201 and ok.json()["status"] == "confirmed"
    mine = {p["position_id"]: p for p in bob.get("/activities/positions").json()}
    assert mine[pid]["joined"] and mine[pid]["my_signup_id"] == ok.json()["id"]
    assert mine[pid]["my_status"] == "confirmed"
    full = ApiClient(world.erin).post(
        f"/activities/positions/{pid}/signups", {"risk_acknowledged": True, "join_waitlist": False}
    )
    assert full.status_code == 409 and full.json()["code"] == "full"
    assert bob.get("/activities/signups").json()[0]["id"] == ok.json()["id"]
    charlie = ApiClient(world.charlie).post(
        f"/activities/positions/{pid}/signups", {"risk_acknowledged": True}
    )
    assert charlie.status_code in (403, 404)


def test_api_bad_bodies_answer_400_not_500(world, soon):
    pid = soon.positions.first().pk
    bob = ApiClient(world.bob)
    assert bob.post(f"/activities/positions/{pid}/signups", raw="{").status_code == 400
    assert bob.post(f"/activities/positions/{pid}/signups", {"x": 1}).status_code in (400, 422)
    assert bob.post(f"/activities/{soon.pk}/checkin", {"token": 5}).status_code in (400, 422)
    assert bob.post("/activities/positions/99999999/signups", {}).status_code == 404


def test_api_token_check_in_and_check_out(world, soon):
    pid = soon.positions.get(name="理发师").pk
    bob = ApiClient(world.bob)
    bob.post(f"/activities/positions/{pid}/signups", {"risk_acknowledged": True})
    assert bob.get(f"/activities/{soon.pk}/checkin-token").status_code == 403
    assert ApiClient(world.charlie).get(f"/activities/{soon.pk}/checkin-token").status_code == 404
    issued = ApiClient(world.alice).get(f"/activities/{soon.pk}/checkin-token").json()
    assert issued["valid_seconds"] == 60
    assert f"/m/activities/{soon.pk}/checkin/?t=" in issued["checkin_url"]
    early_out = bob.post(f"/activities/{soon.pk}/checkout")
    assert early_out.status_code == 409 and early_out.json()["code"] == "not_checked_in"
    forged = bob.post(f"/activities/{soon.pk}/checkin", {"token": "x:y:z"})
    assert forged.status_code == 400 and forged.json()["code"] == "bad_token"
    done = bob.post(f"/activities/{soon.pk}/checkin", {"token": issued["token"]})
    assert done.status_code == 201
    again = bob.post(f"/activities/{soon.pk}/checkin", {"token": issued["token"]})
    assert again.status_code == 409
    too_soon = bob.post(f"/activities/{soon.pk}/checkout")
    assert too_soon.status_code == 409 and too_soon.json()["code"] == "checkout_too_soon"
    preview = bob.get(f"/activities/{soon.pk}/checkout-preview").json()
    assert preview["too_soon"] is True and preview["minutes"] == 0
    assert (
        ApiClient(world.charlie).get(f"/activities/{soon.pk}/checkout-preview").status_code == 404
    )
    _checked_in_minutes_ago(soon, 15)
    assert bob.get(f"/activities/{soon.pk}/checkout-preview").json()["present_minutes"] >= 15
    out = bob.post(f"/activities/{soon.pk}/checkout")
    assert out.status_code == 200 and out.json()["checked_out_at"]


def test_organiser_qr_page_shows_a_fresh_code_and_outsider_gets_404(world, soon):
    page = client_of(world.alice).get(f"/desk/activities/{soon.pk}/qr/")
    assert page.status_code == 200 and b"<svg" in page.content
    assert "no-store" in page["Cache-Control"]
    assert client_of(world.charlie).get(f"/desk/activities/{soon.pk}/qr/").status_code == 404
    assert client_of(world.bob).get(f"/desk/activities/{soon.pk}/qr/").status_code == 403


def test_qr_page_rotates_at_the_configured_interval(world, soon, settings):
    """The page's reload interval (read by checkin.js) and its text come from the settings."""
    settings.SHEZHI_CHECKIN_QR_ROTATION_SECONDS = 15
    settings.SHEZHI_CHECKIN_TOKEN_SECONDS = 45
    page = client_of(world.alice).get(f"/desk/activities/{soon.pk}/qr/").content.decode()
    assert 'data-refresh="15"' in page
    assert "每 15 秒更新" in page and "45 秒内有效" in page
    assert client_of(world.charlie).get(f"/desk/activities/{soon.pk}/qr/").status_code == 404


def test_volunteer_opens_the_link_checks_in_and_out_on_the_mobile_page(world, soon):
    signups.signup_create(
        actor=world.bob, position_id=soon.positions.get(name="理发师").pk, risk_acknowledged=True
    )
    url = checkins.checkin_url(
        activity_id=soon.pk,
        token=checkins.checkin_token_issue(actor=world.alice, activity_id=soon.pk),
    )
    parsed = urlparse(url)
    bob = client_of(world.bob)
    page = bob.get(parsed.path, parse_qs(parsed.query))
    assert page.status_code == 200 and b'data-testid="checkin-button"' in page.content
    done = bob.post(parsed.path, {"t": parse_qs(parsed.query)["t"][0]}, follow=True)
    assert b'data-testid="checked-in"' in done.content
    assert Attendance.objects.filter(activity=soon, volunteer=world.bob_volunteer).exists()
    _checked_in_minutes_ago(soon, 15)
    # 签退 first shows what will be recorded; only the confirmed POST checks out.
    confirm = bob.get(f"/m/activities/{soon.pk}/checkout/")
    assert b'data-testid="checkout-confirm-button"' in confirm.content
    unconfirmed = bob.post(f"/m/activities/{soon.pk}/checkout/")
    assert b'data-testid="checkout-confirm"' in unconfirmed.content
    assert Attendance.objects.get(activity=soon).checked_out_at is None
    out = bob.post(f"/m/activities/{soon.pk}/checkout/", {"confirm": "1"}, follow=True)
    assert b'data-testid="checked-out"' in out.content


def test_mobile_page_shows_a_bad_token_in_chinese_without_a_500(world, soon):
    signups.signup_create(
        actor=world.bob, position_id=soon.positions.get(name="理发师").pk, risk_acknowledged=True
    )
    bob = client_of(world.bob)
    response = bob.post(f"/m/activities/{soon.pk}/checkin/", {"t": "forged"})
    assert response.status_code == 400
    assert "签到二维码无效" in response.content.decode()
    early = bob.post(f"/m/activities/{soon.pk}/checkout/")
    assert early.status_code == 409 and "尚未签到" in early.content.decode()


def test_outsider_gets_404_on_the_mobile_page(world, soon):
    outsider = VolunteerFactory(community=world.b["community"]).user
    assert client_of(outsider).get(f"/m/activities/{soon.pk}/checkin/?t=x").status_code == 404
    assert client_of(outsider).post(f"/m/activities/{soon.pk}/checkout/").status_code == 404
    assert not SignUp.objects.filter(volunteer__user=outsider).exists()


def test_api_bulk_sign_up_by_the_team_leader(world, soon):
    from shezhi.volunteers.tests.factories import add_member

    member = VolunteerFactory(community=world.a["community"])
    add_member(world.team, member)
    pid = soon.positions.get(name="理发师").pk
    body = {"volunteer_ids": [member.pk, world.bob_volunteer.pk], "risk_acknowledged": True}
    response = ApiClient(world.erin).post(f"/activities/positions/{pid}/bulk-signups", body)
    assert response.status_code == 200
    first, second = response.json()
    assert first["signup"]["status"] == "confirmed" and second["error"]
    refused = ApiClient(world.bob).post(f"/activities/positions/{pid}/bulk-signups", body)
    assert refused.status_code == 403
    empty = ApiClient(world.erin).post(
        f"/activities/positions/{pid}/bulk-signups", {"volunteer_ids": []}
    )
    assert empty.status_code in (400, 422)
