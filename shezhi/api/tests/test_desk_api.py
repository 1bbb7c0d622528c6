"""The desk's rules through /api/v1: ledger sort, alert close (reason + confirm) and its case
link, the resident picker, the case team's client name, team leaders' activities."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shezhi.accounts.models import Role
from shezhi.activities.models import Activity
from shezhi.care.models import CareAlert
from shezhi.cases import services as case_services
from shezhi.cases.tests.factories import open_case
from shezhi.needs.models import UrgencyLevel
from shezhi.needs.tests.factories import NeedFactory
from shezhi.needs.workflow import Status
from shezhi.volunteers.tests.factories import TeamFactory, VolunteerFactory


def _need(world, title, *, urgency="general", due_in_hours=168, **kw):
    now = timezone.now()
    return NeedFactory(
        resident=world.dora_resident,
        created_by=world.alice,
        title=title,
        urgency=UrgencyLevel.objects.get(code=urgency),
        resolve_by=now + timedelta(hours=due_in_hours),
        respond_by=now + timedelta(hours=min(due_in_hours, 48)),
        **kw,
    )


@pytest.fixture
def four(world):
    urgent = UrgencyLevel.objects.order_by("sort_order").first().code
    return [
        _need(world, "例行"),
        _need(world, "明天到期", urgency=urgent, due_in_hours=24),
        _need(world, "已超期", due_in_hours=-2),
        _need(world, "已办结", due_in_hours=-100, status=Status.DONE),
    ]


@pytest.fixture
def alerts(world):
    r = world.dora_resident
    crisis = CareAlert.objects.create(
        kind=CareAlert.Kind.CRISIS, resident=r, community=r.community, grid=r.grid, summary="想不开"
    )
    return {"crisis": crisis}


@pytest.fixture
def case(world):
    return open_case(world.alice, world.dora_resident)


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


def _start():
    return timezone.localtime(timezone.now() + timedelta(days=5)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )


def test_api_alert_with_a_case_names_it(as_user, world, alerts):
    alert = alerts["crisis"]
    case = case_services.case_open_from_alert(
        actor=world.alice, alert_id=alert.pk, problem_type="mental_health", client_consent=True
    )
    items = as_user(world.alice).get("/care/alerts").json()
    row = next(i for i in items if i["id"] == alert.pk)
    assert row["case_id"] == case.pk and row["has_case"] is True


def test_api_ledger_sorted_and_bad_sort_is_400(as_user, world, four):
    api = as_user(world.alice)
    items = api.get("/needs", sort="deadline").json()["items"]
    assert [i["title"] for i in items][:2] == ["已超期", "明天到期"]
    default = api.get("/needs").json()["items"]
    assert default[0]["title"] == "已超期"
    bad = api.get("/needs", sort="bogus")
    assert bad.status_code == 400 and bad.json()["field"] == "sort"


def test_api_close_needs_reason_and_confirm(as_user, world, alerts):
    alert = alerts["crisis"]
    api = as_user(world.alice)
    assert api.post(f"/care/alerts/{alert.pk}/close", {"note": "已核实"}).status_code == 400
    refused = api.post(f"/care/alerts/{alert.pk}/close", {"note": "已核实", "confirm": False})
    assert refused.status_code == 400 and refused.json()["field"] == "confirm"
    assert (
        api.post(f"/care/alerts/{alert.pk}/close", {"note": "", "confirm": True}).status_code == 400
    )
    outsider = as_user(world.charlie)
    body = {"note": "x", "confirm": True}
    assert outsider.post(f"/care/alerts/{alert.pk}/close", body).status_code == 404
    ok = api.post(f"/care/alerts/{alert.pk}/close", {"note": "已核实", "confirm": True})
    assert ok.status_code == 200 and ok.json()["status"] == "closed"


def test_api_pick_is_scoped_and_masked(as_user, world):
    rows = as_user(world.alice).get("/residents/pick", q="朵").json()
    assert [r["id"] for r in rows] == [world.dora_resident.pk] and rows[0]["name"] != "朵拉"
    assert as_user(world.charlie).get("/residents/pick", q="朵").json() == []


def test_api_detail_gives_the_team_the_full_name_only(as_user, world, case):
    assert as_user(world.alice).get(f"/cases/{case.pk}").json()["case"]["client"] == "朵拉"
    sup = as_user(world.sam).get(f"/cases/{case.pk}").json()["case"]["client"]
    assert sup == world.dora_resident.masked_name


def api_body(world, **overrides):
    start = _start()
    body = {
        "title": "楼道清洁",
        "category": "environment",
        "description": "清理楼道杂物",
        "venue": "A小区3栋",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "person_in_charge": "艾琳",
        "team_id": world.team.pk,
        "scope": "team",
        "scope_team_id": world.team.pk,
        "positions": [{"name": "清扫", "quota": 4}, {"name": "搬运", "quota": 2}],
    }
    body.update(overrides)
    return body


def test_api_team_leader_creates_edits_and_cancels(as_user, world, leader, other_leader):
    api = as_user(leader)
    made = api.post("/activities", api_body(world))
    assert made.status_code == 201, made.content
    data = made.json()
    assert [p["name"] for p in data["positions"]] == ["清扫", "搬运"]
    aid = data["id"]
    start = _start()
    edit = {
        "title": "楼道清洁（改）",
        "description": "清理楼道杂物",
        "venue": "A小区3栋",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=3)).isoformat(),
        "positions": [
            {"id": p["id"], "name": p["name"], "quota": p["quota"]} for p in data["positions"]
        ]
        + [{"name": "登记", "quota": 1}],
    }
    assert as_user(other_leader).patch(f"/activities/{aid}", edit).status_code == 404
    edited = api.patch(f"/activities/{aid}", edit)
    assert edited.status_code == 200 and len(edited.json()["positions"]) == 3
    refused = as_user(other_leader).post(f"/activities/{aid}/cancel", {"reason": "x"})
    assert refused.status_code == 404
    cancelled = api.post(f"/activities/{aid}/cancel", {"reason": "天气原因"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


def test_api_leader_of_another_team_cannot_create_for_it(as_user, world, leader, other_leader):
    response = as_user(other_leader).post("/activities", api_body(world))
    assert response.status_code == 404 and not Activity.objects.exists()
    assert as_user(world.bob).post("/activities", api_body(world)).status_code == 404
    assert as_user(world.bob).post(
        "/activities", api_body(world, team_id=None, scope="unit", scope_team_id=None)
    ).status_code in (403, 404)
