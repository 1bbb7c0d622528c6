"""Plumbing shared by the casework pages: selector calls mapped onto 404/403, the generic
form page and case write, the status change of a referral or benefit task."""

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shezhi.accounts.models import User
from shezhi.cases import selectors
from shezhi.cases.permissions import CaseAction, case_role_actions
from shezhi.core.errors import DomainError, Forbidden, NotFound
from shezhi.core.page_errors import form_error, message_error, not_found
from shezhi.web.cases import forms


def call_selector(fn: Callable[..., Any], **kwargs: Any) -> Any:
    """A selector call: "not found" is a 404 page, a part the role may not see a 403."""
    try:
        return fn(**kwargs)
    except NotFound as exc:
        raise not_found(exc) from None
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None


def back_to_case(case_id: int) -> HttpResponse:
    return redirect("cases:detail", case_id=case_id)


def form_page(
    request: HttpRequest,
    form: django_forms.Form,
    title: str,
    case: Any,
    *,
    formset: Any = None,
    testid: str = "case-form",
) -> HttpResponse:
    has_errors = bool(form.errors) or bool(formset is not None and formset.total_error_count())
    return render(
        request,
        "web/cases/form.html",
        {"form": form, "title": title, "case": case, "formset": formset, "testid": testid},
        status=400 if request.method == "POST" and has_errors else 200,
    )


def case_write(
    request: HttpRequest,
    case_id: int,
    *,
    form_class: type[forms.DomainForm],
    title: str,
    perform: Callable[[User, int, dict[str, Any], Any], Any],
    done: str,
    form_kwargs: Callable[..., dict[str, Any]] | None = None,
    testid: str = "case-form",
    action: CaseAction,
) -> HttpResponse:
    """GET shows the form for a case the actor may see (a logged read) and whose relation to
    the case allows `action` (the service checks again, and checks the case's state); POST
    calls `perform` (one service) and returns to the case, or puts the service's message on
    the form."""
    access = call_selector(selectors.case_get, actor=request.user, case_id=case_id)
    if action not in case_role_actions(access):
        raise PermissionDenied(_("您在本个案中的角色不能进行此操作"))
    case = access.case
    extra = call_selector(form_kwargs, user=request.user, case_id=case.pk) if form_kwargs else {}
    form = form_class(request.POST or None, **extra)
    if request.method == "POST" and form.is_valid():
        try:
            perform(request.user, case.pk, form.cleaned_data, form)
        except DomainError as exc:
            form_error(form, exc, forbidden=True)
        else:
            messages.success(request, done)
            return back_to_case(case.pk)
    return form_page(request, form, title, case, testid=testid)


def child_case(model: Any, pk: int) -> int | None:
    return model.objects.filter(pk=pk).values_list("case_id", flat=True).first()


def child_status(
    request: HttpRequest,
    model: Any,
    pk: int,
    form: Any,
    perform: Callable[[dict[str, Any]], Any],
    done: Callable[[Any], str],
) -> HttpResponse:
    """A change to a row of a case (a referral's or benefit task's status, a team member's
    end): back to its case with a message; a bad form is shown only to someone who may see
    the case."""
    case_id = child_case(model, pk)
    if not form.is_valid():
        if case_id is None:
            raise Http404
        call_selector(selectors.case_access, actor=request.user, case_id=case_id)
        messages.error(request, "；".join(form.labelled_errors()))
        return back_to_case(case_id)
    try:
        obj = perform(form.cleaned_data)
    except DomainError as exc:
        message_error(request, exc, forbidden=True)
        return back_to_case(case_id or 0)
    messages.success(request, done(obj))
    return back_to_case(obj.case_id)
