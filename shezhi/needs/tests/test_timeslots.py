"""Plain time choices → the wanted window (pure: no database)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from shezhi.needs import timeslots

SH = ZoneInfo("Asia/Shanghai")
MORNING = datetime(2026, 12, 3, 9, 30, tzinfo=SH)  # a Thursday
EVENING = datetime(2026, 12, 3, 19, 0, tzinfo=SH)


def hours(window) -> tuple:
    return window.start.date(), window.start.hour, window.end.hour


def test_quick_choices_map_to_morning_and_afternoon_windows():
    assert hours(timeslots.resolve("today_pm", now=MORNING)) == (date(2026, 12, 3), 14, 18)
    assert hours(timeslots.resolve("tomorrow_am", now=MORNING)) == (date(2026, 12, 4), 8, 12)
    assert timeslots.resolve("tomorrow_pm", now=MORNING).start.tzinfo is SH


def test_any_time_is_no_window():
    assert timeslots.resolve("any", now=MORNING) is None
    assert timeslots.resolve("", now=MORNING) is None


def test_a_window_already_over_is_refused():
    with pytest.raises(timeslots.SlotError) as exc:
        timeslots.resolve("today_am", now=EVENING)
    assert (exc.value.code, exc.value.field) == ("past", "when")
    with pytest.raises(timeslots.SlotError) as exc:
        timeslots.resolve("other", now=EVENING, day=date(2026, 12, 2), period="pm")
    assert (exc.value.code, exc.value.field) == ("past", "other_day")


def test_a_window_under_way_is_still_accepted():
    # 9:30 and 今天上午 (8–12): someone can still come.
    assert hours(timeslots.resolve("today_am", now=MORNING)) == (date(2026, 12, 3), 8, 12)


def test_other_time_needs_a_day_and_a_period_within_seven_days():
    window = timeslots.resolve("other", now=MORNING, day=date(2026, 12, 10), period="eve")
    assert hours(window) == (date(2026, 12, 10), 18, 21)
    with pytest.raises(timeslots.SlotError) as exc:
        timeslots.resolve("other", now=MORNING, day=date(2026, 12, 11), period="am")
    assert exc.value.code == "too_far"
    with pytest.raises(timeslots.SlotError) as exc:
        timeslots.resolve("other", now=MORNING, period="am")
    assert exc.value.code == "day_missing"
    with pytest.raises(timeslots.SlotError) as exc:
        timeslots.resolve("other", now=MORNING, day=date(2026, 12, 5), period="noon")
    assert exc.value.code == "period_missing"
    with pytest.raises(timeslots.SlotError):
        timeslots.resolve("yesterday", now=MORNING)


def test_quick_choices_offered_drop_what_is_too_late():
    assert timeslots.quick_choices_open(MORNING) == [
        "today_am",
        "today_pm",
        "tomorrow_am",
        "tomorrow_pm",
    ]
    assert timeslots.quick_choices_open(EVENING) == ["tomorrow_am", "tomorrow_pm"]
    eleven = datetime(2026, 12, 3, 11, 15, tzinfo=SH)  # under an hour of the morning left
    assert "today_am" not in timeslots.quick_choices_open(eleven)


def test_days_ahead_are_today_and_seven_more():
    days = timeslots.days_ahead(MORNING)
    assert days[0] == date(2026, 12, 3) and days[-1] == date(2026, 12, 10) and len(days) == 8
