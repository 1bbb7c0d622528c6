"""Expanding a recurrence rule into dates (pure; no Django import).

Weekly rules repeat every `interval` weeks on the given weekdays (Monday = 0; by default the
first date's weekday); monthly rules repeat every `interval` months on the first date's day of
the month, skipping months without that day (like RFC 5545: the 31st never falls in April).
A rule ends after `count` occurrences or on `until` (inclusive) — exactly one of the two. A rule
that would produce more than `maximum` dates is refused before anything is built.
"""

import calendar
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

Freq = Literal["weekly", "monthly"]
DEFAULT_MAXIMUM = 200


class RecurrenceError(ValueError):
    """A rule that cannot be expanded; the message is shown to the user as it is."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Rule:
    freq: Freq
    interval: int = 1
    count: int | None = None
    until: date | None = None
    weekdays: tuple[int, ...] = field(default_factory=tuple)


def _check(rule: Rule, first: date) -> None:
    if rule.freq not in ("weekly", "monthly"):
        raise RecurrenceError("重复频率应为每周或每月", "freq")
    if not isinstance(rule.interval, int) or not 1 <= rule.interval <= 12:
        raise RecurrenceError("重复间隔应为1到12", "interval")
    if (rule.count is None) == (rule.until is None):
        raise RecurrenceError("请填写重复次数或截止日期（二选一）", "count")
    if rule.count is not None and rule.count < 1:
        raise RecurrenceError("重复次数至少为1", "count")
    if rule.until is not None and rule.until < first:
        raise RecurrenceError("截止日期不能早于第一次活动的日期", "until")
    if any(not isinstance(d, int) or not 0 <= d <= 6 for d in rule.weekdays):
        raise RecurrenceError("星期应为0（星期一）到6（星期日）", "weekdays")
    if rule.weekdays and rule.freq != "weekly":
        raise RecurrenceError("只有每周重复可以指定星期", "weekdays")


def _weekly(first: date, rule: Rule) -> Iterator[date]:
    days = sorted(set(rule.weekdays)) or [first.weekday()]
    week_start = first - timedelta(days=first.weekday())
    while True:
        for d in days:
            day = week_start + timedelta(days=d)
            if day >= first:
                yield day
        week_start += timedelta(weeks=rule.interval)


def _monthly(first: date, rule: Rule) -> Iterator[date]:
    year, month = first.year, first.month
    while True:
        if first.day <= calendar.monthrange(year, month)[1]:  # else the month has no such day
            yield date(year, month, first.day)
        month += rule.interval
        year += (month - 1) // 12
        month = (month - 1) % 12 + 1
        if year > 9998:
            return


def expand(first: date, rule: Rule, *, maximum: int = DEFAULT_MAXIMUM) -> list[date]:
    """The dates of the rule starting with `first` (which must match the rule's weekdays)."""
    _check(rule, first)
    if rule.count is not None and rule.count > maximum:
        raise RecurrenceError(
            f"重复规则将生成{rule.count}次活动，超过上限{maximum}次，请减少次数或分批创建",
            "count",
        )
    gen = _weekly(first, rule) if rule.freq == "weekly" else _monthly(first, rule)
    dates: list[date] = []
    for day in gen:
        if rule.until is not None and day > rule.until:
            break
        dates.append(day)
        if rule.count is not None and len(dates) == rule.count:
            break
        if len(dates) > maximum:
            raise RecurrenceError(
                f"重复规则到截止日期将生成超过{maximum}次活动，请提前截止日期或分批创建",
                "until",
            )
    if not dates or dates[0] != first:
        raise RecurrenceError("第一次活动的日期不符合所选的星期", "weekdays")
    return dates
