"""One way for a page to show a service's DomainError (the API's counterpart is api/errors.py);
every page (web/, proofs/) uses it instead of its own `except` handling.

An error about the object the page is for (not found or outside the user's scope) is a 404
page; with forbidden=True a 403 is a 403 page. Anything else is shown where the user acts: on
the form field it names, among the form's general errors, or as a message above the page the
view redirects to. Messages are the service's own Chinese text."""

from collections.abc import Container

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from shezhi.core.errors import DomainError

# Which `field` of a NotFound means "the page's own object": by default one naming no field.
PAGE_OBJECT: Container[str | None] = frozenset({None})
NO_OBJECT: Container[str | None] = frozenset()


class _AnyField:
    def __contains__(self, field: object) -> bool:
        return True


ANY_FIELD: Container[str | None] = _AnyField()


def page_errors(
    exc: DomainError,
    *,
    objects: Container[str | None] = PAGE_OBJECT,
    forbidden: bool = False,
) -> None:
    """Raise the 404 (or, with forbidden=True, 403) page the error calls for, if any."""
    if exc.status == 404 and exc.field in objects:
        raise Http404(exc.message)
    if forbidden and exc.status == 403:
        raise PermissionDenied(exc.message)


def not_found(exc: DomainError) -> Http404:
    """For a read: whatever the service refused, the page does not exist for this user."""
    return Http404(exc.message)


def put_on_form(form: forms.Form, exc: DomainError, *, general: bool = True) -> bool:
    """The error on the field it names (a form may rename service fields in `domain_fields`),
    else among the form's general errors, or (general=False) nowhere: returns False."""
    renames: dict[str, str] = getattr(form, "domain_fields", {})
    field = renames.get(exc.field or "", exc.field)
    if field in form.fields:
        form.add_error(field, exc.message)
        return True
    if general:
        form.add_error(None, exc.message)
        return True
    return False


def form_error(
    form: forms.Form,
    exc: DomainError,
    *,
    objects: Container[str | None] = PAGE_OBJECT,
    forbidden: bool = False,
    general: bool = True,
) -> bool:
    """Put the error on the form field it names, else among the form's general errors (or,
    with general=False, leave it to the caller: returns False)."""
    page_errors(exc, objects=objects, forbidden=forbidden)
    return put_on_form(form, exc, general=general)


def message_error(
    request: HttpRequest,
    exc: DomainError,
    *,
    objects: Container[str | None] = PAGE_OBJECT,
    forbidden: bool = False,
) -> None:
    """An action without a form (a button): the error as a message above the next page."""
    page_errors(exc, objects=objects, forbidden=forbidden)
    messages.error(request, exc.message)


def form_or_message(request: HttpRequest, form: forms.Form, exc: DomainError) -> bool:
    """A form on a detail page: on its field if it names one (True), otherwise as a message
    above the freshly loaded page (False: the caller redirects)."""
    if form_error(form, exc, general=False):
        return True
    messages.error(request, exc.message)
    return False
