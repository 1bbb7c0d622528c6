from datetime import datetime

from django import template
from django.forms import BoundField
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language, gettext

from shezhi.care.permissions import care_actions_for
from shezhi.core import plaintime
from shezhi.web.navigation import nav_for

register = template.Library()


@register.filter
def tr(value: object) -> str:
    """Translate a label that comes from the database or a model choice (see web/labels.py)."""
    text = str(value) if value is not None else ""
    return gettext(text) if text else ""


@register.simple_tag(takes_context=True)
def care_actions(context: template.Context) -> frozenset[str]:
    """What the care pages offer the signed-in user (links are shown from this, not from role
    names typed into templates)."""
    user = context["request"].user
    return care_actions_for(user) if user.is_authenticated else frozenset()


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: object) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params[key] = value
    return params.urlencode()


@register.simple_tag
def fast_select(field: BoundField) -> str:
    """A <select> for a bound ChoiceField, built in Python: the ledger's filter bar renders on
    every request and Django's widget templates cost more than the page's rows."""
    current = str(field.value() or "")
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, " selected" if str(value) == current else "", label)
            for value, label in field.field.choices
        ),
    )
    return format_html(
        '<select name="{}" id="{}">{}</select>', field.html_name, field.auto_id, options
    )


@register.filter
def plain_when(value: datetime | None) -> str:
    """An aware time in Asia/Shanghai said plainly ("明天上午 8:00", "12月4日 周五 08:00")."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    if not (get_language() or "zh").startswith("zh"):
        return date_format(local, "D, M j, H:i")
    return plaintime.plain_datetime(local, timezone.localdate())


@register.filter
def plain_minutes(value: int | None) -> str:
    """Minutes as "2 小时 5 分钟" (English: "2 h 5 min")."""
    minutes = int(value or 0)
    if not (get_language() or "zh").startswith("zh"):
        hours, rest = divmod(max(0, minutes), 60)
        return f"{hours} h {rest} min" if hours else f"{rest} min"
    return plaintime.plain_duration(minutes)


@register.filter
def plain_until(until: datetime | None, start: datetime | None) -> str:
    """The end of a window: only the clock when it ends on the day it starts."""
    if until is None:
        return ""
    if start is not None and timezone.localdate(until) == timezone.localdate(start):
        return f"{timezone.localtime(until):%H:%M}"
    return plain_when(until)


@register.simple_tag(takes_context=True)
def nav_groups(context: template.Context) -> list:
    """The main navigation of the logged-in user, the current page marked (see web.navigation)."""
    request = context.get("request")
    if request is None:
        return []
    return nav_for(request.user, request.path)
