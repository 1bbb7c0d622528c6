"""One volunteer is never booked twice at once: a sign-up that clashes with another sign-up or an
accepted order is refused with a Chinese message naming what it clashes with and when."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shezhi.activities import signups
from shezhi.activities.models import SignUp
from shezhi.activities.tests.factories import END, START, activity, sign_up
from shezhi.core.errors import Conflict
from shezhi.needs import services as needs
from shezhi.needs.models import Need
from shezhi.needs.tests.test_trusted_hours import tomorrow_at


def test_sign_up_overlapping_another_sign_up_is_refused_with_its_name_and_time(world):
    sign_up(world.bob, activity(world.alice, world.a["community"], title="为老义剪"))
    clinic = activity(
        world.alice,
        world.a["community"],
        title="社区义诊",
        starts_at=START + timedelta(hours=1),
        ends_at=END + timedelta(hours=1),
    )
    with pytest.raises(Conflict) as exc:
        sign_up(world.bob, clinic)
    assert exc.value.code == "clash"
    assert "为老义剪" in exc.value.message and "11月20日 09:00–11:00" in exc.value.message
    assert not SignUp.objects.filter(activity=clinic).exists()
    # Another volunteer is free at that time.
    assert sign_up(world.erin, clinic).status == SignUp.Status.CONFIRMED


def test_back_to_back_activities_and_a_cancelled_sign_up_do_not_clash(world):
    first = sign_up(world.bob, activity(world.alice, world.a["community"], title="为老义剪"))
    after = activity(
        world.alice, world.a["community"], title="清扫", starts_at=END, ends_at=END + timedelta(1)
    )
    assert sign_up(world.bob, after).status == SignUp.Status.CONFIRMED
    same_time = activity(world.alice, world.a["community"], title="义诊")
    signups.signup_cancel(actor=world.bob, signup_id=first.pk, now=START - timedelta(days=2))
    assert sign_up(world.bob, same_time).status == SignUp.Status.CONFIRMED


def test_accepting_an_order_booked_during_a_signed_up_activity_is_refused(world):
    now = timezone.now()
    act = activity(
        world.alice,
        world.a["community"],
        title="周末义诊",
        starts_at=tomorrow_at(9),
        ends_at=tomorrow_at(11),
        now=now,
    )
    sign_up(world.bob, act, now=now)
    need = needs.need_create(
        actor=world.dora,
        category="repair",
        urgency="general",
        description="修灯",
        wanted_from=tomorrow_at(10),
        wanted_until=tomorrow_at(12),
    )
    needs.need_dispatch(
        actor=world.alice,
        need_id=need.pk,
        target_kind="volunteer",
        target_id=world.bob_volunteer.pk,
    )
    with pytest.raises(Conflict) as exc:
        needs.need_accept(actor=world.bob, need_id=need.pk)
    assert exc.value.code == "clash" and "周末义诊" in exc.value.message
    assert "09:00–11:00" in exc.value.message
    assert Need.objects.get(pk=need.pk).status == "dispatched"
    # Booked after the activity: fine.
    later = needs.need_create(
        actor=world.dora,
        category="repair",
        urgency="general",
        description="修门",
        wanted_from=tomorrow_at(11),
        wanted_until=tomorrow_at(12),
    )
    needs.need_dispatch(
        actor=world.alice,
        need_id=later.pk,
        target_kind="volunteer",
        target_id=world.bob_volunteer.pk,
    )
    assert needs.need_accept(actor=world.bob, need_id=later.pk).status == "accepted"


def test_sign_up_during_an_accepted_order_is_refused(world):
    now = timezone.now()
    day = timezone.localdate() + timedelta(days=2)
    nine = timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 9))
    need = needs.need_create(
        actor=world.dora,
        category="repair",
        urgency="general",
        description="修热水器",
        wanted_from=nine,
        wanted_until=nine + timedelta(hours=2),
    )
    needs.need_dispatch(
        actor=world.alice,
        need_id=need.pk,
        target_kind="volunteer",
        target_id=world.bob_volunteer.pk,
    )
    needs.need_accept(actor=world.bob, need_id=need.pk)
    act = activity(
        world.alice,
        world.a["community"],
        title="午间义诊",
        starts_at=nine + timedelta(hours=1),
        ends_at=nine + timedelta(hours=3),
        now=now,
    )
    with pytest.raises(Conflict) as exc:
        sign_up(world.bob, act, now=now)
    assert "已接的订单" in exc.value.message and "09:00–11:00" in exc.value.message


def test_team_leader_bulk_sign_up_reports_the_clash_for_that_member_only(world):
    from shezhi.volunteers.tests.factories import add_member

    add_member(world.team, world.bob_volunteer)
    sign_up(world.bob, activity(world.alice, world.a["community"], title="为老义剪"))
    other = activity(world.alice, world.a["community"], title="义诊")
    outcomes = signups.signup_bulk(
        actor=world.erin,
        position_id=other.positions.first().pk,
        volunteer_ids=[world.bob_volunteer.pk, world.erin_volunteer.pk],
        now=START - timedelta(days=3),
    )
    by_id = {o.volunteer_id: o for o in outcomes}
    assert "为老义剪" in by_id[world.bob_volunteer.pk].error
    assert by_id[world.erin_volunteer.pk].signup is not None
