from datetime import datetime

from shezhi.matching.model import week_interval


def test_window_is_widened_outward_to_whole_hours():
    # Tuesday 2026-12-01 09:30–11:10 → hours 33..36 of the week (Tue 09:00–12:00).
    assert week_interval(datetime(2026, 12, 1, 9, 30), datetime(2026, 12, 1, 11, 10)) == (33, 36)


def test_exact_hours_stay_exact():
    assert week_interval(datetime(2026, 11, 30, 8, 0), datetime(2026, 11, 30, 10, 0)) == (8, 10)


def test_a_short_window_still_covers_one_hour():
    assert week_interval(datetime(2026, 11, 30, 8, 0), datetime(2026, 11, 30, 8, 0, 1)) == (8, 9)


def test_window_past_sunday_midnight_is_cut_at_the_end_of_the_week():
    assert week_interval(datetime(2026, 12, 6, 22, 0), datetime(2026, 12, 7, 2, 0)) == (166, 168)


def test_a_week_or_more_means_any_time():
    assert week_interval(datetime(2026, 11, 30, 8, 0), datetime(2026, 12, 7, 8, 0)) is None
