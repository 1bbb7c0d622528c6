from decimal import Decimal

import pytest

from shezhi.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from shezhi.core.models import AuditEvent
from shezhi.needs import services
from shezhi.needs.models import Need
from shezhi.needs.selectors import need_get
from shezhi.needs.workflow import Status
from shezhi.volunteers.models import ServiceRecord


def order_help(world, **kwargs) -> Need:
    return services.need_create(
        actor=world.dora,
        category="repair",
        urgency="immediate",
        description="热水器坏了，没有热水洗澡",
        **kwargs,
    )


def test_whole_loop_credits_hours_and_records_every_step(world):
    need = order_help(world)
    assert need.status == Status.PENDING and need.source == Need.Source.ONLINE
    assert need.community == world.a["community"]

    services.need_dispatch(
        actor=world.alice,
        need_id=need.pk,
        target_kind="volunteer",
        target_id=world.bob_volunteer.pk,
    )
    services.need_accept(actor=world.bob, need_id=need.pk)
    services.need_start(actor=world.bob, need_id=need.pk)
    need = services.need_complete(
        actor=world.bob, need_id=need.pk, minutes=100, note="更换了温控器，已恢复"
    )
    assert need.status == Status.DONE

    record = ServiceRecord.objects.get(volunteer=world.bob_volunteer)
    assert record.hours == Decimal("1.5")  # 1 h + 40 min remainder counts 0.5 h
    assert record.organiser == world.a["community"].name
    assert record.person_in_charge == str(world.alice)
    # The record leaves the platform (proofs, exports): category and a neutral description only.
    assert record.place == world.a["community"].name
    assert record.content == "为社区居民提供家电维修服务" and record.category == "家电维修"
    assert need.completion_note == "更换了温控器，已恢复"

    need = services.need_rate(actor=world.dora, need_id=need.pk, score=5, comment="很好")
    assert need.status == Status.RATED and not need.needs_review
    assert [t.to_status for t in need.transitions.all()] == [
        "pending",
        "dispatched",
        "accepted",
        "in_service",
        "done",
        "rated",
    ]
    assert AuditEvent.objects.filter(object_id=str(need.pk), object_type="needs.need").count() == 6


def test_low_rating_sends_need_back_for_review(world):
    need = order_help(world)
    services.need_dispatch(
        actor=world.alice,
        need_id=need.pk,
        target_kind="volunteer",
        target_id=world.bob_volunteer.pk,
    )
    services.need_accept(actor=world.bob, need_id=need.pk)
    services.need_complete(actor=world.bob, need_id=need.pk, minutes=30, note="看过了")
    need = services.need_rate(actor=world.dora, need_id=need.pk, score=2, comment="没修好")
    assert need.needs_review
    need = services.need_review(
        actor=world.alice, need_id=need.pk, reopen=True, note="重新安排维修"
    )
    assert need.status == Status.PENDING and not need.needs_review


def test_illegal_transition_is_refused_with_a_clear_message(world):
    need = order_help(world)
    with pytest.raises(Conflict, match="「待受理」，不能评价"):
        services.need_rate(actor=world.dora, need_id=need.pk, score=5)
    services.need_dispatch(
        actor=world.alice,
        need_id=need.pk,
        target_kind="volunteer",
        target_id=world.bob_volunteer.pk,
    )
    services.need_accept(actor=world.bob, need_id=need.pk)
    with pytest.raises(Conflict, match="「已接单」，不能接单"):
        services.need_accept(actor=world.bob, need_id=need.pk)


def test_reason_is_required_to_cancel_or_give_up(world):
    need = order_help(world)
    with pytest.raises(Conflict, match="须填写原因"):
        services.need_mark_unresolvable(actor=world.alice, need_id=need.pk, reason=" ")
    need = services.need_mark_unresolvable(
        actor=world.alice, need_id=need.pk, reason="超出服务范围"
    )
    assert need.status == Status.UNRESOLVABLE


def test_only_the_addressee_may_accept(world):
    need = order_help(world)
    services.need_dispatch(
        actor=world.alice,
        need_id=need.pk,
        target_kind="volunteer",
        target_id=world.bob_volunteer.pk,
    )
    with pytest.raises(NotFound):  # Erin is not offered this order, so it is not hers to see
        services.need_accept(actor=world.erin, need_id=need.pk)


def test_team_order_goes_to_the_first_member_who_accepts(world):
    need = order_help(world)
    services.need_dispatch(
        actor=world.alice, need_id=need.pk, target_kind="team", target_id=world.team.pk
    )
    need = services.need_accept(actor=world.erin, need_id=need.pk)
    assert need.accepted_by == world.erin


def test_stale_version_loses(world):
    need = order_help(world)
    services.need_update(
        actor=world.alice, need_id=need.pk, expected_version=need.version, title="热水器维修"
    )
    with pytest.raises(Conflict):
        services.need_update(
            actor=world.sam, need_id=need.pk, expected_version=need.version, title="别的标题"
        )
    assert Need.objects.get(pk=need.pk).title == "热水器维修"


def test_outsider_cannot_see_or_dispatch(world):
    need = order_help(world)
    with pytest.raises(NotFound):
        need_get(actor=world.charlie, need_id=need.pk)
    with pytest.raises(NotFound):
        services.need_dispatch(actor=world.charlie, need_id=need.pk, target_kind="pool")


def test_cannot_dispatch_to_a_volunteer_of_another_community(world):
    from shezhi.volunteers.tests.factories import VolunteerFactory

    stranger = VolunteerFactory(community=world.b["community"])
    need = order_help(world)
    with pytest.raises(NotFound):
        services.need_dispatch(
            actor=world.alice, need_id=need.pk, target_kind="volunteer", target_id=stranger.pk
        )


def test_bad_input_names_the_field(world):
    with pytest.raises(InvalidInput) as exc:
        services.need_create(actor=world.dora, category="nope", urgency="general", description="x")
    assert exc.value.field == "category"
    with pytest.raises(InvalidInput) as exc:
        services.need_create(actor=world.dora, category="repair", urgency="general", description="")
    assert exc.value.field == "description"
    assert Need.objects.count() == 0


def test_volunteer_cannot_dispatch(world):
    need = services.need_create(
        actor=world.alice, category="repair", urgency="general", description="楼道灯坏了"
    )
    services.need_dispatch(actor=world.alice, need_id=need.pk, target_kind="pool")
    with pytest.raises(Forbidden):
        services.need_dispatch(actor=world.bob, need_id=need.pk, target_kind="pool")


def test_over_long_text_is_refused_and_nothing_is_written(world):
    with pytest.raises(InvalidInput) as exc:
        services.need_create(
            actor=world.dora, category="repair", urgency="general", description="长" * 2001
        )
    assert exc.value.field == "description" and "2000" in exc.value.message
    assert Need.objects.count() == 0


def test_completion_minutes_must_be_sane(world):
    need = order_help(world)
    services.need_dispatch(
        actor=world.alice,
        need_id=need.pk,
        target_kind="volunteer",
        target_id=world.bob_volunteer.pk,
    )
    services.need_accept(actor=world.bob, need_id=need.pk)
    for bad in (0, -5, 24 * 60 + 1, "60"):
        with pytest.raises(InvalidInput) as exc:
            services.need_complete(actor=world.bob, need_id=need.pk, minutes=bad, note="好")
        assert exc.value.field == "minutes"
    assert ServiceRecord.objects.count() == 0


def test_declined_order_returns_to_the_ledger(world):
    need = order_help(world)
    services.need_dispatch(
        actor=world.alice,
        need_id=need.pk,
        target_kind="volunteer",
        target_id=world.bob_volunteer.pk,
    )
    need = services.need_return(actor=world.bob, need_id=need.pk, reason="这周出差")
    returned = need.transitions.get(action="return")
    assert (returned.from_status, returned.to_status) == (Status.DISPATCHED, Status.PENDING)
    assert returned.note == "这周出差"
    # the matching engine then offers it to the next best helper (see test_matching_adapter)
    assert need.assignee_volunteer_id != world.bob_volunteer.pk


def test_resident_can_cancel_only_before_acceptance(world):
    need = order_help(world)
    services.need_dispatch(
        actor=world.alice,
        need_id=need.pk,
        target_kind="volunteer",
        target_id=world.bob_volunteer.pk,
    )
    services.need_accept(actor=world.bob, need_id=need.pk)
    with pytest.raises(Conflict, match="已接单"):
        services.need_cancel(actor=world.dora, need_id=need.pk, reason="不需要了")
    assert (
        services.need_cancel(actor=world.alice, need_id=need.pk, reason="居民已自行解决").status
        == Status.CANCELLED
    )


def test_only_the_owner_rates(world):
    need = order_help(world)
    services.need_dispatch(
        actor=world.alice,
        need_id=need.pk,
        target_kind="volunteer",
        target_id=world.bob_volunteer.pk,
    )
    services.need_accept(actor=world.bob, need_id=need.pk)
    services.need_complete(actor=world.bob, need_id=need.pk, minutes=30, note="好了")
    with pytest.raises(Forbidden):
        services.need_rate(actor=world.alice, need_id=need.pk, score=5)
    with pytest.raises(InvalidInput):
        services.need_rate(actor=world.dora, need_id=need.pk, score=6)
