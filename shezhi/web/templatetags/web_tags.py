from django import template
from django.utils.translation import gettext

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
