"""The resident's wanted time, helper gender and home-visit flag: validated, kept, and honoured by
the dispatch screen."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from shezhi.core.errors import Conflict, InvalidInput
from shezhi.needs import selectors, services
from shezhi.needs.tests.factories import NeedFactory
from shezhi.volunteers.models import Availability


def create(world, **kw):
    return services.need_create(
        actor=world.alice,
        category="repair",
        urgency="general",
        description="热水器坏了",
        resident_id=world.dora_resident.pk,
        **kw,
    )


def next_weekday_at(weekday: int, hour: int):
    """A local datetime on the coming given weekday (0 = Monday), at least a day ahead."""
    day = timezone.localdate() + timedelta(days=1)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return timezone.make_aware(timezone.datetime.combine(day, time(hour)))


@pytest.mark.parametrize(
    ("offsets", "field", "message"),
    [
        ((2, None), "wanted_until", "请同时填写"),
        ((None, 2), "wanted_from", "请同时填写"),
        ((3, 2), "wanted_until", "应晚于开始时间"),
        ((2, 2 + 24 * 8), "wanted_until", "不能超过7天"),
        ((-5, -3), "wanted_until", "已经过去"),
    ],
)
def test_bad_wanted_time_is_refused_with_the_field(world, offsets, field, message):
    now = timezone.now()
    start, end = (None if h is None else now + timedelta(hours=h) for h in offsets)
    with pytest.raises(InvalidInput) as exc:
        create(world, wanted_from=start, wanted_until=end)
    assert exc.value.field == field and message in exc.value.message


def test_unknown_helper_gender_is_refused(world):
    with pytest.raises(InvalidInput) as exc:
        create(world, helper_gender="X")
    assert exc.value.field == "helper_gender"


def test_preferences_are_kept_and_described(world):
    start = next_weekday_at(1, 9)
    need = create(
        world,
        wanted_from=start,
        wanted_until=start + timedelta(hours=2),
        helper_gender="F",
        home_visit=False,
    )
    need.refresh_from_db()
    assert (need.wanted_until - need.wanted_from) == timedelta(hours=2)
    assert need.helper_gender == "F" and need.home_visit is False
    label = need.preferences_label
    assert f"{timezone.localtime(start):%m-%d} 09:00–11:00" in label
    assert "服务者性别：女" in label and "非上门服务" in label


def test_a_volunteer_of_the_other_gender_is_not_recommended(world):
    need = create(world, helper_gender="F")
    rows = selectors.dispatch_candidates(actor=world.alice, need=need)
    bob = next(r for r in rows if r.candidate.key == ("volunteer", world.bob_volunteer.pk))
    assert not bob.recommended and "不符合居民偏好" in bob.explanation


def test_a_volunteer_busy_at_the_wanted_time_is_not_recommended(world):
    bob = world.bob_volunteer
    Availability.objects.create(volunteer=bob, weekday=5, start=time(9), end=time(12))
    start = next_weekday_at(1, 14)  # a Tuesday afternoon; Bob is free on Saturday mornings only
    need = create(world, wanted_from=start, wanted_until=start + timedelta(hours=2))
    row = next(
        r
        for r in selectors.dispatch_candidates(actor=world.alice, need=need)
        if r.candidate.key == ("volunteer", bob.pk)
    )
    assert not row.recommended and "时段无空" in row.explanation
    saturday = next_weekday_at(5, 10)
    services.need_update(
        actor=world.alice,
        need_id=need.pk,
        expected_version=need.version,
        wanted_from=saturday,
        wanted_until=saturday + timedelta(hours=1),
    )
    need.refresh_from_db()
    row = next(
        r
        for r in selectors.dispatch_candidates(actor=world.alice, need=need)
        if r.candidate.key == ("volunteer", bob.pk)
    )
    assert row.recommended


def test_editing_other_fields_keeps_a_past_window(world):
    """An old need whose wanted time has passed can still be edited otherwise."""
    past = timezone.now() - timedelta(days=3)
    need = NeedFactory(
        created_by=world.alice,
        resident=world.dora_resident,
        wanted_from=past,
        wanted_until=past + timedelta(hours=1),
    )
    services.need_update(
        actor=world.alice, need_id=need.pk, expected_version=need.version, title="新标题"
    )
    need.refresh_from_db()
    assert need.title == "新标题" and need.wanted_from is not None
    with pytest.raises(Conflict):
        services.need_update(actor=world.alice, need_id=need.pk, expected_version=1, title="再改")
