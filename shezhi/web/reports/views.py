"""Reports (/desk/reports/): the list with its total, starting a draft, editing its text,
issuing it (印发), downloading a draft's preview and every issued version; and the Excel export
of any figure table (/desk/reports/figures.xlsx?unit=&kind=&value=), linked from the figures
pages. Each view calls one selector or service of shezhi.reports."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shezhi.core.downloads import PDF, XLSX, private_download
from shezhi.core.errors import DomainError
from shezhi.core.page_errors import form_or_message, message_error, not_found
from shezhi.reports import downloads, selectors, services
from shezhi.reports.models import Report
from shezhi.reports.permissions import (
    ReportAction,
    may_draft_reports,
    may_read_reports,
    report_actions_for,
)
from shezhi.web.access import staff_only
from shezhi.web.paging import page_number, page_of
from shezhi.web.reports.forms import EditReportForm, IssueForm, NewReportForm

PAGE_SIZE = 30


def _readers_only(request: HttpRequest) -> None:
    if not may_read_reports(request.user):
        raise PermissionDenied


def _report(request: HttpRequest, report_id: int) -> Report:
    try:
        return selectors.report_get(actor=request.user, report_id=report_id)
    except DomainError as exc:
        raise not_found(exc) from None


@staff_only
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    _readers_only(request)
    kind = request.GET.get("kind", "")
    kind = kind if kind in Report.Kind.values else ""
    rows = selectors.report_list(actor=request.user, kind=kind)
    page = page_of(rows, page_number(request.GET.get("page")), per_page=PAGE_SIZE)
    context = {
        "page": page,
        "total": rows.count(),
        "kind": kind,
        "kinds": Report.Kind.choices,
        "may_draft": may_draft_reports(request.user),
    }
    return render(request, "web/reports/list.html", context)


@staff_only
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    if not may_draft_reports(request.user):
        raise PermissionDenied
    units = selectors.draftable_units(actor=request.user)
    form = NewReportForm(request.POST or None, units=units, initial={"kind": "monthly"})
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_start(
                actor=request.user,
                unit_id=form.cleaned_data["unit"],
                kind=form.cleaned_data["kind"],
                value=form.cleaned_data["value"],
            )
        except DomainError as exc:
            form_or_message(request, form, exc)
        else:
            messages.success(request, _("已起草，请填写工作小结，预览无误后印发。"))
            return redirect("reports:detail", report_id=report.pk)
    return render(request, "web/reports/new.html", {"form": form})


@staff_only
@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    actions = report_actions_for(request.user, report)
    form = None
    if ReportAction.EDIT in actions:
        form = EditReportForm(
            request.POST or None,
            initial={
                "title": report.title,
                "narrative": report.narrative,
                "revision": report.revision,
            },
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.report_edit(actor=request.user, report=report, **form.cleaned_data)
            except DomainError as exc:
                if not form_or_message(request, form, exc):
                    return redirect("reports:detail", report_id=report.pk)
            else:
                messages.success(request, _("已保存。"))
                return redirect("reports:detail", report_id=report.pk)
    elif request.method == "POST":
        raise PermissionDenied
    context = {
        "report": report,
        "actions": actions,
        "can_edit": ReportAction.EDIT in actions,
        "can_issue": ReportAction.ISSUE in actions,
        "form": form,
        "versions": list(selectors.report_versions(report)),
    }
    return render(request, "web/reports/detail.html", context)


@staff_only
@require_POST
def report_issue(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    form = IssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请刷新页面后再印发"))
        return redirect("reports:detail", report_id=report.pk)
    try:
        version = services.report_issue(
            actor=request.user, report=report, revision=form.cleaned_data["revision"]
        )
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from None
        message_error(request, exc)
    else:
        messages.success(
            request, _("已印发第 %(n)s 版，上级负责人会收到通知。") % {"n": version.number}
        )
    return redirect("reports:detail", report_id=report.pk)


@staff_only
@require_GET
def report_preview(request: HttpRequest, report_id: int, fmt: str) -> HttpResponse:
    report = _report(request, report_id)
    try:
        content, name = downloads.preview_file(actor=request.user, report=report, fmt=fmt)
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from None
        message_error(request, exc)
        return redirect("reports:detail", report_id=report.pk)
    return private_download(content, name, PDF if fmt == "pdf" else XLSX)


@staff_only
@require_GET
def version_download(request: HttpRequest, report_id: int, number: int, fmt: str) -> HttpResponse:
    try:
        version = selectors.version_get(actor=request.user, report_id=report_id, number=number)
    except DomainError as exc:
        raise not_found(exc) from None
    content, name = downloads.version_file(version, fmt)
    return private_download(content, name, PDF if fmt == "pdf" else XLSX)


@staff_only
@require_GET
def figure_table_xlsx(request: HttpRequest) -> HttpResponse:
    _readers_only(request)
    q = request.GET
    try:
        content, name = downloads.figure_table_file(
            actor=request.user,
            unit_id=q.get("unit", ""),
            kind=q.get("kind", "month"),
            value=q.get("value", ""),
            start=q.get("start", ""),
            end=q.get("end", ""),
        )
    except DomainError as exc:
        if exc.status == 404:
            raise not_found(exc) from None
        return render(request, "web/reports/bad_table.html", {"message": exc.message}, status=400)
    return private_download(content, name, XLSX)
