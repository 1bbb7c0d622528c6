"""The list pages' paginator: one page of rows plus the list's total (every list page shows how
many rows it holds). Two queries whatever the list's length: the page (one row more than a page, to
know whether a next one exists) and one COUNT."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet


@dataclass(frozen=True)
class Page:
    items: list[Any]
    number: int
    has_next: bool
    total: int = 0
    per_page: int = 50

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def previous_number(self) -> int:
        return self.number - 1

    @property
    def pages(self) -> int:
        """How many pages the list fills (at least one, so an empty list reads 第 1/1 页)."""
        return max(1, -(-self.total // self.per_page))

    @property
    def paged(self) -> bool:
        """Whether the list runs over more than one page (the pager is shown only then)."""
        return self.has_previous or self.has_next


def page_number(raw: str | None) -> int:
    try:
        number = int(raw or 1)
    except ValueError:
        return 1
    return min(max(number, 1), 100_000)


def page_of(qs: QuerySet, number: int, per_page: int = 50, total: int | None = None) -> Page:
    """`total` when the caller has counted the list already (so it is not counted twice)."""
    start = (number - 1) * per_page
    rows = list(qs[start : start + per_page + 1])
    return Page(
        items=rows[:per_page],
        number=number,
        has_next=len(rows) > per_page,
        total=qs.count() if total is None else total,
        per_page=per_page,
    )
