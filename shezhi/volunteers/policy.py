"""Regional rules: the nearest `RegionPolicy` up the org tree, or the defaults; the working-day
calendar of a region (nationwide dates plus those of the unit's ancestors)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Q

from shezhi.core.errors import InvalidInput
from shezhi.core.hours import RoundingRule
from shezhi.core.workdays import WorkCalendar
from shezhi.org.models import OrgUnit
from shezhi.volunteers.models import (
    DEFAULT_BAR_DAYS,
    DEFAULT_DUE_WORKING_DAYS,
    DEFAULT_ROUNDING_STEPS,
    DEFAULT_STAR_THRESHOLDS,
    Holiday,
    RegionPolicy,
)


@dataclass(frozen=True)
class Policy:
    rounding: RoundingRule
    star_thresholds: tuple[int, ...]
    bar_days: int
    due_working_days: int
    unit_id: int | None = None  # the unit whose policy this is; None = defaults

    def star_for(self, hours: Decimal) -> int:
        return sum(1 for t in self.star_thresholds if hours >= t)


def parse_rounding_steps(raw: Any) -> RoundingRule:
    """[[minutes, hours], …] → RoundingRule (largest floor first); bad input raises InvalidInput."""
    if not raw:
        raw = DEFAULT_ROUNDING_STEPS
    try:
        steps = tuple(sorted(((int(m), Decimal(str(h))) for m, h in raw), reverse=True))
    except (TypeError, ValueError, InvalidOperation):
        raise InvalidInput(
            "时长折算规则格式应为 [[分钟, 小时], …]", field="rounding_steps"
        ) from None
    for floor, credit in steps:
        if not 0 < floor < 60 or not Decimal("0") <= credit <= Decimal("1"):
            raise InvalidInput(
                "余数分钟应在1到59之间，折算小时应在0到1之间", field="rounding_steps"
            )
    return RoundingRule(steps=steps)


def parse_thresholds(raw: Any) -> tuple[int, ...]:
    if not raw:
        return DEFAULT_STAR_THRESHOLDS
    try:
        values = tuple(int(v) for v in raw)
    except (TypeError, ValueError):
        raise InvalidInput("星级门槛应为五个整数小时数", field="star_thresholds") from None
    if len(values) != 5 or any(v <= 0 for v in values) or list(values) != sorted(set(values)):
        raise InvalidInput("星级门槛应为五个递增的正整数小时数", field="star_thresholds")
    return values


DEFAULT_POLICY = Policy(
    rounding=parse_rounding_steps(DEFAULT_ROUNDING_STEPS),
    star_thresholds=DEFAULT_STAR_THRESHOLDS,
    bar_days=DEFAULT_BAR_DAYS,
    due_working_days=DEFAULT_DUE_WORKING_DAYS,
)


def ancestor_paths(unit: OrgUnit) -> list[str]:
    """ "/a/b/c/" → ["/a/", "/a/b/", "/a/b/c/"]."""
    parts = [p for p in unit.path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def to_policy(row: RegionPolicy) -> Policy:
    return Policy(
        rounding=parse_rounding_steps(row.rounding_steps),
        star_thresholds=parse_thresholds(row.star_thresholds),
        bar_days=row.falsification_bar_days,
        due_working_days=row.due_working_days,
        unit_id=row.unit_id,
    )


def policy_for(unit: OrgUnit | None) -> Policy:
    """The policy of the nearest unit at or above `unit` that has one."""
    if unit is None:
        return DEFAULT_POLICY
    row = (
        RegionPolicy.objects.filter(unit__path__in=ancestor_paths(unit))
        .select_related("unit")
        .order_by("-unit__level")
        .first()
    )
    return to_policy(row) if row else DEFAULT_POLICY


def calendar_for(unit: OrgUnit | None, start: date, end: date) -> WorkCalendar:
    """Holidays and make-up working days between start and end (inclusive) for the region.

    Takes a generous margin after `end` so that a due date computed from `start` sees them."""
    region = Q(unit__isnull=True)
    if unit is not None:
        region |= Q(unit__path__in=ancestor_paths(unit))
    rows = Holiday.objects.filter(region, day__gte=start, day__lte=end).values_list("day", "kind")
    holidays = {d for d, k in rows if k == Holiday.Kind.HOLIDAY}
    workdays = {d for d, k in rows if k == Holiday.Kind.WORKDAY}
    return WorkCalendar.of(holidays - workdays, workdays)
