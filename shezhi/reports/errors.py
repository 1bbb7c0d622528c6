"""Error codes the reports app raises beyond `core.errors.ErrorCode`. Never rename a value."""

from enum import StrEnum


class ReportError(StrEnum):
    PERIOD_NOT_ENDED = "period_not_ended"  # a report for a month or year that has not ended
    DUPLICATE = "duplicate"  # the unit already has a report for this period
    FONT_MISSING = "font_missing"  # the CJK font for the PDF is not installed
