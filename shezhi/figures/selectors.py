"""Scoped reads of figures: any figure, for any unit the actor may see, for any period, with
the previous period and the same period last year beside it.

Every function takes the actor; a unit outside the actor's scope is "not found". Sensitive
figures (cases, crisis alerts, minors) below 5 are shown as "<5" to anyone who may not see the
list behind them. The number of queries does not grow with the number of figures or units.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse

from shezhi.accounts.models import User
from shezhi.core.errors import InvalidInput
from shezhi.figures import labels
from shezhi.figures.access import (
    figures_home_unit,
    figures_unit,
    may_read_figures,
    may_see_list,
)
from shezhi.figures.catalogue import BREAKDOWNS, FIGURES, Figure, figure
from shezhi.figures.engine import Table, measure_table
from shezhi.figures.errors import FigureError
from shezhi.figures.measures import FORMULAS, Number, combine
from shezhi.figures.periods import Period
from shezhi.org.models import OrgUnit

__all__ = [
    "FigureValue",
    "figure_breakdown",
    "figure_by_child_unit",
    "figure_trend",
    "figures_for",
    "figures_home_unit",
    "figures_unit",
    "may_read_figures",
]

# Counts of 1–4 of a sensitive figure could single a person out.
SUPPRESS_BELOW = 5
SUPPRESSED = "<5"
NOT_MEANINGFUL = "—"


@dataclass(frozen=True)
class FigureValue:
    figure: Figure
    unit: OrgUnit
    period: Period
    value: Number | None  # None: suppressed ("<5") or not meaningful (a rate of nothing)
    previous: Number | None
    last_year: Number | None
    shown: str
    previous_shown: str
    last_year_shown: str
    change: float | None  # relative change against the previous period
    list_url: str | None  # set only when the actor may see the list behind the figure


def format_number(value: Number | None, *, suppressed: bool = False) -> str:
    if suppressed:
        return SUPPRESSED
    if value is None:
        return NOT_MEANINGFUL
    if isinstance(value, Decimal):
        text = f"{value:,.1f}"
        return text[:-2] if text.endswith(".0") else text
    return f"{value:,}"


class _Reader:
    """Turns measure tables into FigureValues for one actor (suppression, links)."""

    def __init__(self, actor: User, by: str = ""):
        self.actor = actor
        self.by = by

    def value(
        self, code: str, table: Table, group: int, key: str, index: int
    ) -> tuple[Number | None, bool]:
        """(value, suppressed) of one figure for one group, key and period index."""
        _how, names = FORMULAS[code]
        values = {n: table.get(n, {}).get((group, key, index), 0) for n in names}
        result = combine(code, values)
        fig = FIGURES[code]
        sensitive = fig.sensitive or labels.is_sensitive_key(self.by, key)
        if sensitive and not may_see_list(self.actor, fig.list_url):
            base = values[names[-1]]  # the count behind a figure (a ratio's denominator)
            if 0 < base < SUPPRESS_BELOW:
                return None, True
        return result, False

    def build(
        self,
        code: str,
        table: Table,
        *,
        unit: OrgUnit,
        period: Period,
        group: int,
        key: str = "",
        index: int = 0,
    ) -> "FigureValue":
        fig = FIGURES[code]
        now, now_hidden = self.value(code, table, group, key, index * 3)
        prev, prev_hidden = self.value(code, table, group, key, index * 3 + 1)
        last, last_hidden = self.value(code, table, group, key, index * 3 + 2)
        change = None
        if now is not None and prev:
            change = round(float((Decimal(now) - Decimal(prev)) / Decimal(prev)), 4)
        url = None
        if fig.list_url and may_see_list(self.actor, fig.list_url):
            url = reverse(fig.list_url)
        return FigureValue(
            figure=fig,
            unit=unit,
            period=period,
            value=now,
            previous=prev,
            last_year=last,
            shown=format_number(now, suppressed=now_hidden),
            previous_shown=format_number(prev, suppressed=prev_hidden),
            last_year_shown=format_number(last, suppressed=last_hidden),
            change=change,
            list_url=url,
        )


def _triples(periods: Sequence[Period]) -> list[Period]:
    """Each period, its previous one and the same one last year, in that order."""
    out: list[Period] = []
    for p in periods:
        out += [p, p.previous(), p.same_last_year()]
    return out


def _in_scope(actor: User, unit: OrgUnit) -> OrgUnit:
    return figures_unit(actor, unit.pk) if unit is not None else figures_home_unit(actor)


def figures_for(
    *, actor: User, unit: OrgUnit, period: Period, codes: Sequence[str] | None = None
) -> list[FigureValue]:
    """The figures `codes` (default: the whole catalogue, in its order) for one unit."""
    unit = _in_scope(actor, unit)
    chosen = [figure(c).code for c in codes] if codes is not None else list(FIGURES)
    table = measure_table(chosen, [(unit.pk, unit.path)], _triples([period]))
    reader = _Reader(actor)
    return [reader.build(c, table, unit=unit, period=period, group=unit.pk) for c in chosen]


def figure_trend(
    *, actor: User, unit: OrgUnit, code: str, periods: Sequence[Period]
) -> list[FigureValue]:
    """One figure over several periods (e.g. the twelve months of a year), in the given order."""
    unit = _in_scope(actor, unit)
    code = figure(code).code
    table = measure_table([code], [(unit.pk, unit.path)], _triples(periods))
    reader = _Reader(actor)
    return [
        reader.build(code, table, unit=unit, period=p, group=unit.pk, index=i)
        for i, p in enumerate(periods)
    ]


def figure_by_child_unit(
    *, actor: User, unit: OrgUnit, code: str, period: Period
) -> list[FigureValue]:
    """The figure for each child unit of `unit`, largest first (the ranking of communities).
    Suppressed values come last, in the tree's order."""
    unit = _in_scope(actor, unit)
    code = figure(code).code
    children = list(OrgUnit.objects.filter(parent=unit).order_by("path"))
    table = measure_table([code], [(c.pk, c.path) for c in children], _triples([period]))
    reader = _Reader(actor)
    rows = [reader.build(code, table, unit=c, period=period, group=c.pk) for c in children]
    order = {c.pk: i for i, c in enumerate(children)}
    return sorted(
        rows,
        key=lambda r: (r.value is None, -(r.value or 0), order[r.unit.pk]),
    )


def figure_breakdown(
    *, actor: User, unit: OrgUnit, code: str, period: Period, by: str
) -> list[tuple[str, FigureValue]]:
    """The figure split by `by` (one of the figure's breakdowns): (label, value) pairs, largest
    first (age bands and star levels in their natural order)."""
    unit = _in_scope(actor, unit)
    fig = figure(code)
    if by not in fig.breakdowns:
        offered = "、".join(str(BREAKDOWNS[b]) for b in fig.breakdowns) or "无"
        raise InvalidInput(
            f"“{fig.name}”不能按“{by}”分组（可选：{offered}）",
            field="by",
            code=FigureError.UNKNOWN_BREAKDOWN,
        )
    raw = measure_table([fig.code], [(unit.pk, unit.path)], _triples([period]), by=by)
    table, keys = labels.regroup(raw, by, _triples([period]))
    names = labels.key_labels(fig.code, by, keys)
    reader = _Reader(actor, by)
    rows = [
        (names[k], reader.build(fig.code, table, unit=unit, period=period, group=unit.pk, key=k))
        for k in keys
    ]
    if labels.natural_order(by):
        return rows
    return sorted(rows, key=lambda r: (r[1].value is None, -(r[1].value or 0), r[0]))


def figures_period(kind: str = "month", value: str = "", start: str = "", end: str = "") -> Period:
    """A period read from a page's or the API's query (default: this month), or InvalidInput
    with the Chinese message of `parse_period`."""
    from django.utils import timezone

    from shezhi.figures.periods import PeriodError, parse_period

    if not value and not start and not end:
        today = timezone.localdate()
        return Period.containing("month" if kind in ("", "custom") else kind, today)  # type: ignore[arg-type]
    try:
        return parse_period(kind or "month", value, start, end)
    except PeriodError as exc:
        raise InvalidInput(exc.message, field=exc.field, code=FigureError.BAD_PERIOD) from None
