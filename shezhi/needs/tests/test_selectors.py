from datetime import timedelta

from django.utils import timezone

from shezhi.needs import services
from shezhi.needs.selectors import LedgerFilter, ledger, ledger_counts, needs_visible_to
from shezhi.needs.tests.factories import NeedFactory


def visible(user):
    return set(needs_visible_to(user).values_list("pk", flat=True))


def test_scope_per_role(world):
    mine = services.need_create(
        actor=world.dora, category="repair", urgency="general", description="门锁坏了"
    ).pk
    other = NeedFactory(resident=world.resident_b, created_by=world.charlie).pk
    assert visible(world.alice) == {mine}
    assert visible(world.charlie) == {other}
    assert visible(world.sam) == {mine}
    assert visible(world.gina) == {mine}
    assert visible(world.admin) == {mine, other}
    assert visible(world.dora) == {mine}
    assert visible(world.bob) == set()  # not offered to him yet
    services.need_dispatch(actor=world.alice, need_id=mine, target_kind="pool")
    assert visible(world.bob) == {mine}  # open in his community now
    assert visible(world.partner_user) == set()


def test_partner_sees_orders_dispatched_to_it(world):
    need = services.need_create(
        actor=world.alice, category="repair", urgency="general", description="空调不制冷"
    )
    services.need_dispatch(
        actor=world.alice, need_id=need.pk, target_kind="partner", target_id=world.partner.pk
    )
    assert visible(world.partner_user) == {need.pk}
    assert services.need_accept(actor=world.partner_user, need_id=need.pk).status == "accepted"


def test_overdue_filter_and_counts(world):
    fresh = NeedFactory(resident=world.dora_resident, created_by=world.alice)
    late = NeedFactory(
        resident=world.dora_resident,
        created_by=world.alice,
        respond_by=timezone.now() - timedelta(hours=1),
    )
    rows = ledger(actor=world.alice, filters=LedgerFilter(overdue=True))
    assert [n.pk for n in rows] == [late.pk]
    assert late.is_overdue() and not fresh.is_overdue()
    counts = ledger_counts(actor=world.alice)
    assert counts["pending"] == 2 and counts["overdue"] == 1 and counts["open"] == 2
    assert ledger_counts(actor=world.charlie)["pending"] == 0


def test_deadlines_follow_the_urgency(world):
    need = services.need_create(
        actor=world.dora, category="repair", urgency="immediate", description="水管爆了"
    )
    tolerance = timedelta(seconds=5)  # deadlines are set just before the row is saved
    assert abs(need.respond_by - need.created_at - timedelta(hours=2)) < tolerance
    assert abs(need.resolve_by - need.created_at - timedelta(hours=24)) < tolerance


def test_ledger_filters_by_status_category_and_text(world):
    a = services.need_create(
        actor=world.alice, category="repair", urgency="general", description="热水器维修"
    )
    services.need_create(
        actor=world.alice, category="meals", urgency="general", description="需要送餐"
    )
    services.need_dispatch(actor=world.alice, need_id=a.pk, target_kind="pool")

    def pks(**kw):
        return [n.pk for n in ledger(actor=world.alice, filters=LedgerFilter(**kw))]

    assert pks(status="dispatched") == [a.pk]
    assert pks(category="repair") == [a.pk]
    assert pks(query="热水器") == [a.pk]
