"""长辈模式 and the community's phone for the page frame (base.html), each looked up once per
request."""

from django import template
from django.http import HttpRequest
from django.utils.translation import gettext

from shezhi.people import selectors as people_selectors
from shezhi.web.forms_base import RateForm

register = template.Library()


def _cached(request: HttpRequest, key: str, compute) -> object:
    cache = request.__dict__.setdefault("_resident_frame", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


@register.simple_tag(takes_context=True)
def elder_mode(context: template.Context) -> bool:
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return False
    return bool(_cached(request, "elder", lambda: people_selectors.elder_mode_for(request.user)))


@register.simple_tag(takes_context=True)
def community_phone(context: template.Context) -> str:
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return ""
    return str(
        _cached(request, "phone", lambda: people_selectors.community_phone_for(request.user))
    )


@register.filter
def rating_word(score: object) -> str:
    """很满意 … 很不满意 for a 1–5 score: residents read words, not numbers."""
    words = dict(RateForm.SCORES)
    return gettext(str(words[score])) if score in words else ""
