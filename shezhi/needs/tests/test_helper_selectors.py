"""helper_orders() and need_contact_for_taker(): what a helper is offered and may see."""

from shezhi.core.models import AuditEvent
from shezhi.needs import selectors, services


def order(world, phone="13812345678"):
    return services.need_create(
        actor=world.dora,
        category="repair",
        urgency="general",
        description="空调不制冷",
        contact_phone=phone,
    )


def dispatch(world, need, kind, target_id=None):
    return services.need_dispatch(
        actor=world.alice, need_id=need.pk, target_kind=kind, target_id=target_id
    )


def test_offered_orders_are_those_dispatched_to_me_my_team_or_my_pool(world):
    mine = dispatch(world, order(world), "volunteer", world.bob_volunteer.pk)
    team = dispatch(world, order(world), "team", world.team.pk)
    pool = dispatch(world, order(world), "pool")
    order(world)  # still pending: offered to nobody

    bob = selectors.helper_orders(actor=world.bob)
    assert {n.pk for n in bob.offered} == {mine.pk, pool.pk}
    erin = selectors.helper_orders(actor=world.erin)
    assert {n.pk for n in erin.offered} == {team.pk, pool.pk}
    assert bob.taken == [] and erin.taken == []


def test_taken_orders_leave_the_offer_list(world):
    need = dispatch(world, order(world), "pool")
    services.need_accept(actor=world.erin, need_id=need.pk)
    erin = selectors.helper_orders(actor=world.erin)
    assert [n.pk for n in erin.taken] == [need.pk] and erin.offered == []
    assert selectors.helper_orders(actor=world.bob).offered == []


def test_outsider_is_offered_nothing(world):
    dispatch(world, order(world), "pool")
    charlie = selectors.helper_orders(actor=world.charlie)
    assert charlie.offered == [] and charlie.taken == []


def test_only_the_taker_sees_the_full_phone_and_that_read_is_audited(world):
    need = dispatch(world, order(world), "volunteer", world.bob_volunteer.pk)
    before = selectors.need_contact_for_taker(actor=world.bob, need=need)
    assert before.phone == "138****5678" and not before.revealed

    services.need_accept(actor=world.bob, need_id=need.pk)
    need = selectors.need_get(actor=world.bob, need_id=need.pk)
    contact = selectors.need_contact_for_taker(actor=world.bob, need=need)
    assert contact.phone == "13812345678" and contact.revealed
    assert contact.address == need.address
    event = AuditEvent.objects.get(action=AuditEvent.Action.READ_UNMASKED, object_id=str(need.pk))
    assert event.actor == world.bob

    other = selectors.need_contact_for_taker(actor=world.erin, need=need)
    assert other.phone == "138****5678" and not other.revealed
    charlie = selectors.need_contact_for_taker(actor=world.charlie, need=need)
    assert not charlie.revealed and "13812345678" not in charlie.phone
    assert AuditEvent.objects.filter(action=AuditEvent.Action.READ_UNMASKED).count() == 1


def test_phone_is_masked_again_once_the_order_is_done(world):
    need = dispatch(world, order(world), "volunteer", world.bob_volunteer.pk)
    services.need_accept(actor=world.bob, need_id=need.pk)
    need = services.need_complete(actor=world.bob, need_id=need.pk, minutes=30, note="已修好")
    assert not selectors.need_contact_for_taker(actor=world.bob, need=need).revealed
