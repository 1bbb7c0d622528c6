"""Residents' 点单 in a few taps (a service tile, a time choice, 提交), the same form for a grid
worker or social worker ordering on a resident's behalf from their phone, and the 长辈模式
switch."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shezhi.accounts import services as account_services
from shezhi.core.ages import age_on
from shezhi.core.errors import DomainError
from shezhi.core.page_errors import form_error, not_found
from shezhi.needs import selectors as need_selectors
from shezhi.needs import services as need_services
from shezhi.people import selectors as people_selectors
from shezhi.people.models import Resident
from shezhi.web.access import resident_only, staff_only
from shezhi.web.residents import forms

BEHALF_RESULTS = 20


def _order_page(
    request: HttpRequest, *, resident: Resident | None, action: str, done_message: str
) -> HttpResponse:
    """Step 1 (no category yet): the service tiles. Step 2: the time choice, a sentence if the
    resident wants, the urgency (一般 unless changed) and 提交."""
    if request.method == "POST":
        form = forms.OrderForm(request.POST)
    else:
        form = forms.OrderForm(initial={"category": request.GET.get("category", "")})
    chosen = request.method == "POST" or request.GET.get("category") in form.category_names
    if request.method == "POST" and form.is_valid():
        extra = {"resident_id": resident.pk} if resident is not None else {}
        try:
            need = need_services.need_create(actor=request.user, **form.service_kwargs(), **extra)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, done_message)
            if resident is not None:
                return redirect("desk:need", need_id=need.pk)
            return redirect("m:need", need_id=need.pk)
    context = {
        "form": form,
        "chosen": chosen,
        "tiles": need_selectors.resident_catalogue(),
        "resident": resident,
        "action": action,
    }
    return render(request, "web/m/order_form.html", context, status=400 if form.errors else 200)


@resident_only
def resident_home(request: HttpRequest) -> HttpResponse:
    """我要点单."""
    return _order_page(
        request,
        resident=None,
        action=reverse("m:home"),
        done_message=_("已提交，社区社工会尽快和您联系。"),
    )


@staff_only
def behalf_search(request: HttpRequest) -> HttpResponse:
    """代居民点单: find the resident by name (or address, ID number, phone) within one's scope."""
    form = forms.ResidentSearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    found = (
        list(people_selectors.residents_search(actor=request.user, query=query)[:BEHALF_RESULTS])
        if query
        else []
    )
    today = timezone.localdate()
    # Names stay masked as on the desk, except the one the worker typed in full: showing it
    # reveals nothing new and tells apart the five 王** of a compound.
    residents = [
        (r, r.name if r.name == query else r.masked_name, age_on(r.birth_date, today))
        for r in found
    ]
    context = {"form": form, "query": query, "residents": residents}
    return render(request, "web/m/behalf_search.html", context)


@staff_only
def behalf_order(request: HttpRequest, resident_id: int) -> HttpResponse:
    try:
        resident = people_selectors.resident_get(actor=request.user, resident_id=resident_id)
    except DomainError as exc:
        raise not_found(exc) from None
    return _order_page(
        request,
        resident=resident,
        action=reverse("m:behalf_order", args=[resident.pk]),
        done_message=_("已为居民下单，请告诉居民社工会尽快联系。"),
    )


@login_required
@require_POST
def elder_mode(request: HttpRequest) -> HttpResponse:
    """长辈模式 on ("1"), off ("0"), or back to the default by age ("")."""
    value = {"1": True, "0": False}.get(request.POST.get("on", ""))
    account_services.user_set_elder_mode(actor=request.user, enabled=value)
    done = {True: _("已打开长辈模式。"), False: _("已关闭长辈模式。"), None: _("已恢复默认设置。")}
    messages.success(request, done[value])
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = reverse("home")
    return redirect(target)
