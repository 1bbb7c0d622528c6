"""Need pages (the four orders): residents' and helpers' phone pages, the desk ledger and
dispatch, and the site's home.

Each view parses input, calls one service or selector and renders. A DomainError from a service
goes back onto the form (or into a message) in Chinese; NotFound becomes a 404."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shezhi.care import selectors as care_selectors
from shezhi.cases.permissions import CaseDeskAction, case_desk_actions_for
from shezhi.core.errors import DomainError
from shezhi.core.page_errors import NO_OBJECT, form_error, form_or_message, message_error, not_found
from shezhi.needs import selectors as need_selectors
from shezhi.needs import services as need_services
from shezhi.needs.models import Need
from shezhi.needs.permissions import NeedAction, need_actions_for
from shezhi.needs.workflow import STATUS_LABELS, Status
from shezhi.volunteers import selectors as volunteer_selectors
from shezhi.web.access import helper_only, resident_only, staff_only
from shezhi.web.forms_base import RateForm
from shezhi.web.navigation import start_page
from shezhi.web.needs import forms
from shezhi.web.needs.ledger_rows import ledger_rows
from shezhi.web.paging import page_number, page_of
from shezhi.web.pickers import label_pickers


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return redirect("login")
    return redirect(start_page(user))


# --- resident (mobile) ---------------------------------------------------------------------


@resident_only
def resident_needs(request: HttpRequest) -> HttpResponse:
    """我的订单."""
    needs = need_selectors.needs_visible_to(request.user).order_by("-created_at", "-id")
    page = page_of(needs, page_number(request.GET.get("page")))
    return render(request, "web/m/my_needs.html", {"page": page})


def _resident_need_page(request, need: Need, *, rate_form=None, cancel_form=None, status=200):
    return render(
        request,
        "web/m/need_detail.html",
        {
            "need": need,
            "transitions": need.transitions.select_related("actor"),
            "actions": need_actions_for(request.user, need),
            "rate_form": rate_form or RateForm(),
            "cancel_form": cancel_form or forms.ReasonForm(),
        },
        status=status,
    )


def _get_need(request: HttpRequest, need_id: int) -> Need:
    try:
        return need_selectors.need_get(actor=request.user, need_id=need_id)
    except DomainError as exc:
        raise not_found(exc) from None


@resident_only
def resident_need(request: HttpRequest, need_id: int) -> HttpResponse:
    return _resident_need_page(request, _get_need(request, need_id))


@resident_only
@require_POST
def resident_rate(request: HttpRequest, need_id: int) -> HttpResponse:
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            need_services.need_rate(actor=request.user, need_id=need_id, **form.cleaned_data)
        except DomainError as exc:
            if not form_or_message(request, form, exc):
                return redirect("m:need", need_id=need_id)
        else:
            messages.success(request, _("感谢您的评价！"))
            return redirect("m:need", need_id=need_id)
    return _resident_need_page(request, _get_need(request, need_id), rate_form=form, status=400)


@resident_only
@require_POST
def resident_cancel(request: HttpRequest, need_id: int) -> HttpResponse:
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        try:
            need_services.need_cancel(
                actor=request.user, need_id=need_id, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            if not form_or_message(request, form, exc):
                return redirect("m:need", need_id=need_id)
        else:
            messages.success(request, _("需求已取消。"))
            return redirect("m:need", need_id=need_id)
    return _resident_need_page(request, _get_need(request, need_id), cancel_form=form, status=400)


# --- helpers: volunteers, team leaders, partners (mobile) ---------------------------------


@helper_only
def helper_orders(request: HttpRequest) -> HttpResponse:
    orders = need_selectors.helper_orders(actor=request.user)
    return render(request, "web/m/orders.html", {"orders": orders})


def _order_page(request, need: Need, *, complete_form=None, decline_form=None, status=200):
    is_taker = need.accepted_by_id == request.user.pk
    contact = need_selectors.need_contact_for_taker(actor=request.user, need=need)
    return render(
        request,
        "web/m/order_detail.html",
        {
            "need": need,
            "contact": contact,
            "is_taker": is_taker,
            "actions": need_actions_for(request.user, need),
            "transitions": need.transitions.select_related("actor"),
            "complete_form": complete_form or forms.CompleteForm(),
            "decline_form": decline_form or forms.ReasonForm(),
        },
        status=status,
    )


@helper_only
def helper_order(request: HttpRequest, need_id: int) -> HttpResponse:
    return _order_page(request, _get_need(request, need_id))


def _order_action(request: HttpRequest, need_id: int, call: Callable[[], object], done: str):
    try:
        call()
    except DomainError as exc:
        message_error(request, exc)
    else:
        messages.success(request, done)
    return redirect("m:order", need_id=need_id)


@helper_only
@require_POST
def helper_accept(request: HttpRequest, need_id: int) -> HttpResponse:
    return _order_action(
        request,
        need_id,
        lambda: need_services.need_accept(actor=request.user, need_id=need_id),
        _("接单成功，请尽快联系服务对象。"),
    )


@helper_only
@require_POST
def helper_start(request: HttpRequest, need_id: int) -> HttpResponse:
    return _order_action(
        request,
        need_id,
        lambda: need_services.need_start(actor=request.user, need_id=need_id),
        _("已开始服务。"),
    )


@helper_only
@require_POST
def helper_decline(request: HttpRequest, need_id: int) -> HttpResponse:
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        try:
            need_services.need_return(
                actor=request.user, need_id=need_id, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            if not form_or_message(request, form, exc):
                return redirect("m:order", need_id=need_id)
        else:
            messages.success(request, _("已退回，社工会重新派单。"))
            return redirect("m:orders")
    return _order_page(request, _get_need(request, need_id), decline_form=form, status=400)


@helper_only
@require_POST
def helper_complete(request: HttpRequest, need_id: int) -> HttpResponse:
    form = forms.CompleteForm(request.POST)
    if form.is_valid():
        try:
            need_services.need_complete(actor=request.user, need_id=need_id, **form.cleaned_data)
        except DomainError as exc:
            if not form_or_message(request, form, exc):
                return redirect("m:order", need_id=need_id)
        else:
            messages.success(
                request, _("已办结，已记入您的志愿服务记录；居民评价确认后计入服务时长。")
            )
            return redirect("m:order", need_id=need_id)
    return _order_page(request, _get_need(request, need_id), complete_form=form, status=400)


@helper_only
def helper_hours(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/m/hours.html",
        {
            "page": page_of(
                volunteer_selectors.service_records_of(request.user),
                page_number(request.GET.get("page")),
            ),
            "total_hours": volunteer_selectors.total_hours_of(request.user),
        },
    )


# --- desk console (staff) -----------------------------------------------------------------


@staff_only
def desk_home(request: HttpRequest) -> HttpResponse:
    counts = need_selectors.ledger_counts(actor=request.user)
    status_counts = [(s.value, STATUS_LABELS[s], counts[s.value]) for s in Status]
    crises = care_selectors.alerts_open(actor=request.user, kind="crisis").count()
    context = {"counts": counts, "status_counts": status_counts, "crises": crises}
    return render(request, "web/desk/home.html", context)


@staff_only
def desk_needs(request: HttpRequest) -> HttpResponse:
    form = forms.LedgerFilterForm(request.GET or None)
    now = timezone.now()
    qs = need_selectors.ledger(actor=request.user, filters=form.to_filter(), now=now)
    page = page_of(qs, page_number(request.GET.get("page")))
    context = {"form": form, "page": page, "rows": ledger_rows(page.items, now)}
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "web/desk/needs.html", context, status=status)


@staff_only
def desk_need_new(request: HttpRequest) -> HttpResponse:
    initial = {"resident": request.GET.get("resident")} if request.GET.get("resident") else None
    form = forms.IntakeForm(request.POST or None, initial=initial)
    label_pickers(form, request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            need = need_services.need_create(
                actor=request.user, resident_id=data.pop("resident"), **data
            )
        except DomainError as exc:
            if exc.status == 404 and exc.field is None:
                exc.field = "resident"  # a resident outside the actor's scope
            form_error(form, exc, objects=NO_OBJECT)
        else:
            messages.success(request, _("需求已登记。"))
            return redirect("desk:need", need_id=need.pk)
    status = 400 if form.errors else 200
    return render(request, "web/desk/need_new.html", {"form": form}, status=status)


def _desk_need_page(request: HttpRequest, need: Need, status: int = 200, **bound) -> HttpResponse:
    user = request.user
    actions = need_actions_for(user, need)
    candidates = []
    if actions & {NeedAction.DISPATCH, NeedAction.REDISPATCH}:
        candidates = need_selectors.dispatch_candidates(actor=user, need=need)
    context = {
        "need": need,
        "now": timezone.now(),
        "overdue": need.is_overdue(),
        "transitions": need.transitions.select_related("actor"),
        "actions": actions,
        "may_open_case": CaseDeskAction.OPEN_CASE in case_desk_actions_for(user),
        "candidate_rows": [
            (
                f"{r.candidate.kind}:{r.candidate.id}",
                r,
                Need.AssigneeKind(r.candidate.kind).label,
            )
            for r in candidates
        ],
        "dispatch_form": bound.get("dispatch_form")
        or forms.DispatchForm(initial={"expected_version": need.version}),
        "cancel_form": bound.get("cancel_form") or forms.ReasonForm(prefix="cancel"),
        "unresolvable_form": bound.get("unresolvable_form") or forms.ReasonForm(prefix="unres"),
        "review_form": bound.get("review_form") or forms.ReviewForm(),
        "waive_form": bound.get("waive_form") or forms.ReasonForm(prefix="waive"),
        "edit_form": bound.get("edit_form") or forms.NeedEditForm.for_need(need),
        "open_panel": bound.get("open_panel", ""),
        "notices": need_selectors.need_notices(actor=user, need=need),
    }
    return render(request, "web/desk/need_detail.html", context, status=status)


@staff_only
def desk_need(request: HttpRequest, need_id: int) -> HttpResponse:
    return _desk_need_page(request, _get_need(request, need_id))


def _desk_post(request, need_id, form, form_key, call, done):
    """Validate `form`, run the service `call(cleaned_data)`, and either redirect with a message
    or show the detail page again with the error on the form."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except DomainError as exc:
            if not form_or_message(request, form, exc):
                return redirect("desk:need", need_id=need_id)
        else:
            messages.success(request, done)
            return redirect("desk:need", need_id=need_id)
    need = _get_need(request, need_id)
    return _desk_need_page(request, need, status=400, **{form_key: form, "open_panel": form_key})


@staff_only
@require_POST
def desk_dispatch(request: HttpRequest, need_id: int) -> HttpResponse:
    _get_need(request, need_id)  # 404 before anything else for an outsider
    form = forms.DispatchForm(request.POST)

    def call(d):
        kind, target_id = form.target()
        need_services.need_dispatch(
            actor=request.user,
            need_id=need_id,
            target_kind=kind,
            target_id=target_id,
            note=d["note"],
            expected_version=d["expected_version"],
        )

    return _desk_post(request, need_id, form, "dispatch_form", call, _("派单成功。"))


@staff_only
@require_POST
def desk_cancel(request: HttpRequest, need_id: int) -> HttpResponse:
    return _desk_post(
        request,
        need_id,
        forms.ReasonForm(request.POST, prefix="cancel"),
        "cancel_form",
        lambda d: need_services.need_cancel(
            actor=request.user, need_id=need_id, reason=d["reason"]
        ),
        _("需求已取消。"),
    )


@staff_only
@require_POST
def desk_unresolvable(request: HttpRequest, need_id: int) -> HttpResponse:
    return _desk_post(
        request,
        need_id,
        forms.ReasonForm(request.POST, prefix="unres"),
        "unresolvable_form",
        lambda d: need_services.need_mark_unresolvable(
            actor=request.user, need_id=need_id, reason=d["reason"]
        ),
        _("已标记为无法办理。"),
    )


@staff_only
@require_POST
def desk_waive_start(request: HttpRequest, need_id: int) -> HttpResponse:
    return _desk_post(
        request,
        need_id,
        forms.ReasonForm(request.POST, prefix="waive"),
        "waive_form",
        lambda d: need_services.need_waive_start_window(
            actor=request.user, need_id=need_id, reason=d["reason"]
        ),
        _("已准许接单人不按预约时间开始服务。"),
    )


@staff_only
@require_POST
def desk_review(request: HttpRequest, need_id: int) -> HttpResponse:
    return _desk_post(
        request,
        need_id,
        forms.ReviewForm(request.POST),
        "review_form",
        lambda d: need_services.need_review(
            actor=request.user,
            need_id=need_id,
            reopen=d["decision"] == "reopen",
            note=d["note"],
        ),
        _("复核已完成。"),
    )


@staff_only
@require_POST
def desk_edit(request: HttpRequest, need_id: int) -> HttpResponse:
    form = forms.NeedEditForm(request.POST)
    return _desk_post(
        request,
        need_id,
        form,
        "edit_form",
        lambda d: need_services.need_update(
            actor=request.user,
            need_id=need_id,
            expected_version=d["expected_version"],
            **form.changes(),
        ),
        _("需求已保存。"),
    )
