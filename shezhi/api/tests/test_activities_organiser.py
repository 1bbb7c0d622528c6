"""The organiser's API: approve a sign-up, check in by hand, close forgotten check-outs,
confirm the attendance; then rate the activity and read the summary's figures."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shezhi.activities import signups
from shezhi.activities.models import Attendance, Rating, SignUp
from shezhi.activities.services import PositionSpec
from shezhi.activities.tests.factories import NOW, activity
from shezhi.volunteers.models import ServiceRecord


@pytest.fixture
def running(world):
    """Started an hour ago, ends in an hour, sign-ups need approval."""
    now = timezone.now()
    act = activity(
        world.alice,
        world.a["community"],
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=1),
        requires_approval=True,
        positions=[PositionSpec(name="甲", quota=3)],
    )
    return act


@pytest.fixture
def ended(world):
    now = timezone.now()
    return activity(
        world.alice,
        world.a["community"],
        starts_at=now - timedelta(hours=3),
        ends_at=now - timedelta(hours=1),
        positions=[PositionSpec(name="甲", quota=3)],
    )


def signed(act, user):
    return signups.signup_create(actor=user, position_id=act.positions.get().pk, now=NOW)


def test_organiser_approves_and_refuses_sign_ups(world, running, as_user):
    bob, erin = signed(running, world.bob), signed(running, world.erin)
    api = as_user(world.alice)
    ok = api.post(f"/activities/signups/{bob.pk}/decide", {"approve": True})
    assert ok.status_code == 200 and ok.json()["status"] == "confirmed"
    no_reason = api.post(f"/activities/signups/{erin.pk}/decide", {"approve": False})
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "reason"
    refused = api.post(
        f"/activities/signups/{erin.pk}/decide", {"approve": False, "reason": "名额调整"}
    )
    assert refused.json()["status"] == "cancelled"
    again = api.post(f"/activities/signups/{bob.pk}/decide", {"approve": True})
    assert again.status_code == 409


def test_outsider_and_volunteer_cannot_decide(world, running, as_user):
    bob = signed(running, world.bob)
    assert (
        as_user(world.charlie)
        .post(f"/activities/signups/{bob.pk}/decide", {"approve": True})
        .status_code
        == 404
    )
    assert (
        as_user(world.bob)
        .post(f"/activities/signups/{bob.pk}/decide", {"approve": True})
        .status_code
        == 403
    )
    assert SignUp.objects.get(pk=bob.pk).status == "pending"


def test_manual_check_in_needs_a_reason_and_happens_once(world, running, as_user):
    bob = signed(running, world.bob)
    api = as_user(world.alice)
    api.post(f"/activities/signups/{bob.pk}/decide", {"approve": True})
    assert (
        api.post(f"/activities/signups/{bob.pk}/manual-checkin", {"reason": " "}).status_code == 400
    )
    made = api.post(f"/activities/signups/{bob.pk}/manual-checkin", {"reason": "手机没电"})
    assert made.status_code == 201 and made.json()["checked_out_at"] is None
    twice = api.post(f"/activities/signups/{bob.pk}/manual-checkin", {"reason": "再来"})
    assert twice.status_code == 409
    assert (
        as_user(world.charlie)
        .post(f"/activities/signups/{bob.pk}/manual-checkin", {"reason": "x"})
        .status_code
        == 404
    )
    assert Attendance.objects.filter(signup=bob).count() == 1


def test_manual_check_in_time_must_carry_a_time_zone(world, running, as_user):
    bob = signed(running, world.bob)
    api = as_user(world.alice)
    api.post(f"/activities/signups/{bob.pk}/decide", {"approve": True})
    naive = api.post(
        f"/activities/signups/{bob.pk}/manual-checkin",
        {"reason": "补登", "at": timezone.localtime().replace(tzinfo=None).isoformat()},
    )
    assert naive.status_code == 400 and "时区" in naive.json()["message"]


def test_close_and_confirm_write_service_records(world, ended, as_user):
    from shezhi.activities import attendance as checkins

    bob = signed(ended, world.bob)
    checkins.checkin_manual(actor=world.alice, signup_id=bob.pk, reason="补登", at=ended.starts_at)
    api = as_user(world.alice)
    refused = api.post(f"/activities/{ended.pk}/confirm")
    assert refused.status_code == 409 and refused.json()["code"] == "open"
    closed = api.post(f"/activities/{ended.pk}/close-checkouts", {})
    assert closed.status_code == 200 and [float(a["hours"]) for a in closed.json()] == [2.0]
    done = api.post(f"/activities/{ended.pk}/confirm")
    assert done.status_code == 200 and done.json()["written"] == 1
    assert ServiceRecord.objects.filter(volunteer=world.bob_volunteer).count() == 1
    assert as_user(world.charlie).post(f"/activities/{ended.pk}/confirm").status_code == 404
    assert (
        as_user(world.charlie).post(f"/activities/{ended.pk}/close-checkouts", {}).status_code
        == 404
    )


def test_rating_by_api_once_and_the_summary_figures(world, ended, as_user):
    from shezhi.activities import attendance as checkins

    bob = signed(ended, world.bob)
    checkins.checkin_manual(actor=world.alice, signup_id=bob.pk, reason="补登", at=ended.starts_at)
    checkins.checkout_close_forgotten(actor=world.alice, activity_id=ended.pk)
    checkins.attendance_confirm(actor=world.alice, activity_id=ended.pk)
    api = as_user(world.bob)
    made = api.post(f"/activities/{ended.pk}/ratings", {"stars": 4, "comment": "好"})
    assert made.status_code == 201 and made.json()["role"] == "volunteer"
    again = api.post(f"/activities/{ended.pk}/ratings", {"stars": 5})
    assert again.status_code == 409 and again.json()["code"] == "duplicate"
    assert api.post(f"/activities/{ended.pk}/ratings", {"stars": "5"}).status_code in (400, 422)
    assert (
        as_user(world.charlie).post(f"/activities/{ended.pk}/ratings", {"stars": 5}).status_code
        == 404
    )
    assert Rating.objects.count() == 1
    figures = as_user(world.alice).get(f"/activities/{ended.pk}/summary").json()
    assert figures["volunteers"] == 1 and figures["hours"] == "2.0"
    assert figures["ratings"] == 1 and figures["average_stars"] == "4.0"
    assert as_user(world.charlie).get(f"/activities/{ended.pk}/summary").status_code == 404


def test_organiser_registers_beneficiaries_and_the_headcount(world, ended, as_user):
    api = as_user(world.alice)
    made = api.post(
        f"/activities/{ended.pk}/beneficiaries", {"resident_id": world.dora_resident.pk}
    )
    assert made.status_code == 201
    twice = api.post(
        f"/activities/{ended.pk}/beneficiaries", {"resident_id": world.dora_resident.pk}
    )
    assert twice.status_code == 409
    other = api.post(f"/activities/{ended.pk}/beneficiaries", {"resident_id": world.resident_b.pk})
    assert other.status_code == 404  # a resident of community B is out of Alice's scope
    figures = api.post(f"/activities/{ended.pk}/headcount", {"headcount": 6})
    assert figures.status_code == 200 and figures.json()["beneficiaries"] == 7
    assert api.post(f"/activities/{ended.pk}/headcount", {"headcount": -1}).status_code in (
        400,
        422,
    )
    assert (
        as_user(world.charlie)
        .post(f"/activities/{ended.pk}/headcount", {"headcount": 1})
        .status_code
        == 404
    )
