"""Where the selectors get measure values from: one call for any set of figures, units and
periods. Computed straight from the domain tables for now (`measures.raw_values`)."""

from collections.abc import Sequence

from shezhi.figures.measures import Group, Key, Number, measures_of, raw_values
from shezhi.figures.periods import Period

Table = dict[str, dict[Key, Number]]


def measure_table(
    codes: Sequence[str], groups: Sequence[Group], periods: Sequence[Period], *, by: str = ""
) -> Table:
    """{measure code: {(group id, breakdown key, period index): value}} for the measures behind
    the figures `codes`."""
    return {m.code: raw_values(m, groups, periods, by) for m in measures_of(codes)}
