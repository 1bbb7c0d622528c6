"""Residents' data rights (PIPL arts. 44–47): the resident's own page (/m/privacy/) and the desk
(/desk/privacy/): requests with their deadlines, answering them, and a resident's data on their
behalf. Each view calls one selector or service of shezhi.privacy."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from shezhi.core.downloads import as_private_download
from shezhi.core.errors import DomainError
from shezhi.core.page_errors import form_or_message, message_error, not_found
from shezhi.people.models import Resident
from shezhi.privacy import selectors, services
from shezhi.privacy.export import resident_data, resident_data_pdf
from shezhi.privacy.permissions import (
    DataAction,
    RequestAction,
    data_actions_for,
    request_actions_for,
)
from shezhi.web.access import resident_only, staff_only
from shezhi.web.paging import page_number, page_of
from shezhi.web.privacy.forms import AnswerForm, RequestForm

PAGE_SIZE = 30


def _resident(request: HttpRequest, resident_id: int | None) -> Resident:
    try:
        return selectors.rights_resident(actor=request.user, resident_id=resident_id)
    except DomainError as exc:
        raise not_found(exc) from None


def _data_page(
    request: HttpRequest, resident: Resident, template: str, form: RequestForm | None = None
) -> HttpResponse:
    context = {
        "resident": resident,
        "data": resident_data(actor=request.user, resident=resident),
        "plan": selectors.deletion_plan(resident),
        "actions": data_actions_for(request.user, resident),
        "requests": selectors.requests_visible_to(request.user).filter(resident=resident),
        "form": form or RequestForm(),
        "today": timezone.localdate(),
    }
    return render(request, template, context)


def _file(request: HttpRequest, resident: Resident) -> RequestForm | None:
    """File the posted request; the bound form when it has errors to show, else None."""
    form = RequestForm(request.POST)
    if not form.is_valid():
        return form
    try:
        services.rights_request_create(
            actor=request.user,
            resident=resident,
            kind=form.cleaned_data["kind"],
            details=form.cleaned_data["details"],
        )
    except DomainError as exc:
        if form_or_message(request, form, exc):
            return form
        return None
    messages.success(request, _("请求已提交，我们会在答复期限内办理并通知您。"))
    return None


def _download(request: HttpRequest, resident: Resident, fmt: str) -> HttpResponse:
    try:
        if fmt == "pdf":
            content = resident_data_pdf(actor=request.user, resident=resident)
            response = HttpResponse(content, content_type="application/pdf")
            name = "个人信息副本.pdf"
        else:
            data = resident_data(actor=request.user, resident=resident, purpose="export")
            response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
            name = "个人信息副本.json"
    except DomainError as exc:
        if exc.status in (403, 404):
            raise not_found(exc) from None
        message_error(request, exc)
        return redirect(request.META.get("HTTP_REFERER") or "privacy:mine")
    return as_private_download(response, name)


# --- the resident's own page --------------------------------------------------------------


@resident_only
@require_http_methods(["GET", "POST"])
def mine(request: HttpRequest) -> HttpResponse:
    resident = _resident(request, None)
    if request.method == "POST":
        form = _file(request, resident)
        if form is None:
            return redirect("privacy:mine")
        return _data_page(request, resident, "web/privacy/mine.html", form)
    return _data_page(request, resident, "web/privacy/mine.html")


@resident_only
@require_GET
def mine_download(request: HttpRequest, fmt: str) -> HttpResponse:
    return _download(request, _resident(request, None), fmt)


# --- the desk -----------------------------------------------------------------------------


@staff_only
@require_GET
def desk_list(request: HttpRequest) -> HttpResponse:
    only_open = request.GET.get("all") != "1"
    rows = selectors.requests_for_desk(actor=request.user, only_open=only_open)
    page = page_of(rows, page_number(request.GET.get("page")), per_page=PAGE_SIZE)
    context = {"page": page, "only_open": only_open, "today": timezone.localdate()}
    return render(request, "web/privacy/desk_list.html", context)


@staff_only
@require_http_methods(["GET", "POST"])
def desk_resident(request: HttpRequest, resident_id: int) -> HttpResponse:
    resident = _resident(request, resident_id)
    if request.method == "POST":
        form = _file(request, resident)
        if form is None:
            return redirect("privacy:desk_resident", resident_id=resident.pk)
        return _data_page(request, resident, "web/privacy/desk_resident.html", form)
    return _data_page(request, resident, "web/privacy/desk_resident.html")


@staff_only
@require_GET
def desk_download(request: HttpRequest, resident_id: int, fmt: str) -> HttpResponse:
    return _download(request, _resident(request, resident_id), fmt)


@staff_only
@require_http_methods(["GET", "POST"])
def desk_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    try:
        req = selectors.request_get(actor=request.user, request_id=request_id)
    except DomainError as exc:
        raise not_found(exc) from None
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.rights_request_answer(
                actor=request.user,
                request=req,
                accept=form.cleaned_data["decision"] == "accept",
                answer=form.cleaned_data["answer"],
            )
        except DomainError as exc:
            if not form_or_message(request, form, exc):
                return redirect("privacy:desk_detail", request_id=req.pk)
        else:
            messages.success(request, _("已办理，居民会收到通知。"))
            return redirect("privacy:desk_detail", request_id=req.pk)
    context = {
        "req": req,
        "form": form,
        "can_answer": RequestAction.ANSWER in request_actions_for(request.user, req),
        "plan": selectors.deletion_plan(req.resident) if req.kind == "deletion" else None,
        "can_view_data": DataAction.VIEW in data_actions_for(request.user, req.resident),
        "today": timezone.localdate(),
    }
    return render(request, "web/privacy/desk_detail.html", context)
