from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shezhi.accounts.models import Role
from shezhi.accounts.tests.factories import UserFactory
from shezhi.cases.tests.factories import open_case
from shezhi.figures.catalogue import FIGURES
from shezhi.needs.tests.factories import NeedFactory
from shezhi.volunteers.tests.factories import record


def _month() -> str:
    return timezone.localdate().strftime("%Y-%m")


def test_street_figures_with_definitions(world, as_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        record(
            world.alice,
            world.bob_volunteer,
            world.a["community"],
            service_date=timezone.localdate(),
        )
    r = as_user(world.sam).get("/figures", unit=world.a["street"].pk, kind="month", value=_month())
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["unit"]["name"] == world.a["street"].name
    assert body["period"]["value"] == _month()
    assert [v["code"] for v in body["values"]] == list(FIGURES)
    hours = next(v for v in body["values"] if v["code"] == "service_hours")
    assert hours["shown"] == "1" and hours["list_url"] == "/desk/records/"
    defs = {d["code"]: d for d in body["definitions"]}
    assert "有效" in defs["service_hours"]["definition"] and defs["service_hours"]["unit"] == "小时"


def test_outsiders_are_refused(world, as_user):
    r = as_user(world.charlie).get("/figures", unit=world.a["street"].pk)
    assert r.status_code == 404
    for outsider in (world.bob, world.dora, world.partner_user):
        assert as_user(outsider).get("/figures").status_code == 403
        assert as_user(outsider).get("/figures/catalogue").status_code == 403
    assert as_user().get("/figures").status_code == 401


def test_bad_input_is_a_clear_chinese_error(world, as_user):
    client = as_user(world.sam)
    r = client.get("/figures", kind="custom", start="2026-05-01", end="2026-04-01")
    assert r.status_code == 400 and r.json()["code"] == "bad_period"
    assert "早于开始日期" in r.json()["message"]
    r = client.get("/figures", kind="custom", start="2010-01-01", end="2026-04-01")
    assert r.status_code == 400 and "10年" in r.json()["message"]
    r = client.get("/figures", codes="nope")
    assert r.status_code == 400 and r.json()["code"] == "unknown_figure"
    r = client.get("/figures/teams/breakdown", by="urgency")
    assert r.status_code == 400 and r.json()["code"] == "unknown_breakdown"
    assert client.get("/figures", unit=999999).status_code == 404


def test_small_sensitive_counts_are_hidden_from_who_may_not_see_the_list(
    world, as_user, django_capture_on_commit_callbacks
):
    leader = UserFactory(role=Role.STREET_ADMIN, unit=world.a["street"])
    with django_capture_on_commit_callbacks(execute=True):
        open_case(world.alice, world.dora_resident)
    query = {"unit": world.a["street"].pk, "codes": "cases_opened"}
    (shown,) = as_user(leader).get("/figures", **query).json()["values"]
    assert (shown["value"], shown["shown"], shown["list_url"]) == (None, "<5", None)
    (seen,) = as_user(world.sam).get("/figures", **query).json()["values"]
    assert (seen["value"], seen["shown"]) == (1, "1")


def test_children_trend_and_breakdown(world, as_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        NeedFactory(resident=world.dora_resident, created_by=world.alice)
    client = as_user(world.admin)
    r = client.get("/figures/needs_received/children", unit=world.a["district"].pk)
    assert [(v["label"], v["value"]) for v in r.json()["values"]] == [(world.a["street"].name, 1)]
    r = client.get(
        "/figures/needs_received/trend",
        unit=world.a["street"].pk,
        kind="year",
        value=str(timezone.localdate().year),
    )
    assert len(r.json()["values"]) == 12
    assert r.json()["values"][timezone.localdate().month - 1]["value"] == 1
    r = client.get("/figures/needs_received/breakdown", unit=world.a["street"].pk, by="category")
    assert [(v["label"], v["value"]) for v in r.json()["values"]] == [("家电维修", 1)]


def test_query_count_does_not_grow_with_figures_or_units(world, as_user):
    client = as_user(world.admin)
    with CaptureQueriesContext(connection) as few:
        client.get("/figures", unit=world.a["district"].pk, codes="teams,volunteers_active")
    with CaptureQueriesContext(connection) as many:
        client.get("/figures", unit=world.a["district"].pk)
    assert len(few) == len(many)  # one query for sums and counts, one for distinct people
    with CaptureQueriesContext(connection) as one_level:
        client.get("/figures/needs_received/children", unit=world.a["street"].pk)
    with CaptureQueriesContext(connection) as top:
        client.get("/figures/needs_received/children", unit=world.a["district"].pk)
    assert len(one_level) == len(top)
