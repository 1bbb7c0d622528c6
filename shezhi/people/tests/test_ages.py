"""Age in whole years and the 长辈模式 default (pure: no database)."""

from datetime import date

from shezhi.people.ages import age_on, elder_mode_default


def test_age_counts_whole_years_to_the_birthday():
    assert age_on(date(1956, 12, 4), date(2026, 12, 3)) == 69
    assert age_on(date(1956, 12, 3), date(2026, 12, 3)) == 70
    assert age_on(date(1956, 2, 29), date(2026, 2, 28)) == 69
    assert age_on(date(1956, 2, 29), date(2026, 3, 1)) == 70


def test_elder_mode_is_on_from_seventy():
    today = date(2026, 12, 3)
    assert elder_mode_default(date(1956, 12, 3), today)
    assert not elder_mode_default(date(1956, 12, 4), today)
    assert not elder_mode_default(None, today)
