"""Door-knocking campaigns: every household once, walking order, assignment, progress, scope."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shezhi.accounts.models import Role
from shezhi.accounts.tests.factories import UserFactory
from shezhi.care import campaigns, route, selectors
from shezhi.care.models import CampaignStop, CareAlert
from shezhi.care.tests.factories import register
from shezhi.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from shezhi.org.tests.factories import OrgUnitFactory
from shezhi.people.models import Household
from shezhi.people.tests.factories import ResidentFactory

NOW = datetime(2024, 7, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


# --- the pure route ---------------------------------------------------------------------


def test_route_goes_nearest_compound_first_then_door_by_door():
    stops = [
        route.Stop(1, 30.60, 114.30, "2栋1单元101"),
        route.Stop(2, 30.50, 114.30, "10栋1单元101"),
        route.Stop(3, 30.50, 114.30, "2栋3单元1201"),
        route.Stop(4, 30.50, 114.30, "2栋3单元301"),
        route.Stop(5, None, None, "不详"),
    ]
    assert route.order(stops, start=(30.49, 114.30)) == [4, 3, 2, 1, 5]


@given(
    st.lists(
        st.tuples(
            st.integers(0, 50),
            st.sampled_from([None, 30.5, 30.51, 30.6]),
            st.sampled_from(["1栋101", "2栋1单元502", "", "12栋"]),
        ),
        max_size=40,
    )
)
def test_route_visits_every_household_exactly_once(raw):
    stops = [route.Stop(k, lat, None if lat is None else 114.3, a) for k, lat, a in raw]
    ordered = route.order(stops)
    assert sorted(ordered) == sorted({k for k, _, _ in raw})


# --- campaigns in the database ----------------------------------------------------------


@pytest.fixture
def households(world):
    """Four registered residents in community A: two share a household, one has none, one
    lives in a second compound with its own grid (and its own grid worker)."""
    a = world.a
    far_compound = OrgUnitFactory(level=4, parent=a["community"], latitude=30.70, longitude=114.3)
    far_grid = OrgUnitFactory(level=5, parent=far_compound, name="远网格")
    far_worker = UserFactory(role=Role.GRID_WORKER, unit=far_grid)
    home = Household.objects.create(compound=a["compound"], address="3栋2单元501")
    spouse = ResidentFactory(grid=a["grid"], household=home, address="3栋2单元501")
    world.dora_resident.household = home
    world.dora_resident.save()
    lonely = ResidentFactory(grid=a["grid"], address="1栋1单元101")
    far = ResidentFactory(grid=far_grid)
    for r in (world.dora_resident, spouse, lonely, far):
        register(world.alice, r, "key")
    ResidentFactory(grid=a["grid"])  # not on the registry: not on the list
    return {"home": home, "lonely": lonely, "far": far, "far_worker": far_worker}


def test_campaign_lists_every_household_once_in_walking_order(world, households):
    campaign = campaigns.campaign_launch(
        actor=world.alice, unit_id=world.a["community"].pk, name="高温前敲门", reason="高温预警"
    )
    stops = list(campaign.stops.order_by("position"))
    assert len(stops) == 3
    assert [s.position for s in stops] == [1, 2, 3]
    assert sum(1 for s in stops if s.household == households["home"]) == 1
    near = [s.resident for s in stops[:2]]
    assert households["lonely"] in near and stops[2].resident == households["far"]
    assert stops[0].resident == households["lonely"]  # 1栋 before 3栋
    assert stops[0].assignee == world.gina and stops[2].assignee == households["far_worker"]


def test_a_grid_campaign_covers_only_that_grid(world, households):
    campaign = campaigns.campaign_launch(actor=world.alice, unit_id=world.a["grid"].pk, name="网格")
    assert campaign.stops.count() == 2


def test_a_team_can_take_a_grids_list(world, households):
    campaign = campaigns.campaign_launch(
        actor=world.alice,
        unit_id=world.a["community"].pk,
        name="志愿队敲门",
        teams_by_grid={world.a["grid"].pk: world.team.pk},
    )
    erin_stops = selectors.campaign_my_stops(actor=world.erin, campaign_id=campaign.pk)
    assert erin_stops.count() == 2 and all(s.assignee is None for s in erin_stops)
    stop = erin_stops.first()
    campaigns.campaign_stop_record(actor=world.erin, stop_id=stop.pk, outcome="visited")
    with pytest.raises(NotFound):
        campaigns.campaign_stop_record(actor=world.bob, stop_id=stop.pk, outcome="visited")


def test_only_social_workers_or_supervisors_launch_and_only_in_scope(world, households):
    with pytest.raises(Forbidden):
        campaigns.campaign_launch(actor=world.gina, unit_id=world.a["grid"].pk, name="x")
    with pytest.raises(NotFound):
        campaigns.campaign_launch(actor=world.charlie, unit_id=world.a["community"].pk, name="x")
    with pytest.raises(InvalidInput):
        campaigns.campaign_launch(actor=world.alice, unit_id=world.a["community"].pk, name=" ")
    with pytest.raises(InvalidInput):
        campaigns.campaign_launch(
            actor=world.sam,
            unit_id=world.a["community"].pk,
            name="x",
            teams_by_grid={world.a["grid"].pk: 999999},
        )


def test_progress_is_counted_per_outcome_and_grid(world, households):
    campaign = campaigns.campaign_launch(actor=world.sam, unit_id=world.a["community"].pk, name="x")
    mine = list(selectors.campaign_my_stops(actor=world.gina, campaign_id=campaign.pk))
    assert len(mine) == 2
    campaigns.campaign_stop_record(actor=world.gina, stop_id=mine[0].pk, outcome="not_home")
    campaigns.campaign_stop_record(
        actor=world.gina, stop_id=mine[1].pk, outcome="concern", note="老人说家里没米了", now=NOW
    )
    progress = selectors.campaign_progress(actor=world.alice, campaign_id=campaign.pk)
    assert progress.total == 3 and progress.done == 2
    assert progress.by_outcome["not_home"] == 1 and progress.by_outcome["concern"] == 1
    assert ("A网格", 2, 2) in progress.by_grid and ("远网格", 0, 1) in progress.by_grid
    assert CareAlert.objects.get(kind="crisis").source_type == "care.campaignstop"


def test_recording_a_door_checks_the_input_and_the_scope(world, households):
    campaign = campaigns.campaign_launch(
        actor=world.alice, unit_id=world.a["community"].pk, name="x"
    )
    far_stop = CampaignStop.objects.get(campaign=campaign, resident=households["far"])
    with pytest.raises(Forbidden):
        campaigns.campaign_stop_record(actor=world.gina, stop_id=far_stop.pk, outcome="visited")
    with pytest.raises(NotFound):
        campaigns.campaign_stop_record(actor=world.charlie, stop_id=far_stop.pk, outcome="visited")
    with pytest.raises(InvalidInput):
        campaigns.campaign_stop_record(actor=world.alice, stop_id=far_stop.pk, outcome="pending")
    with pytest.raises(InvalidInput):
        campaigns.campaign_stop_record(actor=world.alice, stop_id=far_stop.pk, outcome="concern")
    with pytest.raises(NotFound):
        selectors.campaign_progress(actor=world.charlie, campaign_id=campaign.pk)
    campaign.status = "closed"
    campaign.save()
    with pytest.raises(Conflict):
        campaigns.campaign_stop_record(actor=world.alice, stop_id=far_stop.pk, outcome="visited")


# --- audit finding 12: targeting, doors as visits, nobody home twice ----------------------


def test_a_campaign_can_target_vulnerability_tags_and_risk_levels(world, households):
    from shezhi.people.models import VulnerabilityTag

    alone = VulnerabilityTag.objects.get(code="living_alone")
    disabled = VulnerabilityTag.objects.get(code="disabled")
    households["lonely"].tags.add(alone)
    households["far"].tags.add(disabled)
    campaign = campaigns.campaign_launch(
        actor=world.alice,
        unit_id=world.a["community"].pk,
        name="独居与残障",
        tags=["living_alone", "disabled"],
    )
    assert {s.resident for s in campaign.stops.all()} == {households["lonely"], households["far"]}
    assert campaign.target_tags == ["disabled", "living_alone"]
    register(world.alice, households["far"], "high")
    high = campaigns.campaign_launch(
        actor=world.alice, unit_id=world.a["community"].pk, name="高风险", risk_levels=["high"]
    )
    assert [s.resident for s in high.stops.all()] == [households["far"]]
    with pytest.raises(InvalidInput):
        campaigns.campaign_launch(
            actor=world.alice, unit_id=world.a["community"].pk, name="x", tags=["nope"]
        )
    with pytest.raises(InvalidInput):
        campaigns.campaign_launch(
            actor=world.alice, unit_id=world.a["community"].pk, name="x", risk_levels=["max"]
        )
    with pytest.raises(NotFound):
        campaigns.campaign_launch(
            actor=world.charlie, unit_id=world.a["community"].pk, name="x", tags=["disabled"]
        )


def test_a_door_visited_is_a_visit_and_two_not_home_raise_the_alert(world, households):
    from shezhi.care.models import CareProfile, Visit

    lonely = households["lonely"]
    first = campaigns.campaign_launch(actor=world.alice, unit_id=world.a["grid"].pk, name="一")
    stop = first.stops.get(resident=lonely)
    campaigns.campaign_stop_record(actor=world.gina, stop_id=stop.pk, outcome="visited")
    profile = CareProfile.objects.get(resident=lonely)
    assert profile.last_seen_on is not None
    assert Visit.objects.filter(resident=lonely, contact_made=True).count() == 1
    # Re-recording the same door does not count a second visit.
    campaigns.campaign_stop_record(actor=world.gina, stop_id=stop.pk, outcome="visited")
    assert Visit.objects.filter(resident=lonely).count() == 1
    for n in ("二", "三"):
        c = campaigns.campaign_launch(actor=world.alice, unit_id=world.a["grid"].pk, name=n)
        door = c.stops.get(resident=lonely)
        campaigns.campaign_stop_record(actor=world.gina, stop_id=door.pk, outcome="not_home")
    assert CareAlert.objects.filter(kind="nobody_home_twice", resident=lonely).count() == 1
    assert Visit.objects.filter(resident=lonely, contact_made=False).count() == 2
