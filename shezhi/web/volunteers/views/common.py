"""What the volunteer pages share: optional links, 404 for out-of-scope objects, which side
(/m/ or /desk/) a request came through."""

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from shezhi.core.errors import NotFound
from shezhi.core.page_errors import not_found
from shezhi.volunteers.models import (
    TeamMembership,
)

Role = TeamMembership.TeamRole


def optional_url(name: str) -> str | None:
    """Links to pages other apps may or may not provide (proofs, time bank)."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def get_or_404(fn, **kwargs):
    """Call a selector; NotFound (missing or out of scope) becomes a 404 page."""
    try:
        return fn(**kwargs)
    except NotFound as exc:
        raise not_found(exc) from None


def side(request: HttpRequest) -> str:
    """ "desk" or "m": the namespace of the page the request came through."""
    return "desk" if request.resolver_match and request.resolver_match.namespace == "desk" else "m"
