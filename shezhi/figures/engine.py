"""Where the selectors get measure values from: the rollup tables, in at most two queries for
any set of figures, units and periods (one for sums and counts, one for distinct people)."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When

from shezhi.figures.measures import Group, Key, Measure, Number, measures_of
from shezhi.figures.models import FigureBucket, FigureMember
from shezhi.figures.periods import Period

Table = dict[str, dict[Key, Number]]


def _window(measures: Sequence[Measure], period: Period) -> Q:
    stock = [m.code for m in measures if m.stock]
    flow = [m.code for m in measures if not m.stock]
    q = Q(pk__in=[])
    if stock:
        q |= Q(measure__in=stock, day__lte=period.end)
    if flow:
        q |= Q(measure__in=flow, day__gte=period.start, day__lte=period.end)
    return q


def _query(
    model: Any,
    measures: Sequence[Measure],
    groups: Sequence[Group],
    periods: Sequence[Period],
    by: str,
) -> list[dict[str, Any]]:
    lo = min(p.start for p in periods)
    hi = max(p.end for p in periods)
    qs = model.objects.filter(_window(measures, Period("custom", lo, hi)), by=by)
    prefixes = Q()
    for _gid, prefix in groups:
        prefixes |= Q(unit__path__startswith=prefix)
    qs = qs.filter(prefixes)
    if len(groups) == 1:
        group: Any = Value(groups[0][0])
    else:
        group = Case(
            *[When(unit__path__startswith=prefix, then=Value(gid)) for gid, prefix in groups],
            output_field=IntegerField(),
        )
    if model is FigureMember:
        aggregates = {
            f"v{i}": Count("member", distinct=True, filter=_window(measures, p))
            for i, p in enumerate(periods)
        }
    else:
        aggregates = {
            f"v{i}": Sum("value", filter=_window(measures, p)) for i, p in enumerate(periods)
        }
    return list(
        qs.annotate(_group=group)
        .values("measure", "_group", "key")
        .annotate(**aggregates)
        .order_by()
    )


def measure_table(
    codes: Sequence[str], groups: Sequence[Group], periods: Sequence[Period], *, by: str = ""
) -> Table:
    """{measure code: {(group id, breakdown key, period index): value}} for the measures behind
    the figures `codes`; absent entries are zero."""
    measures = measures_of(codes)
    table: Table = {m.code: {} for m in measures}
    if not groups or not periods:
        return table
    by_code = {m.code: m for m in measures}
    for model, chosen in (
        (FigureBucket, [m for m in measures if m.kind != "distinct"]),
        (FigureMember, [m for m in measures if m.kind == "distinct"]),
    ):
        if not chosen:
            continue
        for row in _query(model, chosen, groups, periods, by):
            measure = by_code[row["measure"]]
            for i in range(len(periods)):
                value = row[f"v{i}"]
                if not value:
                    continue
                number: Number = int(value) if measure.integral else Decimal(value)
                table[measure.code][(row["_group"], row["key"], i)] = number
    return table
