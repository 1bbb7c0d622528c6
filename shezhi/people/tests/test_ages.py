"""The 长辈模式 default (pure: no database); age itself is tested in core/tests/test_ages.py."""

from datetime import date

from shezhi.people.ages import elder_mode_default


def test_elder_mode_is_on_from_seventy():
    today = date(2026, 12, 3)
    assert elder_mode_default(date(1956, 12, 3), today)
    assert not elder_mode_default(date(1956, 12, 4), today)
    assert not elder_mode_default(None, today)
