"""The desk ledger's table rows, rendered in Python.

The ledger is the busiest page: 50 rows of ten cells through the template engine cost about three
times the database query. Formatting the rows here, with each label translated once per page,
keeps the page near the cost of its query (see benchmarks/ledger.py)."""

from collections.abc import Iterable
from datetime import datetime
from functools import cache

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext

from shezhi.needs.models import Need

ROW = (
    '<tr class="{}"><td>#{}</td><td><a href="{}">{}</a>{}</td><td>{}</td>'
    '<td><span class="urgency urgency-{}">{}</span></td><td>{}</td>'
    '<td><span class="status status-{}">{}</span></td><td>{}</td>'
    '<td class="when">{}</td><td class="when">{}</td></tr>'
)


@cache
def _label(text: str, language: str) -> str:
    return gettext(text)


def _when(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def ledger_rows(needs: Iterable[Need], now: datetime) -> SafeString:
    language = get_language() or ""
    overdue_flag = format_html(
        '<span class="flag flag-overdue">{}</span>', _label("超期", language)
    )
    review_flag = format_html(
        '<span class="flag flag-review">{}</span>', _label("待复核", language)
    )
    detail = reverse("desk:need", args=[0]).removesuffix("0/")  # one reverse per page

    def cells(need: Need) -> tuple[object, ...]:
        overdue = need.is_overdue(now)
        flags = (overdue_flag if overdue else "") + (review_flag if need.needs_review else "")
        return (
            "overdue" if overdue else "",
            need.pk,
            f"{detail}{need.pk}/",
            need.title,
            SafeString(flags),
            _label(need.category.name, language),
            need.urgency.code,
            _label(need.urgency.name, language),
            _label(need.get_source_display(), language),
            need.status,
            _label(need.status_label, language),
            need.community.name,
            _when(need.created_at),
            _when(need.resolve_by),
        )

    return format_html_join("\n", ROW, (cells(n) for n in needs))
