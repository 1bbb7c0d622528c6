"""Visit cadence: how often a resident on the care registry must be visited (pure; no Django).

Default rules (a local tiering, see the domain notes): 高 weekly, 重点 monthly, 一般 quarterly, and
within 24 hours of a major change such as hospital discharge or bereavement. A monthly cadence
means "the same day next month", clamped to the month's end (31 Jan → 28/29 Feb), always counted
from the last visit at which the resident was actually seen, so clamping never drifts.
"""

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

MAX_INTERVAL_DAYS = 366
MAX_MAJOR_CHANGE_HOURS = 7 * 24


class RiskLevel(StrEnum):
    HIGH = "high"
    KEY = "key"
    GENERAL = "general"

    @property
    def label(self) -> str:
        return RISK_LABELS[self]


RISK_LABELS: dict[RiskLevel, str] = {
    RiskLevel.HIGH: "高",
    RiskLevel.KEY: "重点",
    RiskLevel.GENERAL: "一般",
}
# From the most to the least vulnerable.
RISK_ORDER: tuple[RiskLevel, ...] = (RiskLevel.HIGH, RiskLevel.KEY, RiskLevel.GENERAL)


class CadenceError(ValueError):
    """A rule set that cannot be used; `message` is Chinese and names the faulty level."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Interval:
    days: int = 0
    months: int = 0

    @property
    def nominal_days(self) -> int:
        """A month counts as 30 days when intervals of both kinds are compared."""
        return self.days + 30 * self.months

    def describe(self) -> str:
        parts = []
        if self.months:
            parts.append(f"{self.months}个月")
        if self.days:
            parts.append(f"{self.days}天")
        return "".join(parts) or "0天"


@dataclass(frozen=True)
class CadenceRules:
    intervals: Mapping[RiskLevel, Interval]
    major_change_hours: int = 24

    def interval(self, level: RiskLevel | str) -> Interval:
        return self.intervals[RiskLevel(level)]


DEFAULT_RULES = CadenceRules(
    intervals={
        RiskLevel.HIGH: Interval(days=7),
        RiskLevel.KEY: Interval(months=1),
        RiskLevel.GENERAL: Interval(months=3),
    },
    major_change_hours=24,
)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the end of a shorter month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def add_interval(day: date, interval: Interval) -> date:
    return add_months(day, interval.months) + timedelta(days=interval.days)


def next_due(
    *, level: RiskLevel | str, rules: CadenceRules, last_seen: date | None, registered_on: date
) -> date:
    """The last day on which the next visit is on time.

    Counted from the last visit at which the resident was seen; a resident never seen yet is
    due one interval after registration (a visit with nobody home does not count).
    """
    base = last_seen if last_seen is not None else registered_on
    return add_interval(base, rules.interval(level))


def urgent_deadline(change_at: datetime, rules: CadenceRules) -> datetime:
    """A major change (出院, 丧亲 …) requires a visit within `major_change_hours`."""
    return change_at + timedelta(hours=rules.major_change_hours)


def days_overdue(due: date, today: date) -> int:
    """0 while on time (the due day itself is on time), else the days past it."""
    return max(0, (today - due).days)


def is_overdue(due: date | None, today: date) -> bool:
    return due is not None and today > due


def validate_rules(rules: CadenceRules) -> CadenceRules:
    """Refuse a rule set that would miss people: a missing level, a non-positive or over-long
    interval, or a more vulnerable level visited less often than a less vulnerable one."""
    for level in RISK_ORDER:
        if level not in rules.intervals:
            raise CadenceError(f"缺少“{level.label}”风险等级的走访周期", field=level.value)
        interval = rules.intervals[level]
        if interval.days < 0 or interval.months < 0 or interval.nominal_days <= 0:
            raise CadenceError(f"“{level.label}”风险等级的走访周期必须大于0", field=level.value)
        if interval.nominal_days > MAX_INTERVAL_DAYS:
            raise CadenceError(f"“{level.label}”风险等级的走访周期不能超过一年", field=level.value)
    for higher, lower in zip(RISK_ORDER, RISK_ORDER[1:], strict=False):
        hi, lo = rules.intervals[higher], rules.intervals[lower]
        if hi.nominal_days > lo.nominal_days:
            raise CadenceError(
                f"规则互相矛盾：“{higher.label}”风险等级的走访周期（{hi.describe()}）"
                f"不能比“{lower.label}”（{lo.describe()}）更长",
                field=higher.value,
            )
    if not 0 < rules.major_change_hours <= MAX_MAJOR_CHANGE_HOURS:
        raise CadenceError("重大变故后的走访时限应在1到168小时之间", field="major_change_hours")
    return rules


def rules_from_mapping(raw: Mapping[str, Any] | None) -> CadenceRules:
    """Build and validate rules from a settings dict such as
    {"high": {"days": 7}, "key": {"months": 1}, "general": {"months": 3},
     "major_change_hours": 24}; missing keys take the defaults."""
    if not raw:
        return DEFAULT_RULES
    if not isinstance(raw, Mapping):
        raise CadenceError("走访周期规则格式不正确")
    intervals: dict[RiskLevel, Interval] = dict(DEFAULT_RULES.intervals)
    for key, value in raw.items():
        if key == "major_change_hours":
            continue
        try:
            level = RiskLevel(key)
        except ValueError:
            raise CadenceError(f"未知的风险等级：{key}", field=str(key)) from None
        if not isinstance(value, Mapping) or not set(value) <= {"days", "months"}:
            raise CadenceError(
                f"“{level.label}”风险等级的走访周期应写成天数或月数", field=level.value
            )
        days, months = value.get("days", 0), value.get("months", 0)
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (days, months)):
            raise CadenceError(f"“{level.label}”风险等级的走访周期应为整数", field=level.value)
        intervals[level] = Interval(days=days, months=months)
    hours = raw.get("major_change_hours", DEFAULT_RULES.major_change_hours)
    if not isinstance(hours, int) or isinstance(hours, bool):
        raise CadenceError("重大变故后的走访时限应为整数小时", field="major_change_hours")
    return validate_rules(CadenceRules(intervals=intervals, major_change_hours=hours))
