"""Reporting periods: a day, a calendar month, quarter or year, or a custom range (end inclusive).

Pure (no Django): the figures, the dashboards and the reports all speak in `Period`s, and a
period read from a URL or an API query goes through `parse_period` so that bad input gets one
clear Chinese message.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

Kind = Literal["day", "month", "quarter", "year", "custom"]
KINDS: tuple[Kind, ...] = ("day", "month", "quarter", "year", "custom")
KIND_LABELS: dict[str, str] = {
    "day": "日",
    "month": "月",
    "quarter": "季度",
    "year": "年",
    "custom": "自定义",
}
# A longer span is refused: no figure is asked for over more than ten years.
MAX_YEARS = 10
MIN_YEAR = 1949
MAX_YEAR = 2200


class PeriodError(ValueError):
    """Bad period input; the message is Chinese and names what is wrong."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _shift_year(d: date, years: int) -> date:
    """The same day `years` later (29 February becomes 28 February)."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def _add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


@dataclass(frozen=True, order=True)
class Period:
    kind: Kind
    start: date
    end: date  # inclusive

    # Constructors -------------------------------------------------------------------------

    @classmethod
    def day(cls, d: date) -> "Period":
        return cls("day", d, d)

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        _check_year(year)
        if not 1 <= month <= 12:
            raise PeriodError(f"月份应在1到12之间，收到“{month}”", field="value")
        return cls("month", date(year, month, 1), _month_end(year, month))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        _check_year(year)
        if not 1 <= quarter <= 4:
            raise PeriodError(f"季度应在1到4之间，收到“{quarter}”", field="value")
        first = (quarter - 1) * 3 + 1
        return cls("quarter", date(year, first, 1), _month_end(year, first + 2))

    @classmethod
    def year(cls, year: int) -> "Period":
        _check_year(year)
        return cls("year", date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def custom(cls, start: date, end: date) -> "Period":
        if end < start:
            raise PeriodError(
                f"结束日期（{end.isoformat()}）早于开始日期（{start.isoformat()}）", field="end"
            )
        if _shift_year(start, MAX_YEARS) <= end:
            raise PeriodError(f"统计期间不能超过{MAX_YEARS}年", field="end")
        return cls("custom", start, end)

    @classmethod
    def containing(cls, kind: Kind, d: date) -> "Period":
        """The period of `kind` that holds day d (custom: the day itself)."""
        if kind == "month":
            return cls.month(d.year, d.month)
        if kind == "quarter":
            return cls.quarter(d.year, (d.month - 1) // 3 + 1)
        if kind == "year":
            return cls.year(d.year)
        return cls.day(d) if kind == "day" else cls.custom(d, d)

    # Neighbours ---------------------------------------------------------------------------

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "Period":
        """The period of the same kind and length just before this one."""
        if self.kind == "day":
            return Period.day(self.start - timedelta(days=1))
        if self.kind == "month":
            return Period.month(*_add_months(self.start.year, self.start.month, -1))
        if self.kind == "quarter":
            year, month = _add_months(self.start.year, self.start.month, -3)
            return Period.quarter(year, (month - 1) // 3 + 1)
        if self.kind == "year":
            return Period.year(self.start.year - 1)
        end = self.start - timedelta(days=1)
        return Period("custom", end - timedelta(days=self.days - 1), end)

    def same_last_year(self) -> "Period":
        if self.kind == "day":
            return Period.day(_shift_year(self.start, -1))
        if self.kind == "month":
            return Period.month(self.start.year - 1, self.start.month)
        if self.kind == "quarter":
            return Period.quarter(self.start.year - 1, (self.start.month - 1) // 3 + 1)
        if self.kind == "year":
            return Period.year(self.start.year - 1)
        return Period("custom", _shift_year(self.start, -1), _shift_year(self.end, -1))

    def ended(self, today: date) -> bool:
        """True once the period's last day is over (a report may then be made)."""
        return self.end < today

    def months(self) -> list["Period"]:
        """The calendar months this period covers, in order; a month only partly inside the
        period is cut to it (as a custom period)."""
        out: list[Period] = []
        year, month = self.start.year, self.start.month
        while date(year, month, 1) <= self.end:
            whole = Period.month(year, month)
            if whole.start >= self.start and whole.end <= self.end:
                out.append(whole)
            else:
                out.append(Period("custom", max(whole.start, self.start), min(whole.end, self.end)))
            year, month = _add_months(year, month, 1)
        return out

    # Text ---------------------------------------------------------------------------------

    @property
    def label(self) -> str:
        if self.kind == "day":
            return _cn_date(self.start)
        if self.kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        if self.kind == "quarter":
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        if self.kind == "year":
            return f"{self.start.year}年"
        if self.start == self.end:
            return _cn_date(self.start)
        return f"{_cn_date(self.start)}至{_cn_date(self.end)}"

    @property
    def value(self) -> str:
        """The period as `parse_period` reads it back with its kind ("2026-11", "2026-Q4",
        "2026", "2026-11-05"; a custom period as "2026-11-01..2026-11-20")."""
        if self.kind == "day":
            return self.start.isoformat()
        if self.kind == "month":
            return f"{self.start.year:04d}-{self.start.month:02d}"
        if self.kind == "quarter":
            return f"{self.start.year:04d}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "year":
            return f"{self.start.year:04d}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def __str__(self) -> str:
        return self.label


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(f"年份应在{MIN_YEAR}到{MAX_YEAR}之间，收到“{year}”", field="value")


_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


def _parse_date(text: str, field: str) -> date:
    try:
        d = date.fromisoformat(text.strip())
    except ValueError:
        raise PeriodError(
            f"日期“{text}”格式不对，请写成如 2026-11-05 的形式", field=field
        ) from None
    _check_year(d.year)
    return d


def parse_period(kind: str, value: str = "", start: str = "", end: str = "") -> Period:
    """Read a period from text: kind "day" with value "2026-11-05", "month" with "2026-11",
    "quarter" with "2026-Q4", "year" with "2026", "custom" with start and end dates (or a value
    "2026-11-01..2026-11-20"). Raises PeriodError with a Chinese message."""
    kind = (kind or "").strip()
    value = (value or "").strip()
    if kind not in KINDS:
        raise PeriodError("统计周期应为日、月、季度、年或自定义之一", field="kind")
    if kind == "custom":
        if value and not (start or end) and ".." in value:
            start, end = value.split("..", 1)
        if not start or not end:
            raise PeriodError("自定义期间须填写开始日期和结束日期", field="start")
        return Period.custom(_parse_date(start, "start"), _parse_date(end, "end"))
    if not value:
        raise PeriodError("请填写统计期间", field="value")
    if kind == "day":
        return Period.day(_parse_date(value, "value"))
    if kind == "month":
        m = _MONTH.match(value)
        if not m:
            raise PeriodError(f"月份“{value}”格式不对，请写成如 2026-11 的形式", field="value")
        return Period.month(int(m[1]), int(m[2]))
    if kind == "quarter":
        m = _QUARTER.match(value)
        if not m:
            raise PeriodError(f"季度“{value}”格式不对，请写成如 2026-Q4 的形式", field="value")
        return Period.quarter(int(m[1]), int(m[2]))
    m = _YEAR.match(value)
    if not m:
        raise PeriodError(f"年份“{value}”格式不对，请写成如 2026 的形式", field="value")
    return Period.year(int(m[1]))
