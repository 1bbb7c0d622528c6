"""Navigation grouped by task, built from the roles' rights, the current page marked; each role
starts on the page of its daily work."""

import re

import pytest
from django.test import Client

from shezhi.accounts.models import Role
from shezhi.accounts.tests.factories import UserFactory
from shezhi.web.navigation import nav_for, start_page


def client_of(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def names(user, path="/desk/"):
    return {e.url_name for g in nav_for(user, path) for e in g.entries}


def test_social_worker_nav_is_grouped_by_task(world):
    groups = [g.label for g in nav_for(world.alice, "/desk/")]
    assert groups == ["今日工作", "需求与派单", "志愿者", "关爱走访", "个案", "活动", "设置"]
    assert {"desk:dispatch_bulk", "cases:list", "care:today", "desk:imports"} <= names(world.alice)
    assert "cases:emergency" not in names(world.alice)


def test_grid_worker_sees_no_dispatch_cases_coverage_or_imports(world):
    got = names(world.gina)
    assert "care:today" in got
    assert not {"desk:dispatch_bulk", "cases:list", "care:coverage", "desk:imports"} & got


def test_admin_sees_emergency_access_but_not_the_case_list(world):
    got = names(world.admin)
    assert "cases:emergency" in got and "cases:list" not in got


def test_resident_and_volunteer_menus(world):
    assert names(world.dora, "/m/") == {
        "m:home",
        "m:my_needs",
        "timebank:mine",
        "activities:to_rate",
        "privacy:mine",
    }
    bob = names(world.bob, "/m/orders/")
    assert {"m:orders", "activities:mine"} <= bob and "desk:needs" not in bob
    leader = UserFactory(role=Role.TEAM_LEADER, unit=world.a["community"])
    assert "activities:desk_list" in names(leader, "/m/orders/")


def test_current_page_is_the_longest_matching_entry(world):
    current = [
        e.url_name for g in nav_for(world.alice, "/desk/needs/new/") for e in g.entries if e.current
    ]
    assert current == ["desk:need_new"]
    current = [
        e.url_name for g in nav_for(world.alice, "/desk/needs/12/") for e in g.entries if e.current
    ]
    assert current == ["desk:needs"]


def test_page_marks_the_current_entry_with_aria_current(world):
    html = client_of(world.alice).get("/desk/needs/").content.decode()
    marked = re.findall(r'<a href="([^"]+)"[^>]*aria-current="page"', html)
    assert marked == ["/desk/needs/"]
    assert 'aria-label="需求与派单"' in html and "nav-group-label" in html


@pytest.mark.parametrize(
    ("who", "target"),
    [
        ("gina", "care:today"),
        ("alice", "desk:home"),
        ("sam", "cases:list"),
        ("admin", "desk:home"),
        ("dora", "m:home"),
        ("bob", "m:orders"),
    ],
)
def test_start_page_per_role(world, who, target):
    assert start_page(getattr(world, who)) == target
