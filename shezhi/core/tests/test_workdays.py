from datetime import date

import pytest

from shezhi.core.workdays import WorkCalendar, due_date, is_late

PLAIN = WorkCalendar()
# 2026 National Day: 1–7 October off (Thursday to Wednesday), Saturday 10 October worked.
NATIONAL_DAY = WorkCalendar.of(
    holidays=[date(2026, 10, d) for d in range(1, 8)], makeup_workdays=[date(2026, 10, 10)]
)


def test_weekends_are_rest_days_and_weekdays_are_working_days():
    assert PLAIN.is_working_day(date(2026, 11, 20))  # Friday
    assert not PLAIN.is_working_day(date(2026, 11, 21))  # Saturday
    assert not PLAIN.is_working_day(date(2026, 11, 22))  # Sunday


def test_ten_working_days_skip_two_weekends():
    # Monday 2 November + 10 working days = Monday 16 November.
    assert due_date(date(2026, 11, 2), 10, PLAIN) == date(2026, 11, 16)


def test_service_on_a_saturday_counts_from_the_next_monday():
    assert PLAIN.add_working_days(date(2026, 11, 21), 1) == date(2026, 11, 23)


def test_holidays_are_rest_days_and_makeup_saturdays_are_working_days():
    assert not NATIONAL_DAY.is_working_day(date(2026, 10, 5))  # Monday in the holiday
    assert NATIONAL_DAY.is_working_day(date(2026, 10, 10))  # Saturday worked (调休)


def test_due_date_stretches_over_the_national_day_holiday():
    # Service on Wednesday 30 September: working days are 8, 9, 10 (Sat), 12 … → 10th is 20 Oct.
    assert due_date(date(2026, 9, 30), 10, NATIONAL_DAY) == date(2026, 10, 20)
    assert due_date(date(2026, 9, 30), 10, PLAIN) == date(2026, 10, 14)


def test_recording_on_the_due_date_is_on_time_and_the_day_after_is_late():
    assert not is_late(date(2026, 11, 2), date(2026, 11, 16), 10, PLAIN)
    assert is_late(date(2026, 11, 2), date(2026, 11, 17), 10, PLAIN)


def test_working_days_between_counts_after_start_up_to_end():
    assert PLAIN.working_days_between(date(2026, 11, 20), date(2026, 11, 23)) == 1
    assert PLAIN.working_days_between(date(2026, 11, 23), date(2026, 11, 20)) == 0


def test_negative_working_days_are_refused():
    with pytest.raises(ValueError):
        PLAIN.add_working_days(date(2026, 11, 2), -1)
