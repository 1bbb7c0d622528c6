from datetime import date, datetime

import pytest

from shezhi.core.plaintime import day_part, plain_datetime, plain_duration

TODAY = date(2026, 12, 3)  # a Thursday


@pytest.mark.parametrize(
    ("when", "said"),
    [
        (datetime(2026, 12, 4, 8, 0), "明天上午 8:00"),
        (datetime(2026, 12, 3, 14, 30), "今天下午 2:30"),
        (datetime(2026, 12, 3, 12, 15), "今天中午 12:15"),
        (datetime(2026, 12, 2, 19, 5), "昨天晚上 7:05"),
        (datetime(2026, 12, 5, 5, 0), "后天凌晨 5:00"),
        (datetime(2026, 12, 11, 8, 0), "12月11日 周五 08:00"),
        (datetime(2027, 1, 4, 16, 30), "2027年1月4日 周一 16:30"),
    ],
)
def test_times_are_said_plainly(when, said):
    assert plain_datetime(when, TODAY) == said


def test_day_parts_cover_the_day():
    assert [day_part(h) for h in (0, 6, 12, 13, 18, 23)] == [
        "凌晨",
        "上午",
        "中午",
        "下午",
        "晚上",
        "晚上",
    ]


@pytest.mark.parametrize(
    ("minutes", "said"),
    [(125, "2 小时 5 分钟"), (120, "2 小时"), (5, "5 分钟"), (0, "0 分钟"), (-3, "0 分钟")],
)
def test_durations_are_said_in_hours_and_minutes(minutes, said):
    assert plain_duration(minutes) == said
