"""Error codes the figures app raises beyond the cross-app ones in `core.errors.ErrorCode`.
Values are part of the API: never rename one."""

from enum import StrEnum


class FigureError(StrEnum):
    UNKNOWN_FIGURE = "unknown_figure"  # no figure with that code in the catalogue
    UNKNOWN_BREAKDOWN = "unknown_breakdown"  # the figure cannot be broken down that way
    BAD_PERIOD = "bad_period"  # the period cannot be read, ends before it starts, or is too long
