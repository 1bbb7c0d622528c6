"""iCalendar feeds: signed tokens (a tampered one is 404), what each feed holds, and events that
calendar programs accept (parsed back with the icalendar library)."""

from datetime import timedelta

import pytest
from django.test import Client
from icalendar import Calendar

from shezhi.activities import calendar, services, signups
from shezhi.activities.models import Activity
from shezhi.activities.services import PositionSpec
from shezhi.activities.tests.factories import END, NOW, START, activity, sign_up


def fetch(url_or_token: str):
    path = url_or_token.split("://", 1)[-1]
    path = path[path.index("/") :] if "/" in path else f"/calendar/{url_or_token}.ics"
    return Client().get(path)  # no session: calendar programs have none


def events(response) -> dict[str, object]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(response.content)
    return {str(e["summary"]): e for e in cal.walk("VEVENT")}


@pytest.fixture
def bobs(world):
    """Bob: confirmed at 义剪 (with coordinates), waiting at 义诊, was confirmed at a cancelled
    清扫; an activity he never signed up for."""
    cut = activity(world.alice, world.a["community"], latitude=31.2304, longitude=121.4737)
    sign_up(world.bob, cut)
    clinic = activity(
        world.alice,
        world.a["community"],
        title="义诊",
        positions=[PositionSpec("医生", 1)],
        starts_at=START + timedelta(days=1),
        ends_at=END + timedelta(days=1),
    )
    sign_up(world.erin, clinic)
    sign_up(world.bob, clinic)  # waiting list
    sweep = activity(  # another day: one volunteer is never booked twice at once
        world.alice,
        world.a["community"],
        title="清扫",
        starts_at=START + timedelta(days=2),
        ends_at=END + timedelta(days=2),
    )
    sign_up(world.bob, sweep)
    services.activity_cancel(actor=world.alice, activity_id=sweep.pk, reason="暴雨", now=NOW)
    activity(world.alice, world.a["community"], title="无关活动")
    return cut, clinic, sweep


def test_volunteer_feed_holds_confirmed_and_cancelled_activities(world, bobs):
    cut, clinic, sweep = bobs
    got = events(fetch(calendar.feed_url(calendar.VOLUNTEER, world.bob_volunteer.pk)))
    assert sorted(got) == ["为老义剪", "清扫"]
    assert got["清扫"]["status"] == "CANCELLED" and "暴雨" in got["清扫"]["description"]
    assert got["为老义剪"]["status"] == "CONFIRMED"
    assert str(got["为老义剪"]["uid"]) == f"activity-{cut.pk}@127.0.0.1"


def test_a_withdrawn_sign_up_leaves_the_feed(world, bobs):
    cut, _, _ = bobs
    url = calendar.feed_url(calendar.VOLUNTEER, world.bob_volunteer.pk)
    signup = cut.signups.get(volunteer=world.bob_volunteer)
    signups.signup_cancel(actor=world.bob, signup_id=signup.pk, now=NOW)
    assert sorted(events(fetch(url))) == ["清扫"]


def test_feed_of_a_volunteer_off_the_register_is_404(world, bobs):
    url = calendar.feed_url(calendar.VOLUNTEER, world.bob_volunteer.pk)
    world.bob_volunteer.is_active = False
    world.bob_volunteer.save(update_fields=["is_active"])
    assert fetch(url).status_code == 404


def test_events_carry_times_in_asia_shanghai_with_a_vtimezone(world, bobs):
    response = fetch(calendar.feed_url(calendar.VOLUNTEER, world.bob_volunteer.pk))
    cal = Calendar.from_ical(response.content)
    [tz] = cal.walk("VTIMEZONE")
    assert tz["tzid"] == "Asia/Shanghai"
    event = events(response)["为老义剪"]
    start, end = event["dtstart"], event["dtend"]
    assert start.params["TZID"] == "Asia/Shanghai" and end.params["TZID"] == "Asia/Shanghai"
    assert start.dt == START and start.dt.utcoffset() == timedelta(hours=8)
    assert (start.dt.hour, end.dt.hour) == (9, 11)
    assert event["dtstamp"].dt.utcoffset() == timedelta(0)
    assert "DTSTART;TZID=Asia/Shanghai:20261120T090000" in response.content.decode()


def test_geo_and_location_where_the_venue_has_coordinates(world, bobs):
    got = events(fetch(calendar.feed_url(calendar.VOLUNTEER, world.bob_volunteer.pk)))
    cut = got["为老义剪"]
    assert str(cut["location"]) == "A社区党群服务中心"
    assert (cut["geo"].latitude, cut["geo"].longitude) == (31.2304, 121.4737)
    assert "geo" not in got["清扫"]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # signature altered
        lambda t: "c" + t[1:],  # another feed, same signature
        lambda t: t.split(":")[0],  # unsigned
        lambda t: "garbage",
        lambda t: t + "x",
    ],
)
def test_tampered_token_is_404(world, bobs, tamper):
    token = calendar.feed_token(calendar.VOLUNTEER, world.bob_volunteer.pk)
    assert fetch(token).status_code == 200
    assert fetch(tamper(token)).status_code == 404


def test_token_of_another_purpose_is_refused(world):
    from django.core import signing

    forged = signing.Signer().sign(f"v{world.bob_volunteer.pk}")  # unsalted: not a feed token
    assert fetch(forged).status_code == 404
    community_token = calendar.feed_token(calendar.COMMUNITY, world.a["street"].pk)
    assert fetch(community_token).status_code == 404  # a street is not a community


def test_community_feed_holds_published_activities_of_and_for_the_community(world, bobs):
    activity(world.alice, world.a["community"], title="草稿活动", publish=False)
    activity(world.charlie, world.b["community"], title="B社区活动")
    street_wide = activity(
        world.sam,
        world.a["street"],
        title="街道活动",
        organiser_unit_id=world.a["street"].pk,
    )
    assert street_wide.scope_unit == world.a["street"]
    got = events(fetch(calendar.feed_url(calendar.COMMUNITY, world.a["community"].pk)))
    assert sorted(got) == ["为老义剪", "义诊", "无关活动", "清扫", "街道活动"]
    assert got["清扫"]["status"] == "CANCELLED"
    other = events(fetch(calendar.feed_url(calendar.COMMUNITY, world.b["community"].pk)))
    assert sorted(other) == ["B社区活动"]


def test_team_feed_holds_the_teams_activities(world, bobs):
    activity(
        world.alice,
        world.a["community"],
        title="维修队活动",
        scope=Activity.Scope.TEAM,
        scope_team_id=world.team.pk,
    )
    got = events(fetch(calendar.feed_url(calendar.TEAM, world.team.pk)))
    assert sorted(got) == ["维修队活动"]


def test_my_activities_page_shows_my_subscription_links(world, bobs):
    client = Client()
    client.force_login(world.erin)
    html = client.get("/m/activities/").content.decode()
    mine = calendar.feed_url(calendar.VOLUNTEER, world.erin_volunteer.pk)
    team = calendar.feed_url(calendar.TEAM, world.team.pk)
    assert 'data-testid="calendar-links"' in html
    assert f'value="{mine}"' in html and calendar.webcal(mine) in html and team in html
    assert calendar.webcal(mine).startswith("webcal://")
    bob_feed = calendar.feed_url(calendar.VOLUNTEER, world.bob_volunteer.pk)
    assert bob_feed not in html
    assert sorted(events(fetch(mine))) == ["义诊"]


def test_staff_without_volunteer_record_get_no_links(world):
    assert calendar.subscriptions_for(world.alice) == []


def test_team_page_shows_the_team_feed_to_members_and_staff_only(world):
    team_feed = calendar.feed_url(calendar.TEAM, world.team.pk)
    for user, path in ((world.erin, "/m/teams/"), (world.alice, "/desk/teams/")):
        client = Client()
        client.force_login(user)
        html = client.get(f"{path}{world.team.pk}/").content.decode()
        assert 'data-testid="team-calendar"' in html and f'value="{team_feed}"' in html
    outsider = Client()
    outsider.force_login(world.bob)  # not a member: may see the team to join it, not its feed
    response = outsider.get(f"/m/teams/{world.team.pk}/")
    assert team_feed not in response.content.decode()


def test_api_lists_my_subscriptions_and_they_serve_my_feed(world, bobs):
    client = Client()
    client.force_login(world.bob)
    body = client.get("/api/v1/calendars").json()
    assert [c["label"] for c in body] == ["我的志愿活动", "A社区的活动"]
    assert body[0]["webcal_url"].startswith("webcal://")
    assert sorted(events(fetch(body[0]["url"]))) == ["为老义剪", "清扫"]
    staff = Client()
    staff.force_login(world.alice)
    assert staff.get("/api/v1/calendars").json() == []


def test_staff_get_the_feeds_of_their_communities_on_the_desk(world, bobs):
    for user, expected in ((world.alice, ["A社区的活动"]), (world.sam, ["A社区的活动"])):
        assert [s.label for s in calendar.staff_subscriptions(user)] == expected
    client = Client()
    client.force_login(world.alice)
    html = client.get("/desk/activities/").content.decode()
    url = calendar.feed_url(calendar.COMMUNITY, world.a["community"].pk)
    assert f'value="{url}"' in html
    assert calendar.staff_subscriptions(world.bob) == []
    assert calendar.feed_url(calendar.COMMUNITY, world.b["community"].pk) not in html


def test_feed_asks_calendars_to_refresh_hourly(world, bobs):
    response = fetch(calendar.feed_url(calendar.VOLUNTEER, world.bob_volunteer.pk))
    cal = Calendar.from_ical(response.content)
    assert cal["refresh-interval"].dt == timedelta(hours=1)
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in response.content.decode()
