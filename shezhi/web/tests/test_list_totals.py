"""Every list page shows its total (issue 15): the page carries `data-list-total`, the number grows
with the list, it is the count of the actor's scoped list (not of everyone's rows), and it spans
pages. The fixed query count of the same pages is checked in test_list_query_counts.py."""

import re

import pytest
from django.test import Client

from shezhi.needs.models import Need
from shezhi.org.models import OrgUnit
from shezhi.timebank.tests.factories import deposited
from shezhi.volunteers.tests.factories import VolunteerFactory
from shezhi.web.paging import page_of
from shezhi.web.tests.test_list_query_counts import PAGES, N, grow_my_needs, grow_residents

# Pages whose list is a piece of a larger page (a team's members in a tile, the import page's
# latest jobs, the bulk-dispatch plan) are not list pages with a total of their own.
NOT_COUNTED = {"m:team", "desk:team", "desk:imports", "desk:dispatch_bulk"}


def _grow_accounts(world, n):
    for _ in range(n):  # the desk's list is of accounts: a deposit for a new volunteer opens one
        deposited(world, volunteer=VolunteerFactory(community=world.a["community"]))


GROW = {"desk:timebank": _grow_accounts}
TOTAL = re.compile(r'data-list-total="(\d+)"')


def _totals(client: Client, url: str) -> list[int]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return [int(n) for n in TOTAL.findall(response.content.decode())]


@pytest.mark.parametrize("name", sorted(set(PAGES) - NOT_COUNTED))
def test_list_page_shows_a_total_that_grows_with_its_list(client, world, name):
    page = PAGES[name]
    grow = GROW.get(name, page.grow)
    client.force_login(page.user(world))
    grow(world, N)
    url = page.url(world)
    few = _totals(client, url)
    grow(world, 2 * N)
    many = _totals(client, url)
    assert few, f"{name}: the page shows no total"
    assert sum(many) > sum(few), f"{name}: the total did not grow ({few} → {many})"


def test_ledger_total_counts_only_the_actors_scope(client, world):
    grow_my_needs(world, 3)  # Dora lives in A: three needs in A's ledger
    client.force_login(world.alice)
    assert _totals(client, "/desk/needs/") == [Need.objects.count()] == [3]
    client.force_login(world.charlie)  # B's social worker: none of A's needs, not even their count
    assert _totals(client, "/desk/needs/") == [0]


def test_resident_list_total_is_the_whole_list_across_pages(client, world):
    grow_residents(world, 55)  # more than one page of 50
    client.force_login(world.alice)
    shown = _totals(client, "/desk/residents/")
    second = client.get("/desk/residents/?page=2").content.decode()
    assert shown == _totals(client, "/desk/residents/?page=2")
    assert shown[0] > 50
    assert "第 2 / 2 页" in second


@pytest.mark.django_db
def test_page_of_counts_the_whole_list_and_its_pages():
    units = OrgUnit.objects.order_by("id")
    total = units.count()
    first = page_of(units, 1, per_page=2)
    assert first.total == total
    assert first.pages == -(-total // 2) or total == 0
    last = page_of(units, first.pages, per_page=2)
    assert not last.has_next and last.total == total
    empty = page_of(OrgUnit.objects.none(), 1)
    assert (empty.total, empty.pages, empty.paged) == (0, 1, False)
    assert page_of(units, 1, total=999).total == 999  # a total counted already is not recounted
