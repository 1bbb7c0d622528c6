from datetime import date

import pytest

from shezhi.activities import geo
from shezhi.activities.recurrence import RecurrenceError, Rule, expand

# --- recurrence -------------------------------------------------------------------------------


def test_weekly_rule_with_count_repeats_on_the_first_dates_weekday():
    assert expand(date(2026, 11, 20), Rule("weekly", count=3)) == [
        date(2026, 11, 20),
        date(2026, 11, 27),
        date(2026, 12, 4),
    ]


def test_weekly_rule_on_several_weekdays_every_other_week():
    dates = expand(date(2026, 11, 16), Rule("weekly", interval=2, weekdays=(0, 2), count=4))
    assert dates == [date(2026, 11, 16), date(2026, 11, 18), date(2026, 11, 30), date(2026, 12, 2)]


def test_monthly_rule_until_is_inclusive_and_skips_months_without_the_day():
    dates = expand(date(2026, 1, 31), Rule("monthly", until=date(2026, 5, 31)))
    assert dates == [date(2026, 1, 31), date(2026, 3, 31), date(2026, 5, 31)]


def test_monthly_rule_crosses_the_year():
    dates = expand(date(2026, 11, 15), Rule("monthly", interval=2, count=3))
    assert dates == [date(2026, 11, 15), date(2027, 1, 15), date(2027, 3, 15)]


def test_rule_producing_more_than_the_maximum_by_count_is_refused():
    with pytest.raises(RecurrenceError) as exc:
        expand(date(2026, 1, 1), Rule("weekly", count=5000), maximum=200)
    assert "5000" in exc.value.message and "200" in exc.value.message


def test_rule_producing_more_than_the_maximum_by_until_is_refused_quickly():
    with pytest.raises(RecurrenceError) as exc:
        expand(date(2026, 1, 1), Rule("weekly", weekdays=tuple(range(7)), until=date(9000, 1, 1)))
    assert exc.value.field == "until" and "200" in exc.value.message


def test_exactly_the_maximum_is_allowed():
    assert len(expand(date(2026, 1, 1), Rule("weekly", count=200), maximum=200)) == 200


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        (Rule("weekly"), "count"),
        (Rule("weekly", count=2, until=date(2027, 1, 1)), "count"),
        (Rule("daily", count=2), "freq"),  # type: ignore[arg-type]
        (Rule("weekly", count=0), "count"),
        (Rule("weekly", interval=0, count=2), "interval"),
        (Rule("weekly", until=date(2026, 1, 1)), "until"),
        (Rule("weekly", weekdays=(7,), count=2), "weekdays"),
        (Rule("monthly", weekdays=(1,), count=2), "weekdays"),
        (Rule("weekly", weekdays=(1,), count=2), "weekdays"),  # 2026-11-20 is a Friday
    ],
)
def test_bad_rules_are_refused_with_the_field(rule, field):
    with pytest.raises(RecurrenceError) as exc:
        expand(date(2026, 11, 20), rule)
    assert exc.value.field == field and exc.value.message


# --- geo --------------------------------------------------------------------------------------


def test_one_degree_of_latitude_is_about_111_km():
    assert geo.haversine_m(30.0, 114.0, 31.0, 114.0) == pytest.approx(111_195, rel=1e-3)


def test_distance_is_zero_to_itself_and_symmetric():
    assert geo.haversine_m(30.55, 114.3, 30.55, 114.3) == 0
    d1 = geo.haversine_m(30.55, 114.3, 30.56, 114.31)
    assert d1 == pytest.approx(geo.haversine_m(30.56, 114.31, 30.55, 114.3))


def test_within_radius():
    centre = (30.55, 114.30)
    assert geo.within_radius(centre, (30.5509, 114.30), 200)  # ~100 m north
    assert not geo.within_radius(centre, (30.553, 114.30), 200)  # ~333 m north


@pytest.mark.parametrize("point", [(91.0, 0.0), (0.0, 181.0), (float("nan"), 0.0)])
def test_out_of_range_coordinates_are_refused(point):
    assert not geo.valid_coordinates(*point)
    with pytest.raises(ValueError):
        geo.haversine_m(0.0, 0.0, *point)
