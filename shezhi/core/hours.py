"""Volunteer service hours from minutes actually served (pure; no Django import).

The default rule follows the common practice: whole hours count as served; of the remainder,
under 15 minutes counts 0, 15 to under 45 counts 0.5 h, 45 to 60 counts 1 h. Regions can pass
other thresholds.
"""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class RoundingRule:
    # (minimum remainder in minutes, hours credited), checked from the largest down
    steps: tuple[tuple[int, Decimal], ...] = ((45, Decimal("1")), (15, Decimal("0.5")))


DEFAULT_RULE = RoundingRule()


def service_hours(minutes: int, rule: RoundingRule = DEFAULT_RULE) -> Decimal:
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    whole, remainder = divmod(minutes, 60)
    extra = next((credit for floor, credit in rule.steps if remainder >= floor), Decimal("0"))
    return Decimal(whole) + extra
