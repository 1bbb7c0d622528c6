from django import template
from django.forms import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from shezhi.web.navigation import nav_for

register = template.Library()


@register.filter
def tr(value: object) -> str:
    """Translate a label that comes from the database or a model choice (see web/labels.py)."""
    text = str(value) if value is not None else ""
    return gettext(text) if text else ""


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


@register.simple_tag(takes_context=True)
def nav_groups(context: template.Context) -> list:
    """The main navigation of the logged-in user, the current page marked (see web.navigation)."""
    request = context.get("request")
    if request is None:
        return []
    return nav_for(request.user, request.path)
