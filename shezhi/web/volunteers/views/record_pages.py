"""Desk pages for service records: list, new record, detail, corrections, late and held records."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shezhi.core.errors import DomainError
from shezhi.core.page_errors import form_error, message_error
from shezhi.volunteers import holds, selectors, services
from shezhi.volunteers.models import (
    ServiceRecord,
    Team,
)
from shezhi.volunteers.permissions import RecordAction, record_actions_for
from shezhi.web.access import staff_only
from shezhi.web.paging import page_number, page_of
from shezhi.web.volunteers.forms import (
    DecisionForm,
    HeldConfirmForm,
    HeldRejectForm,
    RecordFilterForm,
    RecordForm,
)
from shezhi.web.volunteers.views.common import get_or_404


@staff_only
def desk_records(request: HttpRequest) -> HttpResponse:
    form = RecordFilterForm(request.GET or None, status_choices=ServiceRecord.Status.choices)
    status, query = "", ""
    if form.is_valid():
        status, query = form.cleaned_data["status"], form.cleaned_data["q"]
    qs = selectors.records_in_scope(actor=request.user, status=status or None, query=query)
    page = page_of(qs, page_number(request.GET.get("page")))
    return render(request, "web/volunteers/desk_records.html", {"form": form, "page": page})


@staff_only
def desk_record_new(request: HttpRequest) -> HttpResponse:
    """记录志愿服务 ("谁组织谁记录"): the organising unit's social worker records a service."""
    units = {u.pk: u for u in selectors.recording_units(actor=request.user)[:500]}
    team_list = list(selectors.teams_in_scope(actor=request.user, status=Team.Status.FOUNDED)[:500])
    form = RecordForm(
        request.POST or None,
        units=units.values(),
        teams=team_list,
        initial={"volunteer_no": request.GET.get("volunteer", "")[:20]},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            volunteer = selectors.volunteer_get(actor=request.user, volunteer_no=d["volunteer_no"])
            team = next((t for t in team_list if t.pk == d["team"]), None)
            record = services.service_record_create(
                recorder=request.user,
                volunteer=volunteer,
                organiser_unit=units[d["organiser_unit"]],
                team=team,
                **form.record_fields(),
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            if record.status == ServiceRecord.Status.PENDING:
                messages.warning(
                    request, _("已记录。该记录超过记录期限，须经督导审批后才计入服务时长。")
                )
            else:
                messages.success(request, _("已记录志愿服务 %(h)s 小时。") % {"h": record.hours})
            return redirect("desk:record", record_id=record.pk)
    status = 400 if form.errors else 200
    return render(request, "web/volunteers/desk_record_new.html", {"form": form}, status=status)


@staff_only
def desk_record(request: HttpRequest, record_id: int) -> HttpResponse:
    record = get_or_404(selectors.record_get, actor=request.user, record_id=record_id)
    return render(
        request,
        "web/volunteers/desk_record.html",
        {
            "record": record,
            "versions": record.versions.select_related("changed_by").order_by("-version"),
            "corrections": record.corrections.select_related("requested_by", "decided_by").order_by(
                "-created_at", "-id"
            ),
            "decision_form": DecisionForm(),
            "actions": record_actions_for(request.user, record),
        },
    )


@staff_only
def desk_corrections(request: HttpRequest) -> HttpResponse:
    page = page_of(
        selectors.corrections_to_verify(actor=request.user), page_number(request.GET.get("page"))
    )
    return render(
        request, "web/volunteers/desk_corrections.html", {"page": page, "form": DecisionForm()}
    )


@staff_only
@require_POST
def desk_correction_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.correction_request_decide(
                actor=request.user,
                request_id=request_id,
                approve=form.approve,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            message_error(request, exc)
        else:
            messages.success(request, _("已处理更正申请。"))
    else:
        messages.error(request, _("请选择结论。"))
    return redirect("desk:corrections")


@staff_only
def desk_late_records(request: HttpRequest) -> HttpResponse:
    page = page_of(
        selectors.late_records_to_approve(actor=request.user), page_number(request.GET.get("page"))
    )
    # Each row asks the records' selector (the organiser unit is loaded with the row).
    rows = [(r, record_actions_for(request.user, r)) for r in page.items]
    return render(
        request,
        "web/volunteers/desk_late_records.html",
        {
            "page": page,
            "rows": rows,
            "form": DecisionForm(),
            "may_approve_none": bool(rows)
            and not any(RecordAction.APPROVE_LATE in actions for _, actions in rows),
        },
    )


@staff_only
@require_POST
def desk_late_decide(request: HttpRequest, record_id: int) -> HttpResponse:
    form = DecisionForm(request.POST)
    if form.is_valid():
        decide = (
            services.service_record_approve_late
            if form.approve
            else services.service_record_reject_late
        )
        try:
            decide(actor=request.user, record_id=record_id, note=form.cleaned_data["reason"])
        except DomainError as exc:
            message_error(request, exc)
        else:
            messages.success(request, _("已审批逾期记录。"))
    else:
        messages.error(request, _("请选择结论。"))
    return redirect("desk:late_records")


@staff_only
def desk_held_records(request: HttpRequest) -> HttpResponse:
    """Service records held for a social worker's confirmation, each with why it is held."""
    page = page_of(
        selectors.records_awaiting_confirmation(actor=request.user),
        page_number(request.GET.get("page")),
    )
    return render(request, "web/volunteers/desk_held_records.html", {"page": page})


@staff_only
@require_POST
def desk_held_confirm(request: HttpRequest, record_id: int) -> HttpResponse:
    form = HeldConfirmForm(request.POST)
    if form.is_valid():
        try:
            holds.service_record_confirm(
                actor=request.user,
                record_id=record_id,
                minutes=form.cleaned_data["minutes"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            message_error(request, exc)
        else:
            messages.success(request, _("已确认，该记录计入服务时长。"))
    else:
        messages.error(request, _("确认的服务时长应为1到1440之间的整数分钟。"))
    return redirect("desk:held_records")


@staff_only
@require_POST
def desk_held_reject(request: HttpRequest, record_id: int) -> HttpResponse:
    form = HeldRejectForm(request.POST)
    if form.is_valid():
        try:
            holds.service_record_reject(
                actor=request.user, record_id=record_id, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            message_error(request, exc)
        else:
            messages.success(request, _("已不予确认，该记录不计入服务时长。"))
    else:
        messages.error(request, _("请填写不予确认的理由。"))
    return redirect("desk:held_records")
