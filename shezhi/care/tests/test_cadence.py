"""The visit cadence: intervals per risk level, month ends, leap years, rule validation."""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shezhi.care.cadence import (
    DEFAULT_RULES,
    CadenceError,
    CadenceRules,
    Interval,
    RiskLevel,
    add_months,
    days_overdue,
    is_overdue,
    next_due,
    rules_from_mapping,
    urgent_deadline,
    validate_rules,
)


def due(level: str, last_seen: date | None, registered_on: date = date(2024, 1, 1)) -> date:
    return next_due(
        level=level, rules=DEFAULT_RULES, last_seen=last_seen, registered_on=registered_on
    )


def test_high_risk_is_due_a_week_after_last_seen():
    assert due("high", date(2024, 12, 28)) == date(2025, 1, 4)


def test_key_risk_monthly_is_the_same_day_next_month():
    assert due("key", date(2024, 3, 15)) == date(2024, 4, 15)


def test_monthly_from_january_31_clamps_to_february_29_in_a_leap_year():
    assert due("key", date(2024, 1, 31)) == date(2024, 2, 29)


def test_monthly_from_january_31_clamps_to_february_28_otherwise():
    assert due("key", date(2025, 1, 31)) == date(2025, 2, 28)


def test_monthly_from_march_31_clamps_to_april_30():
    assert due("key", date(2025, 3, 31)) == date(2025, 4, 30)


def test_monthly_across_the_year_end():
    assert due("key", date(2024, 12, 31)) == date(2025, 1, 31)


def test_general_quarterly_from_november_30_clamps_to_february_end():
    assert due("general", date(2023, 11, 30)) == date(2024, 2, 29)
    assert due("general", date(2024, 11, 30)) == date(2025, 2, 28)


def test_leap_day_plus_a_year_of_months_lands_on_february_28():
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)


def test_clamping_does_not_drift_because_due_counts_from_the_visit():
    # Seen 31 Jan → due 29 Feb; seen on 29 Feb → due 29 Mar (not 31 Mar, not 28 Mar).
    assert due("key", date(2024, 2, 29)) == date(2024, 3, 29)


def test_never_seen_is_due_one_interval_after_registration():
    assert due("high", None, registered_on=date(2024, 2, 26)) == date(2024, 3, 4)


def test_overdue_starts_the_day_after_the_due_day():
    assert not is_overdue(date(2024, 3, 1), date(2024, 3, 1))
    assert is_overdue(date(2024, 3, 1), date(2024, 3, 2))
    assert not is_overdue(None, date(2024, 3, 2))
    assert days_overdue(date(2024, 2, 28), date(2024, 3, 1)) == 2  # leap day counted
    assert days_overdue(date(2025, 2, 28), date(2025, 3, 1)) == 1
    assert days_overdue(date(2024, 3, 1), date(2024, 2, 1)) == 0


def test_major_change_requires_a_visit_within_24_hours():
    change = datetime(2024, 2, 28, 21, 30)
    assert urgent_deadline(change, DEFAULT_RULES) == datetime(2024, 2, 29, 21, 30)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 1, 1)), st.integers(0, 48))
def test_add_months_keeps_the_day_or_clamps_to_the_month_end(day, months):
    result = add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    if result.day != day.day:
        assert result.day < day.day
        assert (result + timedelta(days=1)).day == 1  # clamped to the last day


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 1, 1)))
def test_higher_risk_is_never_due_later_than_lower_risk(day):
    assert due("high", day) <= due("key", day) <= due("general", day)
    assert due("high", day) > day


def test_default_rules_are_valid():
    assert validate_rules(DEFAULT_RULES) is DEFAULT_RULES
    assert rules_from_mapping(None) is DEFAULT_RULES


def test_rules_from_settings_mapping():
    rules = rules_from_mapping({"high": {"days": 3}, "major_change_hours": 12})
    assert rules.interval("high") == Interval(days=3)
    assert rules.interval(RiskLevel.KEY) == Interval(months=1)
    assert rules.major_change_hours == 12


def test_high_risk_less_frequent_than_general_is_a_contradiction():
    with pytest.raises(CadenceError) as exc:
        rules_from_mapping({"high": {"months": 6}})
    assert "矛盾" in exc.value.message and exc.value.field == "high"


def test_key_less_frequent_than_general_is_a_contradiction():
    with pytest.raises(CadenceError, match="重点"):
        rules_from_mapping({"key": {"months": 4}, "general": {"months": 3}})


@pytest.mark.parametrize(
    "raw, field",
    [
        ({"high": {"days": 0}}, "high"),
        ({"high": {"days": -7}}, "high"),
        ({"general": {"months": 0, "days": 0}}, "general"),
        ({"general": {"months": 13}}, "general"),
        ({"key": {"weeks": 2}}, "key"),
        ({"key": {"months": "1"}}, "key"),
        ({"key": {"months": True}}, "key"),
        ({"urgent": {"days": 1}}, "urgent"),
        ({"major_change_hours": 0}, "major_change_hours"),
        ({"major_change_hours": 1000}, "major_change_hours"),
        ({"major_change_hours": "24"}, "major_change_hours"),
    ],
)
def test_bad_rules_get_a_chinese_message_naming_the_field(raw, field):
    with pytest.raises(CadenceError) as exc:
        rules_from_mapping(raw)
    assert exc.value.field == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.message)


def test_a_rule_set_missing_a_level_is_refused():
    with pytest.raises(CadenceError, match="缺少"):
        validate_rules(CadenceRules(intervals={RiskLevel.HIGH: Interval(days=7)}))


def test_unknown_risk_level_raises_value_error():
    with pytest.raises(ValueError):
        due("urgent", date(2024, 1, 1))
