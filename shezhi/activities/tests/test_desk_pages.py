"""The organiser's desk pages: sign-up decisions, manual check-in, closing forgotten check-outs
and the one-step confirmation, on the real clock (an activity that ended an hour ago)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shezhi.activities import attendance as checkins
from shezhi.activities import signups
from shezhi.activities.models import Activity, Attendance, SignUp
from shezhi.activities.services import PositionSpec
from shezhi.activities.tests.factories import NOW, activity
from shezhi.volunteers.models import ServiceRecord


def client_of(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def ended(world):
    now = timezone.now()
    # Created and published at the tests' fixed NOW (in the past), held three hours ago.
    return activity(
        world.alice,
        world.a["community"],
        starts_at=now - timedelta(hours=3),
        ends_at=now - timedelta(hours=1),
        positions=[PositionSpec(name="理发师", quota=3)],
    )


def signed(world, act, user):
    return signups.signup_create(actor=user, position_id=act.positions.get().pk, now=NOW)


def test_desk_lists_only_the_actors_activities(world, ended):
    assert ended.title in client_of(world.alice).get("/desk/activities/").content.decode()
    assert ended.title not in client_of(world.charlie).get("/desk/activities/").content.decode()


def test_outsider_gets_404_and_a_volunteer_403_on_the_desk_page(world, ended):
    assert client_of(world.charlie).get(f"/desk/activities/{ended.pk}/").status_code == 404
    assert client_of(world.bob).get(f"/desk/activities/{ended.pk}/").status_code == 403
    assert client_of(world.charlie).post(f"/desk/activities/{ended.pk}/confirm/").status_code == 404


def test_desk_closes_forgotten_check_outs_and_confirms_into_service_records(world, ended):
    bob, erin = signed(world, ended, world.bob), signed(world, ended, world.erin)
    checkins.checkin_manual(
        actor=world.alice, signup_id=bob.pk, reason="手机没电", at=ended.starts_at
    )
    alice = client_of(world.alice)
    page = alice.post(
        f"/desk/activities/{ended.pk}/signups/{erin.pk}/checkin/", {"reason": "补登"}, follow=True
    )
    assert "不在签到时间内" in page.content.decode()  # now is after the end
    refused = alice.post(f"/desk/activities/{ended.pk}/confirm/", follow=True)
    assert "1人未签退" in refused.content.decode()
    closed = alice.post(f"/desk/activities/{ended.pk}/close/", follow=True)
    assert "已为 1 人补签退" in closed.content.decode()
    done = alice.post(f"/desk/activities/{ended.pk}/confirm/", follow=True)
    assert "写入 1 条服务记录" in done.content.decode()
    record = ServiceRecord.objects.get(volunteer=world.bob_volunteer)
    assert record.minutes == 120 and str(record.hours) == "2.0"
    assert Attendance.objects.get(signup=bob).service_record == record


def test_desk_approves_and_refuses_pending_sign_ups(world):
    act = activity(world.alice, world.a["community"], requires_approval=True)
    bob, erin = signed(world, act, world.bob), signed(world, act, world.erin)
    alice = client_of(world.alice)
    page = alice.get(f"/desk/activities/{act.pk}/")
    assert page.status_code == 200 and 'data-testid="signups"' in page.content.decode()
    alice.post(f"/desk/activities/{act.pk}/signups/{bob.pk}/decide/", {"approve": "1"})
    no_reason = alice.post(
        f"/desk/activities/{act.pk}/signups/{erin.pk}/decide/", {"approve": "0"}, follow=True
    )
    assert "请填写不予通过的理由" in no_reason.content.decode()
    alice.post(
        f"/desk/activities/{act.pk}/signups/{erin.pk}/decide/", {"approve": "0", "reason": "满员"}
    )
    bob.refresh_from_db()
    erin.refresh_from_db()
    assert (bob.status, erin.status) == (SignUp.Status.CONFIRMED, SignUp.Status.CANCELLED)


# --- the volunteer's phone --------------------------------------------------------------------


@pytest.fixture
def upcoming(world):
    now = timezone.now()
    return activity(
        world.alice,
        world.a["community"],
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=2),
        now=now,
        risk_statement="使用剪刀，注意安全",
        positions=[
            PositionSpec(name="理发师", quota=1),
            PositionSpec(name="义诊", quota=1, certificates=["doctor"]),
        ],
    )


def test_volunteer_signs_up_on_the_phone_after_acknowledging_the_risks(world, upcoming):
    bob = client_of(world.bob)
    page = bob.get("/m/activities/").content.decode()
    assert "理发师" in page and "缺少有效的证书：医师" in page and "我已阅读并了解上述风险" in page
    pid = upcoming.positions.get(name="理发师").pk
    refused = bob.post(f"/m/activities/positions/{pid}/signup/", follow=True)
    assert "请阅读并确认活动的风险告知" in refused.content.decode()
    done = bob.post(
        f"/m/activities/positions/{pid}/signup/", {"risk_acknowledged": "1"}, follow=True
    )
    assert 'data-testid="my-signup"' in done.content.decode()
    signup = SignUp.objects.get(volunteer=world.bob_volunteer)
    assert signup.status == SignUp.Status.CONFIRMED
    bob.post(f"/m/activities/signups/{signup.pk}/cancel/")
    signup.refresh_from_db()
    assert signup.status == SignUp.Status.CANCELLED


def test_outsider_cannot_sign_up_or_cancel_from_the_phone(world, upcoming):
    pid = upcoming.positions.get(name="理发师").pk
    signup = signups.signup_create(actor=world.bob, position_id=pid, risk_acknowledged=True)
    charlie = client_of(world.charlie)
    assert charlie.post(f"/m/activities/positions/{pid}/signup/").status_code in (302, 404)
    assert charlie.post(f"/m/activities/signups/{signup.pk}/cancel/").status_code == 404
    assert not SignUp.objects.filter(volunteer__user=world.charlie).exists()
    signup.refresh_from_db()
    assert signup.status == SignUp.Status.CONFIRMED


# --- creating from the desk -------------------------------------------------------------------


def form_data(world, **overrides):
    start = timezone.localtime(timezone.now() + timedelta(days=5)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    data = {
        "title": "为老义剪",
        "category": "elderly",
        "description": "为老人理发",
        "venue": "A社区党群服务中心",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "organiser_unit": world.a["community"].pk,
        "person_in_charge": "王主任",
        "scope": "unit",
        "cancel_cutoff_hours": 24,
        "positions-TOTAL_FORMS": 3,
        "positions-INITIAL_FORMS": 0,
        "positions-MIN_NUM_FORMS": 1,
        "positions-MAX_NUM_FORMS": 20,
        "positions-0-name": "理发师",
        "positions-0-quota": 3,
    }
    data.update(overrides)
    return data


def test_social_worker_creates_and_publishes_an_activity_from_the_desk(world):
    alice = client_of(world.alice)
    assert alice.get("/desk/activities/new/").status_code == 200
    response = alice.post("/desk/activities/new/", form_data(world))
    assert response.status_code == 302
    made = Activity.objects.get()
    assert made.status == "draft" and made.positions.get().quota == 3
    alice.post(f"/desk/activities/{made.pk}/publish/")
    made.refresh_from_db()
    assert made.status == "published"


def test_desk_form_shows_rule_errors_on_their_fields(world):
    alice = client_of(world.alice)
    hazardous = alice.post(
        "/desk/activities/new/",
        form_data(world, **{"positions-0-hazardous": "on", "positions-0-min_age": 16}),
    )
    assert hazardous.status_code == 400 and "未成年人" in hazardous.content.decode()
    too_many = alice.post(
        "/desk/activities/new/", form_data(world, repeat="weekly", repeat_count=500)
    )
    assert too_many.status_code == 400 and "超过上限200次" in too_many.content.decode()


def test_desk_form_creates_a_weekly_series(world):
    response = client_of(world.alice).post(
        "/desk/activities/new/", form_data(world, repeat="weekly", repeat_count=4)
    )
    assert response.status_code == 302
    assert (
        Activity.objects.count() == 4 and Activity.objects.values("series").distinct().count() == 1
    )


def test_outsider_unit_is_not_offered_and_volunteers_cannot_create(world):
    charlie = client_of(world.charlie)
    refused = charlie.post("/desk/activities/new/", form_data(world))
    assert refused.status_code == 400  # community A is not among Charlie's choices
    assert client_of(world.bob).get("/desk/activities/new/").status_code in (302, 403)


def test_desk_records_insurance_for_a_hazardous_position_which_confirms_the_sign_up(world):
    act = activity(
        world.alice,
        world.a["community"],
        risk_statement="登高作业",
        positions=[PositionSpec(name="高空清洁", quota=2, hazardous=True)],
    )
    s = signups.signup_create(
        actor=world.bob, position_id=act.positions.get().pk, risk_acknowledged=True, now=NOW
    )
    assert s.status == SignUp.Status.PENDING
    alice = client_of(world.alice)
    assert 'data-testid="insurance"' in alice.get(f"/desk/activities/{act.pk}/").content.decode()
    data = {
        "insurer": "人保财险",
        "policy_no": "PA001",
        "valid_from": "2026-01-01",
        "valid_to": "2026-12-31",
    }
    outsider = client_of(world.charlie).post(
        f"/desk/activities/{act.pk}/signups/{s.pk}/insurance/", data
    )
    assert outsider.status_code == 404
    bad = alice.post(
        f"/desk/activities/{act.pk}/signups/{s.pk}/insurance/",
        {**data, "valid_to": "nonsense"},
        follow=True,
    )
    assert "到期日期" in bad.content.decode()
    alice.post(f"/desk/activities/{act.pk}/signups/{s.pk}/insurance/", data)
    s.refresh_from_db()
    assert s.status == SignUp.Status.CONFIRMED and s.insurance.policy_no == "PA001"
