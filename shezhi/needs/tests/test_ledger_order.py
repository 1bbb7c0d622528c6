"""The ledger is ordered by what needs attention by default, and sortable by a checked parameter."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shezhi.core.errors import InvalidInput
from shezhi.needs import selectors
from shezhi.needs.models import Need, UrgencyLevel
from shezhi.needs.selectors import LedgerFilter, LedgerSort
from shezhi.needs.tests.factories import NeedFactory
from shezhi.needs.workflow import Status


def _need(world, title, *, urgency="general", due_in_hours=168, created_ago_hours=0, **kw):
    now = timezone.now()
    need = NeedFactory(
        resident=world.dora_resident,
        created_by=world.alice,
        title=title,
        urgency=UrgencyLevel.objects.get(code=urgency),
        resolve_by=now + timedelta(hours=due_in_hours),
        respond_by=now + timedelta(hours=min(due_in_hours, 48)),
        **kw,
    )
    Need.objects.filter(pk=need.pk).update(created_at=now - timedelta(hours=created_ago_hours))
    return need


@pytest.fixture
def four(world):
    """Registered oldest first: routine (due in a week), urgent due tomorrow, overdue, closed."""
    urgent_code = UrgencyLevel.objects.order_by("sort_order").first().code
    return {
        "routine": _need(world, "例行", created_ago_hours=1),
        "tomorrow": _need(
            world, "明天到期", urgency=urgent_code, due_in_hours=24, created_ago_hours=5
        ),
        "overdue": _need(world, "已超期", due_in_hours=-2, created_ago_hours=50),
        "closed": _need(
            world, "已办结", due_in_hours=-100, created_ago_hours=200, status=Status.DONE
        ),
    }


def titles(world, sort=LedgerSort.ATTENTION):
    qs = selectors.ledger(actor=world.alice, filters=LedgerFilter(sort=sort))
    return [n.title for n in qs]


def test_default_order_puts_overdue_then_soonest_deadline_first(world, four):
    assert titles(world) == ["已超期", "明天到期", "例行", "已办结"]


def test_newest_sort_keeps_registration_order(world, four):
    assert titles(world, LedgerSort.NEWEST) == ["例行", "明天到期", "已超期", "已办结"]


def test_deadline_sort_lists_open_needs_by_deadline_before_closed(world, four):
    assert titles(world, LedgerSort.DEADLINE) == ["已超期", "明天到期", "例行", "已办结"]


def test_urgency_sort_puts_most_urgent_level_first(world, four):
    assert titles(world, LedgerSort.URGENCY)[0] == "明天到期"


def test_unknown_sort_is_refused_with_a_chinese_message():
    with pytest.raises(InvalidInput) as exc:
        selectors.ledger_sort_of("created_at; drop")
    assert exc.value.field == "sort" and "排序方式" in exc.value.message
    assert selectors.ledger_sort_of("") == LedgerSort.ATTENTION


def test_outsider_sees_none_of_them(world, four):
    qs = selectors.ledger(actor=world.charlie, filters=LedgerFilter())
    assert not qs.exists()


def test_desk_ledger_page_default_order_and_bad_sort(client, world, four):
    client.force_login(world.alice)
    body = client.get("/desk/needs/").content.decode()
    assert body.index("已超期") < body.index("明天到期") < body.index("例行")
    bad = client.get("/desk/needs/", {"sort": "bogus"})
    assert bad.status_code == 400
    assert "排序方式无效" in bad.content.decode()
    newest = client.get("/desk/needs/", {"sort": "newest"}).content.decode()
    assert newest.index("例行") < newest.index("已超期")


@pytest.mark.parametrize("sort", list(LedgerSort))
def test_ledger_page_query_count_does_not_grow(client, world, sort):
    client.force_login(world.alice)
    counts = []
    for n in (2, 12):
        while Need.objects.count() < n:
            _need(world, f"n{Need.objects.count()}")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/desk/needs/", {"sort": sort.value}).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1]
