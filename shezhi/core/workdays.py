"""A working-day calendar (pure; no Django import).

Saturdays and Sundays are rest days, except the weekend days the State Council's holiday notice
turns into working days (调休上班); public holidays are rest days even on weekdays. The dates are
configured per year and region, so the calendar takes them as sets.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[date] = field(default_factory=frozenset)
    makeup_workdays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def of(
        cls, holidays: Iterable[date] = (), makeup_workdays: Iterable[date] = ()
    ) -> "WorkCalendar":
        return cls(frozenset(holidays), frozenset(makeup_workdays))

    def is_working_day(self, day: date) -> bool:
        if day in self.makeup_workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (start itself not counted); n >= 0."""
        if n < 0:
            raise ValueError("n must not be negative")
        day = start
        remaining = n
        while remaining:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count


def due_date(service_date: date, working_days: int, calendar: WorkCalendar) -> date:
    """The last day a service may be recorded on time: `working_days` working days after it."""
    return calendar.add_working_days(service_date, working_days)


def is_late(service_date: date, recorded_on: date, working_days: int, cal: WorkCalendar) -> bool:
    return recorded_on > due_date(service_date, working_days, cal)
