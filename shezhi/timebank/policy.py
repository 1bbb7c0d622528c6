"""Regional time-bank rules: the nearest `TimeBankPolicy` up the org tree, or the defaults."""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from shezhi.core.errors import InvalidInput
from shezhi.org.models import OrgUnit
from shezhi.timebank.models import (
    DEFAULT_BALANCE_CAP,
    DEFAULT_RATES,
    DEFAULT_REVIEWERS,
    TimeBankPolicy,
)
from shezhi.volunteers.models import ServiceCategory
from shezhi.volunteers.policy import ancestor_paths

MAX_RATE = Decimal("10")


@dataclass(frozen=True)
class BankPolicy:
    rates: dict[str, Decimal] = field(default_factory=dict)
    balance_cap: Decimal = DEFAULT_BALANCE_CAP
    reviewers_required: int = DEFAULT_REVIEWERS
    unit_id: int | None = None

    def rate_for(self, category: str) -> Decimal | None:
        return self.rates.get(category)

    def eligible_labels(self) -> str:
        return "、".join(str(ServiceCategory(c).label) for c in self.rates)


def parse_rates(raw: Any) -> dict[str, Decimal]:
    """{category: coins per hour}; empty = the defaults. Bad input raises InvalidInput."""
    if not raw:
        raw = DEFAULT_RATES
    if not isinstance(raw, dict):
        raise InvalidInput("折算比例格式应为 {服务类别: 每小时时间币}", field="rates")
    rates: dict[str, Decimal] = {}
    for category, value in raw.items():
        if category not in ServiceCategory.values:
            raise InvalidInput(f"未知的服务类别：{category}", field="rates")
        try:
            rate = Decimal(str(value))
        except (InvalidOperation, ValueError):
            raise InvalidInput("折算比例应为数字", field="rates") from None
        if not rate.is_finite() or not Decimal("0") < rate <= MAX_RATE:
            raise InvalidInput(f"折算比例应大于0且不超过{MAX_RATE}", field="rates")
        rates[category] = rate
    return rates


def to_policy(row: TimeBankPolicy) -> BankPolicy:
    return BankPolicy(
        rates=parse_rates(row.rates),
        balance_cap=row.balance_cap,
        reviewers_required=row.reviewers_required,
        unit_id=row.unit_id,
    )


DEFAULT_POLICY = BankPolicy(rates=parse_rates(DEFAULT_RATES))


def bank_policy_for(unit: OrgUnit | None) -> BankPolicy:
    """The policy of the nearest unit at or above `unit` that has one."""
    if unit is None:
        return DEFAULT_POLICY
    row = (
        TimeBankPolicy.objects.filter(unit__path__in=ancestor_paths(unit))
        .order_by("-unit__level")
        .first()
    )
    return to_policy(row) if row else DEFAULT_POLICY
