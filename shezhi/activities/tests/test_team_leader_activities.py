"""Team leaders organise their team's activities on the desk pages and through the API (create
with several positions, edit, cancel); a leader of another team is refused; a plain volunteer gets
a Chinese refusal, not a bare 403."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shezhi.accounts.models import Role
from shezhi.activities.models import Activity
from shezhi.volunteers.tests.factories import TeamFactory, VolunteerFactory


def client_of(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _start():
    return timezone.localtime(timezone.now() + timedelta(days=5)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )


def form_data(**overrides):
    start = _start()
    data = {
        "title": "楼道清洁",
        "category": "environment",
        "description": "清理楼道杂物",
        "venue": "A小区3栋",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "person_in_charge": "艾琳",
        "scope": "team",
        "cancel_cutoff_hours": 24,
        "positions-TOTAL_FORMS": 4,
        "positions-INITIAL_FORMS": 0,
        "positions-MIN_NUM_FORMS": 1,
        "positions-MAX_NUM_FORMS": 20,
        "positions-0-name": "清扫",
        "positions-0-quota": 4,
        "positions-1-name": "搬运",
        "positions-1-quota": 2,
        "positions-2-name": "登记",
        "positions-2-quota": 1,
    }
    data.update(overrides)
    return data


@pytest.fixture
def leader(world):
    world.erin.role = Role.TEAM_LEADER
    world.erin.save(update_fields=["role"])
    return world.erin


@pytest.fixture
def other_leader(world):
    v = VolunteerFactory(community=world.b["community"], name="奥斯卡")
    v.user.role = Role.TEAM_LEADER
    v.user.save(update_fields=["role"])
    TeamFactory(community=world.b["community"], name="B队", leader=v)
    return v.user


def test_team_leader_opens_the_new_activity_page_for_their_team(world, leader):
    page = client_of(leader).get("/desk/activities/new/")
    assert page.status_code == 200
    html = page.content.decode()
    assert world.team.name in html and 'name="organiser_unit"' not in html
    assert 'data-formset-add="positions"' in html


def test_team_leader_creates_with_several_positions(world, leader):
    response = client_of(leader).post("/desk/activities/new/", form_data(team=world.team.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    act = Activity.objects.get()
    assert act.team == world.team and act.organiser_unit == world.a["community"]
    assert act.scope_team == world.team
    assert sorted(p.name for p in act.positions.all()) == ["搬运", "清扫", "登记"]


def test_first_position_is_required(world, leader):
    data = form_data(team=world.team.pk)
    for key in (
        "positions-0-name",
        "positions-0-quota",
        "positions-1-name",
        "positions-1-quota",
        "positions-2-name",
        "positions-2-quota",
    ):
        data.pop(key)
    response = client_of(leader).post("/desk/activities/new/", data)
    assert response.status_code == 400 and not Activity.objects.exists()


def test_staff_create_several_positions_too(world):
    data = form_data(organiser_unit=world.a["community"].pk, scope="unit")
    assert client_of(world.alice).post("/desk/activities/new/", data).status_code == 302
    assert Activity.objects.get().positions.count() == 3


def test_leader_of_another_team_is_refused(world, leader, other_leader):
    response = client_of(other_leader).post("/desk/activities/new/", form_data(team=world.team.pk))
    assert response.status_code == 400  # world.team is not among the choices
    assert not Activity.objects.exists()


def test_plain_volunteer_gets_a_chinese_refusal(world):
    response = client_of(world.bob).get("/desk/activities/new/")
    assert response.status_code == 403 and "服务队队长" in response.content.decode()


def test_team_leader_edits_and_cancels_on_the_desk(world, leader, other_leader):
    client_of(leader).post("/desk/activities/new/", form_data(team=world.team.pk))
    act = Activity.objects.get()
    positions = list(act.positions.order_by("id"))
    start = _start()
    edit = {
        "title": "楼道清洁（改）",
        "description": "清理楼道杂物",
        "venue": "A小区3栋",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "positions-TOTAL_FORMS": len(positions),
        "positions-INITIAL_FORMS": len(positions),
        "positions-MIN_NUM_FORMS": 0,
        "positions-MAX_NUM_FORMS": 20,
    }
    for i, p in enumerate(positions):
        edit |= {f"positions-{i}-id": p.pk, f"positions-{i}-name": p.name}
        edit |= {f"positions-{i}-quota": p.quota}
    assert client_of(other_leader).post(f"/desk/activities/{act.pk}/edit/", edit).status_code == 404
    assert client_of(leader).post(f"/desk/activities/{act.pk}/edit/", edit).status_code == 302
    act.refresh_from_db()
    assert act.title == "楼道清洁（改）"
    other = client_of(other_leader).post(f"/desk/activities/{act.pk}/cancel/", {"reason": "x"})
    assert other.status_code == 404
    client_of(leader).post(f"/desk/activities/{act.pk}/cancel/", {"reason": "天气原因"})
    act.refresh_from_db()
    assert act.status == "cancelled"


def test_venue_position_is_picked_from_the_org_tree_not_typed(world, leader):
    compound = world.a["compound"]
    html = client_of(leader).get("/desk/activities/new/").content.decode()
    assert 'name="latitude"' not in html and 'name="longitude"' not in html
    assert f'value="{compound.pk}"' in html
    assert f'value="{world.b["compound"].pk}"' not in html  # another community's compound
    data = form_data(team=world.team.pk, location=compound.pk, checkin_radius_m=200)
    assert client_of(leader).post("/desk/activities/new/", data).status_code == 302
    act = Activity.objects.get()
    assert (act.latitude, act.longitude) == (compound.latitude, compound.longitude)


def test_a_location_outside_the_choices_is_refused(world, leader):
    data = form_data(team=world.team.pk, location=world.b["compound"].pk)
    assert client_of(leader).post("/desk/activities/new/", data).status_code == 400
