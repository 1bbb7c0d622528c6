from datetime import date

import pytest

from shezhi.figures.periods import Period, PeriodError, parse_period


def test_month_label_previous_and_last_year():
    p = Period.month(2026, 11)
    assert (p.start, p.end) == (date(2026, 11, 1), date(2026, 11, 30))
    assert p.label == "2026年11月"
    assert p.previous() == Period.month(2026, 10)
    assert Period.month(2026, 1).previous() == Period.month(2025, 12)
    assert p.same_last_year() == Period.month(2025, 11)


def test_quarter_year_day_custom():
    q = Period.quarter(2026, 4)
    assert (q.start, q.end, q.label) == (date(2026, 10, 1), date(2026, 12, 31), "2026年第4季度")
    assert Period.quarter(2026, 1).previous() == Period.quarter(2025, 4)
    assert Period.year(2026).label == "2026年"
    assert Period.year(2026).previous() == Period.year(2025)
    d = Period.day(date(2024, 2, 29))
    assert d.same_last_year() == Period.day(date(2023, 2, 28))
    assert d.previous() == Period.day(date(2024, 2, 28))
    c = Period.custom(date(2026, 11, 10), date(2026, 11, 19))
    assert c.previous() == Period.custom(date(2026, 10, 31), date(2026, 11, 9))
    assert c.label == "2026年11月10日至2026年11月19日"


def test_ended_is_after_the_last_day():
    p = Period.month(2026, 11)
    assert not p.ended(date(2026, 11, 30))
    assert p.ended(date(2026, 12, 1))


def test_months_cover_the_period_and_cut_partial_months():
    assert [m.label for m in Period.quarter(2026, 4).months()] == [
        "2026年10月",
        "2026年11月",
        "2026年12月",
    ]
    assert len(Period.year(2026).months()) == 12
    parts = Period.custom(date(2026, 10, 15), date(2026, 12, 3)).months()
    assert [(m.start, m.end) for m in parts] == [
        (date(2026, 10, 15), date(2026, 10, 31)),
        (date(2026, 11, 1), date(2026, 11, 30)),
        (date(2026, 12, 1), date(2026, 12, 3)),
    ]
    assert parts[1].kind == "month" and parts[0].kind == "custom"


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("month", "2026-11", Period.month(2026, 11)),
        ("quarter", "2026-Q4", Period.quarter(2026, 4)),
        ("year", "2026", Period.year(2026)),
        ("day", "2026-11-05", Period.day(date(2026, 11, 5))),
        ("custom", "2026-11-01..2026-11-20", Period.custom(date(2026, 11, 1), date(2026, 11, 20))),
    ],
)
def test_parse_period_reads_back_its_value(kind, value, expected):
    assert parse_period(kind, value) == expected
    assert parse_period(kind, expected.value) == expected


def test_parse_custom_from_start_and_end():
    assert parse_period("custom", start="2026-01-01", end="2026-03-31") == Period.custom(
        date(2026, 1, 1), date(2026, 3, 31)
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("custom", "", "2026-05-01", "2026-04-30"), "早于开始日期"),
        (("custom", "", "2016-01-01", "2026-01-01"), "不能超过10年"),
        (("month", "2026-13"), "月份应在1到12之间"),
        (("month", "11/2026"), "格式不对"),
        (("quarter", "2026-Q5"), "格式不对"),
        (("day", "2026-02-30"), "格式不对"),
        (("week", "2026-11"), "统计周期"),
        (("year", ""), "请填写统计期间"),
        (("custom", "", "2026-01-01", ""), "开始日期和结束日期"),
    ],
)
def test_bad_periods_get_a_chinese_message(args, message):
    with pytest.raises(PeriodError) as caught:
        parse_period(*args)
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_ten_years_exactly_is_allowed():
    p = parse_period("custom", start="2016-01-01", end="2025-12-31")
    assert p.days == 3653
