"""The desk's resident pages: search, the masked detail, 显示完整信息 (audited, never in the
URL) and the SMS-notices switch."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shezhi.core.errors import DomainError
from shezhi.core.page_errors import message_error, not_found
from shezhi.people import selectors as people_selectors
from shezhi.people import services as people_services
from shezhi.web.access import staff_only
from shezhi.web.paging import page_number, page_of
from shezhi.web.residents import forms


@staff_only
def desk_residents(request: HttpRequest) -> HttpResponse:
    form = forms.ResidentSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    qs = people_selectors.residents_search(actor=request.user, query=query)
    page = page_of(qs, page_number(request.GET.get("page")))
    return render(request, "web/desk/residents.html", {"form": form, "page": page})


def _resident_page(request: HttpRequest, resident, revealed: bool) -> HttpResponse:
    return render(
        request, "web/desk/resident_detail.html", {"resident": resident, "revealed": revealed}
    )


@staff_only
def desk_resident(request: HttpRequest, resident_id: int) -> HttpResponse:
    try:
        resident = people_selectors.resident_get(actor=request.user, resident_id=resident_id)
    except DomainError as exc:
        raise not_found(exc) from None
    return _resident_page(request, resident, revealed=False)


@staff_only
@require_POST
def desk_resident_sms(request: HttpRequest, resident_id: int) -> HttpResponse:
    """Register that a resident is told of their needs by SMS (no smartphone), or stop it."""
    on = request.POST.get("sms_notices") == "on"
    try:
        people_services.resident_update(actor=request.user, resident_id=resident_id, sms_notices=on)
    except DomainError as exc:
        message_error(request, exc)
    else:
        messages.success(request, _("已开通短信通知") if on else _("已关闭短信通知"))
    return redirect("desk:resident", resident_id=resident_id)


@staff_only
@require_POST
def desk_resident_reveal(request: HttpRequest, resident_id: int) -> HttpResponse:
    """显示完整信息: rendered once in the response, never stored in the page's URL."""
    try:
        resident = people_selectors.resident_reveal(actor=request.user, resident_id=resident_id)
    except DomainError as exc:
        message_error(request, exc)
        return redirect("desk:resident", resident_id=resident_id)
    return _resident_page(request, resident, revealed=True)
