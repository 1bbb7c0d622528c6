"""The volunteer's phone pages (issue 11): joined positions, the 签退 confirmation, first-person
wording, booked times on order cards, local times in messages, one's own ID number masked."""

from datetime import UTC, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shezhi.activities import attendance as checkins
from shezhi.activities import selectors, signups
from shezhi.activities import services as activity_services
from shezhi.activities.models import Attendance, SignUp
from shezhi.activities.services import PositionSpec
from shezhi.core.errors import Conflict, InvalidInput, NotFound
from shezhi.needs import services as need_services
from shezhi.volunteers import teams
from shezhi.volunteers.tests.factories import VolunteerFactory, add_member


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def future_activity(world, *, quota=2, starts_in=timedelta(days=3), scope="unit"):
    now = timezone.now()
    made_at = min(now, now + starts_in - timedelta(days=1))  # an activity may have started
    made = activity_services.activity_create(
        actor=world.alice,
        now=made_at,
        spec=activity_services.ActivitySpec(
            title="为老义剪",
            category="elderly",
            description="为社区老人免费理发",
            venue="A社区党群服务中心",
            starts_at=now + starts_in,
            ends_at=now + starts_in + timedelta(hours=2),
            person_in_charge="王主任",
            positions=[
                PositionSpec(name="理发师", quota=quota),
                PositionSpec(name="引导员", quota=5),
            ],
            organiser_unit_id=world.a["community"].pk,
            scope=scope,
        ),
    )
    return activity_services.activity_publish(actor=world.alice, activity_id=made.pk, now=made_at)


def checked_in(world, act, *, minutes_ago):
    """Bob signed up and checked in `minutes_ago` (the organiser's check-in, moved back)."""
    signup = signups.signup_create(
        actor=world.bob,
        position_id=act.positions.first().pk,
        now=act.starts_at - timedelta(days=1),
    )
    checkins.checkin_manual(actor=world.alice, signup_id=signup.pk, reason="忘带手机")
    Attendance.objects.filter(signup=signup).update(
        checked_in_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return signup


# --- open positions: joined, full, waiting --------------------------------------------------


def test_a_joined_position_shows_joined_and_cancel_instead_of_sign_up(world):
    act = future_activity(world)
    bob = client_of(world.bob)
    page = text(bob.get("/m/activities/"))
    assert page.count('data-testid="sign-up"') == 2
    response = bob.post(f"/m/activities/positions/{act.positions.first().pk}/signup/", follow=True)
    page = text(response)
    assert 'data-testid="joined"' in page and "已报名" in page and "取消报名" in page
    assert 'data-testid="joined-other"' in page  # the other position of the same activity
    assert 'data-testid="sign-up"' not in page
    signup = SignUp.objects.get(volunteer=world.bob_volunteer)
    assert f"/m/activities/signups/{signup.pk}/cancel/" in page
    bob.post(f"/m/activities/signups/{signup.pk}/cancel/")
    assert text(bob.get("/m/activities/")).count('data-testid="sign-up"') == 2


def test_a_full_position_offers_the_waiting_list_with_its_length(world):
    act = future_activity(world, quota=1)
    position = act.positions.first()
    signups.signup_create(actor=world.erin, position_id=position.pk)
    other = VolunteerFactory(community=world.a["community"])
    signups.signup_create(actor=other.user, position_id=position.pk)  # waiting
    rows = {o.position.pk: o for o in selectors.open_positions(actor=world.bob)}
    assert rows[position.pk].full and rows[position.pk].waiting == 1
    assert not rows[position.pk].joined
    page = text(client_of(world.bob).get("/m/activities/"))
    assert "加入候补" in page and "1 人候补" in page
    mine = {o.position.pk: o for o in selectors.open_positions(actor=other.user)}
    assert mine[position.pk].joined and mine[position.pk].my_status == "waitlisted"
    assert "已加入候补" in text(client_of(other.user).get("/m/activities/"))


def test_outsider_sees_no_position_of_another_community(world):
    future_activity(world)
    outsider = VolunteerFactory(community=world.b["community"]).user
    assert selectors.open_positions(actor=outsider) == []
    assert 'data-testid="open-position"' not in text(client_of(outsider).get("/m/activities/"))


def test_team_scoped_positions_reach_team_members_only(world):
    now = timezone.now()
    made = activity_services.activity_create(
        actor=world.alice,
        now=now,
        spec=activity_services.ActivitySpec(
            title="维修队活动",
            category="elderly",
            description="上门维修",
            venue="A社区",
            starts_at=now + timedelta(days=2),
            ends_at=now + timedelta(days=2, hours=1),
            person_in_charge="王主任",
            positions=[PositionSpec(name="维修", quota=2)],
            organiser_unit_id=world.a["community"].pk,
            scope="team",
            scope_team_id=world.team.pk,
        ),
    )
    activity_services.activity_publish(actor=world.alice, activity_id=made.pk, now=now)
    assert [o.position.activity.title for o in selectors.open_positions(actor=world.erin)] == [
        "维修队活动"
    ]
    assert selectors.open_positions(actor=world.bob) == []


# --- first-person wording -------------------------------------------------------------------


def test_the_volunteer_is_spoken_to_about_themself(world):
    act = future_activity(world)
    signups.signup_create(actor=world.bob, position_id=act.positions.first().pk)
    with pytest.raises(Conflict) as exc:
        signups.signup_create(actor=world.bob, position_id=act.positions.last().pk)
    assert exc.value.message == "您已报名该活动"
    page = text(
        client_of(world.bob).post(
            f"/m/activities/positions/{act.positions.last().pk}/signup/", follow=True
        )
    )
    assert "您已报名该活动" in page and world.bob_volunteer.name not in page.split("</header>")[1]


def test_a_leader_signing_a_member_up_names_the_member(world):
    act = future_activity(world)
    add_member(world.team, world.bob_volunteer)
    signups.signup_create(actor=world.bob, position_id=act.positions.first().pk)
    outcomes = signups.signup_bulk(
        actor=world.erin,
        position_id=act.positions.first().pk,
        volunteer_ids=[world.bob_volunteer.pk],
    )
    assert outcomes[0].error == f"{world.bob_volunteer.name}已报名该活动"


def test_team_messages_speak_to_the_member_themself(world):
    with pytest.raises(NotFound) as missing:
        teams.team_leave(actor=world.bob, team_id=world.team.pk)
    assert missing.value.message == "您不是本队队员"


# --- 签退 in two steps -----------------------------------------------------------------------


def test_check_out_right_after_check_in_is_refused_with_a_clear_message(world):
    act = future_activity(world, starts_in=timedelta(minutes=-30))
    checked_in(world, act, minutes_ago=2)
    with pytest.raises(Conflict) as exc:
        checkins.checkout(actor=world.bob, activity_id=act.pk)
    assert exc.value.code == "checkout_too_soon" and "分钟后才能签退" in exc.value.message
    assert Attendance.objects.get(activity=act).checked_out_at is None
    page = text(client_of(world.bob).get(f"/m/activities/{act.pk}/checkout/"))
    assert 'data-testid="too-soon"' in page and 'data-testid="checkout-confirm-button"' not in page


def test_check_out_confirmation_says_how_long_and_only_the_confirmed_post_checks_out(world):
    act = future_activity(world, starts_in=timedelta(minutes=-90))
    checked_in(world, act, minutes_ago=80)
    bob = client_of(world.bob)
    checkin_page = text(bob.get(f"/m/activities/{act.pk}/checkin/"))
    assert f'href="/m/activities/{act.pk}/checkout/"' in checkin_page  # a link, not a POST
    confirm = text(bob.get(f"/m/activities/{act.pk}/checkout/"))
    assert "已在岗 1 小时 20 分钟" in confirm
    assert "本次将记录服务时长 1.0 小时" in confirm or "本次将记录服务时长 1.5 小时" in confirm
    assert text(bob.post(f"/m/activities/{act.pk}/checkout/")).count("checkout-confirm-button")
    assert Attendance.objects.get(activity=act).checked_out_at is None
    done = bob.post(f"/m/activities/{act.pk}/checkout/", {"confirm": "1"}, follow=True)
    attendance = Attendance.objects.get(activity=act)
    assert attendance.checked_out_at is not None and attendance.minutes >= 80
    local = timezone.localtime(attendance.checked_out_at)
    assert f"签退成功：{local:%H:%M}" in text(done)


def test_check_out_before_the_start_warns_of_zero_hours(world):
    act = future_activity(world, starts_in=timedelta(minutes=40))
    checked_in(world, act, minutes_ago=15)
    preview = checkins.checkout_preview(actor=world.bob, activity_id=act.pk)
    assert preview.minutes == 0 and not preview.too_soon
    page = text(client_of(world.bob).get(f"/m/activities/{act.pk}/checkout/"))
    assert 'data-testid="zero-hours"' in page


def test_outsider_gets_404_on_the_check_out_confirmation(world):
    act = future_activity(world, starts_in=timedelta(minutes=-30))
    outsider = VolunteerFactory(community=world.b["community"]).user
    assert client_of(outsider).get(f"/m/activities/{act.pk}/checkout/").status_code == 404


def test_check_out_preview_before_check_in_is_refused(world):
    act = future_activity(world, starts_in=timedelta(minutes=-30))
    with pytest.raises((Conflict, InvalidInput)) as exc:
        checkins.checkout_preview(actor=world.erin, activity_id=act.pk)
    assert "尚未签到" in exc.value.message


# --- local times ----------------------------------------------------------------------------


def test_the_check_in_message_shows_shanghai_time(world, settings):
    act = future_activity(world, starts_in=timedelta(minutes=20))
    signups.signup_create(actor=world.bob, position_id=act.positions.first().pk)
    token = checkins.checkin_token_issue(actor=world.alice, activity_id=act.pk)
    done = client_of(world.bob).post(f"/m/activities/{act.pk}/checkin/", {"t": token}, follow=True)
    attendance = Attendance.objects.get(activity=act)
    local = timezone.localtime(attendance.checked_in_at)
    utc = attendance.checked_in_at.astimezone(UTC)
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert f"签到成功：{local:%H:%M}" in text(done)
    assert f"签到成功：{utc:%H:%M}" not in text(done)


def test_order_cards_show_the_booked_time_plainly(world):
    tomorrow_8 = timezone.localtime().replace(hour=8, minute=0, second=0, microsecond=0)
    tomorrow_8 += timedelta(days=1)
    need = need_services.need_create(
        actor=world.dora,
        category="repair",
        urgency="general",
        description="热水器坏了",
        contact_phone="13812345678",
        wanted_from=tomorrow_8,
        wanted_until=tomorrow_8 + timedelta(hours=2),
    )
    need_services.need_dispatch(
        actor=world.alice,
        need_id=need.pk,
        target_kind="volunteer",
        target_id=world.bob_volunteer.pk,
    )
    bob = client_of(world.bob)
    cards = text(bob.get("/m/orders/"))
    assert "约定时间：明天上午 8:00 – 10:00" in cards
    assert "派给您" in cards and world.bob_volunteer.volunteer_no not in cards
    need_services.need_accept(actor=world.bob, need_id=need.pk)
    assert "约定时间：明天上午 8:00 – 10:00" in text(bob.get("/m/orders/"))
    detail = text(bob.get(f"/m/orders/{need.pk}/"))
    assert "明天上午 8:00 – 10:00" in detail
    assert client_of(world.charlie).get(f"/m/orders/{need.pk}/").status_code == 404


# --- one's own ID number ----------------------------------------------------------------------


def test_my_own_id_number_is_masked_on_my_page(world):
    page = text(client_of(world.bob).get("/m/me/"))
    assert world.bob_volunteer.id_number not in page
    assert world.bob_volunteer.masked_id_number in page
