"""The volunteer's mobile "我的" page: their records, a record's detail, correction requests."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shezhi.core.errors import DomainError
from shezhi.core.page_errors import form_error
from shezhi.timebank.selectors import balance_of
from shezhi.volunteers import selectors, services
from shezhi.volunteers.models import (
    ServiceRecord,
)
from shezhi.web.paging import page_number, page_of
from shezhi.web.volunteers.forms import (
    CorrectionForm,
)
from shezhi.web.volunteers.views.common import get_or_404, optional_url


def _my_records(request: HttpRequest, total: int | None = None):
    """One page of the volunteer's records, newest first (30 a page, never counted twice)."""
    qs = selectors.service_records_of(request.user).order_by("-service_date", "-id")
    return page_of(qs, page_number(request.GET.get("page")), per_page=30, total=total)


def _me_page(request: HttpRequest, form: CorrectionForm | None = None, status: int = 200):
    page = get_or_404(selectors.my_page, actor=request.user, limit=0)
    # The correction form lives on each record's page; here it shows only to report errors
    # (rendering form widgets costs more than the rest of this page).
    return render(
        request,
        "web/volunteers/me.html",
        {
            "page": page,
            "records": _my_records(request, page.records_count),
            "form": form,
            "memberships": list(selectors.teams_of(volunteer=page.volunteer)),
            "balance": balance_of(volunteer=page.volunteer),
            "proofs_url": optional_url("proofs:mine"),
            "timebank_url": optional_url("timebank:mine"),
        },
        status=status,
    )


@login_required
def me(request: HttpRequest) -> HttpResponse:
    return _me_page(request)


def _my_record_page(request: HttpRequest, record: ServiceRecord, form=None, status: int = 200):
    return render(
        request,
        "web/volunteers/my_record.html",
        {
            "record": record,
            "versions": record.versions.order_by("-version"),
            "corrections": record.corrections.order_by("-created_at", "-id"),
            "form": form or CorrectionForm(fixed_record=record),
        },
        status=status,
    )


@login_required
def me_record(request: HttpRequest, record_id: int) -> HttpResponse:
    record = get_or_404(selectors.my_record, actor=request.user, record_id=record_id)
    return _my_record_page(request, record)


@login_required
@require_POST
def me_correct(request: HttpRequest) -> HttpResponse:
    """File a correction request, from the "我的" page or from one record's page."""
    records = _my_records(request).items
    on_record = request.POST.get("on_record") == "1"
    form = CorrectionForm(request.POST, records=records)
    if form.is_valid():
        try:
            services.correction_request_file(
                actor=request.user,
                record_id=form.cleaned_data["record"],
                changes=form.changes(),
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("更正申请已提交，等待记录单位核实。"))
            if on_record:
                return redirect("m:me_record", record_id=form.cleaned_data["record"])
            return redirect("m:me")
    if on_record and form.cleaned_data.get("record"):
        record = get_or_404(
            selectors.my_record, actor=request.user, record_id=form.cleaned_data["record"]
        )
        form.fields["record"].widget = CorrectionForm(fixed_record=record).fields["record"].widget
        return _my_record_page(request, record, form=form, status=400)
    return _me_page(request, form=form, status=400)
