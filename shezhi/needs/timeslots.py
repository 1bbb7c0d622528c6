"""Plain time choices for the residents' 点单 form (今天上午, 明天下午, a day and a part of the
day), turned into the need's wanted window. Pure: no Django; times are aware datetimes in the
caller's zone (Asia/Shanghai), so the form never depends on the browser's locale."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

# Part of the day -> (first hour, last hour) of the window.
PERIODS: dict[str, tuple[int, int]] = {"am": (8, 12), "pm": (14, 18), "eve": (18, 21)}
QUICK: dict[str, tuple[int, str]] = {  # choice -> (days from today, period)
    "today_am": (0, "am"),
    "today_pm": (0, "pm"),
    "tomorrow_am": (1, "am"),
    "tomorrow_pm": (1, "pm"),
}
ANY = "any"  # 时间都行: no window, the social worker arranges it as soon as possible
OTHER = "other"
MAX_DAYS_AHEAD = 7


class SlotError(ValueError):
    """A choice that cannot be served; `code` says why (the form words it)."""

    def __init__(self, code: str, field: str) -> None:
        super().__init__(code)
        self.code = code
        self.field = field


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime


def window_of(day: date, period: str, zone: tzinfo) -> Window:
    first, last = PERIODS[period]
    return Window(
        datetime.combine(day, time(first), tzinfo=zone),
        datetime.combine(day, time(last), tzinfo=zone),
    )


def quick_choices_open(now: datetime) -> list[str]:
    """The quick choices still worth offering at `now`: a window that ends within the hour is
    too late to send anyone."""
    today = now.date()
    return [
        code
        for code, (ahead, period) in QUICK.items()
        if window_of(today + timedelta(days=ahead), period, now.tzinfo).end  # type: ignore[arg-type]
        > now + timedelta(hours=1)
    ]


def days_ahead(now: datetime) -> list[date]:
    """The days a resident may pick under 其他时间: today and the next seven."""
    return [now.date() + timedelta(days=n) for n in range(MAX_DAYS_AHEAD + 1)]


def resolve(
    choice: str, *, now: datetime, day: date | None = None, period: str | None = None
) -> Window | None:
    """The wanted window for a choice, or None for 时间都行. Refuses a window already over or
    more than seven days ahead."""
    if choice in ("", ANY):
        return None
    zone = now.tzinfo
    assert zone is not None, "now must be aware"
    if choice in QUICK:
        ahead, period = QUICK[choice]
        day = now.date() + timedelta(days=ahead)
    elif choice == OTHER:
        if day is None:
            raise SlotError("day_missing", "other_day")
        if period not in PERIODS:
            raise SlotError("period_missing", "other_period")
    else:
        raise SlotError("unknown", "when")
    assert period is not None
    if day > now.date() + timedelta(days=MAX_DAYS_AHEAD):
        raise SlotError("too_far", "other_day")
    window = window_of(day, period, zone)
    if window.end <= now:
        raise SlotError("past", "when" if choice in QUICK else "other_day")
    return window
