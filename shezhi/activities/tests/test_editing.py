"""The organiser edits an activity before it starts: fields, positions, the waiting list."""

from datetime import timedelta

import pytest

from shezhi.activities.editing import PositionEdit, activity_update
from shezhi.activities.models import Position, SignUp
from shezhi.activities.services import PositionSpec
from shezhi.activities.tests.factories import END, NOW, START, activity, sign_up
from shezhi.core.errors import Conflict, Forbidden, InvalidInput, NotFound


@pytest.fixture
def act(world):
    return activity(world.alice, world.a["community"], positions=[PositionSpec(name="甲", quota=1)])


def edit(actor, act, positions=None, now=NOW, **fields):
    base = {
        "title": act.title,
        "description": act.description,
        "venue": act.venue,
        "starts_at": act.starts_at,
        "ends_at": act.ends_at,
    }
    base.update(fields)
    if positions is None:
        positions = [PositionEdit(id=p.pk, name=p.name, quota=p.quota) for p in act.positions.all()]
    return activity_update(actor=actor, activity_id=act.pk, positions=positions, now=now, **base)


def test_organiser_changes_the_fields_and_adds_a_position(world, act):
    p = act.positions.get()
    edit(
        world.alice,
        act,
        title="为老义剪（改期）",
        starts_at=START + timedelta(days=1),
        ends_at=END + timedelta(days=1),
        venue="B楼",
        positions=[
            PositionEdit(id=p.pk, name="理发", quota=2),
            PositionEdit(name="引导员", quota=3, duties="排队引导"),
        ],
    )
    act.refresh_from_db()
    assert (act.title, act.venue, act.starts_at) == (
        "为老义剪（改期）",
        "B楼",
        START + timedelta(days=1),
    )
    assert list(act.positions.values_list("name", "quota")) == [("理发", 2), ("引导员", 3)]


def test_a_larger_quota_promotes_the_waiting_list(world, act):
    sign_up(world.bob, act)
    waiting = sign_up(world.erin, act)
    assert waiting.status == SignUp.Status.WAITLISTED
    p = act.positions.get()
    edit(world.alice, act, positions=[PositionEdit(id=p.pk, name=p.name, quota=2)])
    waiting.refresh_from_db()
    assert waiting.status == SignUp.Status.CONFIRMED


def test_quota_never_below_the_places_taken(world, act):
    p = act.positions.get()
    edit(world.alice, act, positions=[PositionEdit(id=p.pk, name=p.name, quota=2)])
    sign_up(world.bob, act)
    sign_up(world.erin, act)
    with pytest.raises(Conflict, match="不能少于2"):
        edit(world.alice, act, positions=[PositionEdit(id=p.pk, name=p.name, quota=1)])


def test_a_position_with_sign_ups_is_not_deleted_nor_its_conditions_changed(world, act):
    p = act.positions.get()
    sign_up(world.bob, act)
    other = PositionEdit(name="新岗位", quota=1)
    with pytest.raises(Conflict, match="不能删除"):
        edit(
            world.alice,
            act,
            positions=[PositionEdit(id=p.pk, name=p.name, quota=1, delete=True), other],
        )
    with pytest.raises(Conflict, match="年龄要求"):
        edit(world.alice, act, positions=[PositionEdit(id=p.pk, name=p.name, quota=1, min_age=30)])


def test_an_empty_position_may_be_deleted(world):
    act = activity(
        world.alice,
        world.a["community"],
        positions=[PositionSpec(name="甲", quota=1), PositionSpec(name="乙", quota=1)],
    )
    a, b = act.positions.all()
    edit(
        world.alice,
        act,
        positions=[
            PositionEdit(id=a.pk, name="甲", quota=1),
            PositionEdit(id=b.pk, name="乙", quota=1, delete=True),
        ],
    )
    assert list(Position.objects.filter(activity=act).values_list("name", flat=True)) == ["甲"]


def test_the_rules_of_a_new_activity_apply(world, act):
    with pytest.raises(InvalidInput, match="结束时间应晚于开始时间"):
        edit(world.alice, act, ends_at=act.starts_at)
    p = act.positions.get()
    with pytest.raises(InvalidInput, match="至少设置一个岗位"):
        edit(world.alice, act, positions=[PositionEdit(id=p.pk, name=p.name, quota=1, delete=True)])
    with pytest.raises(InvalidInput, match="须如实告知风险"):
        edit(
            world.alice,
            act,
            positions=[PositionEdit(id=p.pk, name=p.name, quota=1, hazardous=True)],
        )


def test_an_activity_that_started_is_not_edited(world, act):
    with pytest.raises(Conflict, match="活动已开始"):
        edit(world.alice, act, now=START + timedelta(minutes=1))


def test_outsider_gets_not_found_and_volunteer_forbidden(world, act):
    with pytest.raises(NotFound):
        edit(world.charlie, act)
    with pytest.raises(Forbidden):
        edit(world.bob, act)


def test_a_position_of_another_activity_is_not_found(world, act):
    other = activity(world.alice, world.a["community"])
    foreign = other.positions.get()
    with pytest.raises(NotFound, match="岗位"):
        edit(world.alice, act, positions=[PositionEdit(id=foreign.pk, name="x", quota=1)])


def test_a_cancelled_activity_is_not_edited(world, act):
    from shezhi.activities.services import activity_cancel

    activity_cancel(actor=world.alice, activity_id=act.pk, reason="下雨", now=NOW)
    with pytest.raises(Conflict, match="草稿或招募中"):
        edit(world.alice, act)
