"""Desk pages for Excel import and export: templates, upload, a job page with a progress bar
(polled by static/shezhi/imports.js), the error report, and the hours export for the national
volunteer system. Each view parses input, calls one service or selector and renders."""

from io import BytesIO

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from shezhi.accounts.models import Role
from shezhi.core.downloads import XLSX, private_download
from shezhi.core.errors import DomainError, NotFound
from shezhi.core.page_errors import form_error, form_or_message, not_found
from shezhi.imports import selectors, services, sheets
from shezhi.imports.models import ImportJob
from shezhi.volunteers.services import RECORDING_ROLES
from shezhi.web.access import roles_only
from shezhi.web.forms_base import DomainForm

TEMPLATE_NAMES = {"volunteers": "志愿者导入模板.xlsx", "records": "服务记录导入模板.xlsx"}

importer_only = roles_only(frozenset({*RECORDING_ROLES, Role.SYSTEM_ADMIN}))


class ImportForm(DomainForm):
    domain_fields = {"unit_id": "unit"}

    kind = forms.ChoiceField(label=gettext_lazy("导入内容"), choices=ImportJob.Kind.choices)
    unit = forms.TypedChoiceField(label=gettext_lazy("导入单位"), coerce=int)
    file = forms.FileField(
        label=gettext_lazy("Excel 文件（.xlsx）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]
        self.fields["kind"].choices = [(v, _(label)) for v, label in ImportJob.Kind.choices]


class ExportForm(DomainForm):
    date_from = forms.DateField(
        label=gettext_lazy("服务日期从"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=gettext_lazy("服务日期至"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _xlsx(body: bytes, name: str) -> HttpResponse:
    return private_download(body, name, XLSX)


def _job(request: HttpRequest, job_id: int) -> ImportJob:
    try:
        return selectors.import_job_get(actor=request.user, job_id=job_id)
    except NotFound as exc:
        raise not_found(exc) from None


def _page(request, form=None, export_form=None, status=200) -> HttpResponse:
    units = selectors.import_units(actor=request.user)
    first, last = services.period_default()
    return render(
        request,
        "web/imports/index.html",
        {
            "form": form or ImportForm(units=units),
            "export_form": export_form or ExportForm(initial={"date_from": first, "date_to": last}),
            "jobs": selectors.import_jobs_of(actor=request.user),
            "can_export": request.user.can_unmask,
        },
        status=status,
    )


@importer_only
@require_GET
def desk_imports(request: HttpRequest) -> HttpResponse:
    return _page(request)


@importer_only
@require_POST
def desk_import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST, request.FILES, units=selectors.import_units(actor=request.user))
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.import_job_create(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                file_name=upload.name,
                content=services.read_upload(upload),
                unit_id=form.cleaned_data["unit"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("文件已上传，正在校验。"))
            return redirect("desk:import_job", job_id=job.pk)
    return _page(request, form=form, status=400)


@importer_only
@require_GET
def desk_import_template(request: HttpRequest, kind: str) -> HttpResponse:
    layout = sheets.LAYOUTS.get(kind)
    if layout is None:
        raise Http404
    out = BytesIO()
    sheets.template_workbook(layout, out)
    return _xlsx(out.getvalue(), TEMPLATE_NAMES[kind])


@importer_only
@require_GET
def desk_import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    try:
        status = selectors.import_job_status(actor=request.user, job_id=job_id)
    except NotFound as exc:
        raise not_found(exc) from None
    return render(
        request,
        "web/imports/job.html",
        {"status": status, "job": status.job, "errors": status.job.errors[:500]},
    )


@importer_only
@require_GET
def desk_import_status(request: HttpRequest, job_id: int) -> JsonResponse:
    try:
        status = selectors.import_job_status(actor=request.user, job_id=job_id)
    except NotFound as exc:
        return JsonResponse({"code": exc.code, "message": exc.message}, status=404)
    return JsonResponse(status.as_dict(errors_limit=0), json_dumps_params={"ensure_ascii": False})


@importer_only
@require_GET
def desk_import_errors(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    out = BytesIO()
    sheets.error_report(job.errors, out)
    return _xlsx(out.getvalue(), f"导入错误报告-{job.pk}-{timezone.localdate():%Y%m%d}.xlsx")


@importer_only
@require_GET
def desk_hours_export(request: HttpRequest) -> HttpResponse:
    form = ExportForm(request.GET)
    if form.is_valid():
        d1, d2 = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        try:
            out, _rows = services.hours_export_file(actor=request.user, date_from=d1, date_to=d2)
        except DomainError as exc:
            form_or_message(request, form, exc)
        else:
            response = FileResponse(
                out,
                as_attachment=True,
                filename=f"志愿服务时长-{d1:%Y%m%d}-{d2:%Y%m%d}.xlsx",
                content_type=XLSX,
            )
            response["Cache-Control"] = "private, no-store"
            return response
    return _page(request, export_form=form, status=400)
