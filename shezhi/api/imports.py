"""/api/v1/imports: Excel templates, uploads checked as a whole then imported in one transaction,
job status with progress, the error report, and the hours export for the national volunteer
system. Each handler calls one service or selector."""

from datetime import date, datetime
from io import BytesIO
from typing import Annotated, Literal

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from shezhi.api.errors import CHANGE, raises
from shezhi.api.schemas import ERRORS, MAX_ID, Clean
from shezhi.core.downloads import XLSX
from shezhi.imports import selectors, services, sheets

router = Router(tags=["导入与导出"])

XLSX_RESPONSE = {
    "responses": {
        200: {
            "description": ".xlsx",
            "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}
Kind = Literal["volunteers", "records"]
# Path and form values arrive as text: not strict, but bounded.
LooseId = Annotated[int, Field(ge=1, le=MAX_ID)]
TEMPLATE_NAMES = {"volunteers": "志愿者导入模板.xlsx", "records": "服务记录导入模板.xlsx"}


class ProblemOut(Schema):
    row: int = Field(description="行号（0 表示整个文件，1 为表头）")
    column: str = Field(description="列名")
    reason: str


class UnitRefOut(Schema):
    id: int
    name: str


class ImportJobOut(Schema):
    id: int
    kind: str
    kind_label: str
    status: str = Field(description="pending / validating / importing / failed / done")
    status_label: str
    finished: bool
    file_name: str
    unit: UnitRefOut
    total_rows: int
    processed_rows: int
    percent: int = Field(description="进度（校验占前一半，导入占后一半）")
    imported_rows: int
    message: str
    error_count: int
    errors: list[ProblemOut] = Field(description="前200个错误；完整报告见 /errors")
    created_at: datetime
    finished_at: datetime | None


class ExportQuery(Clean):
    date_from: date = Field(description="服务日期从（含）")
    date_to: date = Field(description="服务日期至（含），不晚于今天")


def _xlsx(data: bytes | BytesIO, name: str) -> HttpResponse:
    body = data.getvalue() if isinstance(data, BytesIO) else data
    return HttpResponse(
        body,
        content_type=XLSX,
        headers={
            "Content-Disposition": content_disposition_header(True, name),
            "Cache-Control": "private, no-store",
        },
    )


@router.get(
    "/templates/{kind}",
    response={200: None, **ERRORS},
    summary="下载导入模板（.xlsx）",
    openapi_extra=XLSX_RESPONSE,
)
def import_template(request: HttpRequest, kind: Kind):
    out = BytesIO()
    sheets.template_workbook(sheets.LAYOUTS[kind], out)
    return _xlsx(out, TEMPLATE_NAMES[kind])


@router.get(
    "/export/hours",
    response={200: None, **ERRORS},
    summary="导出志愿服务时长（全国志愿服务信息系统格式，含完整证件号码，留痕）",
    openapi_extra=XLSX_RESPONSE,
)
def hours_export(request: HttpRequest, query: Query[ExportQuery]):
    out, _rows = services.hours_export_file(
        actor=request.auth, date_from=query.date_from, date_to=query.date_to
    )
    name = f"志愿服务时长-{query.date_from:%Y%m%d}-{query.date_to:%Y%m%d}.xlsx"
    response = FileResponse(out, as_attachment=True, filename=name, content_type=XLSX)
    response["Cache-Control"] = "private, no-store"
    return response


@router.post(
    "",
    response={202: ImportJobOut, **ERRORS},
    summary="上传 .xlsx 导入志愿者或服务记录（先整体校验，无误后一次性导入）",
)
@raises(*CHANGE)
def import_upload(
    request: HttpRequest,
    kind: Form[Kind],
    file: File[UploadedFile],
    unit_id: Form[LooseId | None] = None,
):
    job = services.import_job_create(
        actor=request.auth,
        kind=kind,
        file_name=file.name or "",
        content=services.read_upload(file),
        unit_id=unit_id,
    )
    status = selectors.import_job_status(actor=request.auth, job_id=job.pk)
    return 202, status.as_dict()


@router.get("", response={200: list[ImportJobOut], **ERRORS}, summary="我的导入任务")
def import_jobs(request: HttpRequest):
    return [
        selectors.import_job_status(actor=request.auth, job_id=job.pk).as_dict(errors_limit=0)
        for job in selectors.import_jobs_of(actor=request.auth)
    ]


@router.get("/{job_id}", response={200: ImportJobOut, **ERRORS}, summary="导入任务状态与进度")
def import_job(request: HttpRequest, job_id: LooseId):
    return selectors.import_job_status(actor=request.auth, job_id=job_id).as_dict()


@router.get(
    "/{job_id}/errors",
    response={200: None, **ERRORS},
    summary="下载错误报告（.xlsx：行号、列、原因）",
    openapi_extra=XLSX_RESPONSE,
)
def import_errors(request: HttpRequest, job_id: LooseId):
    job = selectors.import_job_get(actor=request.auth, job_id=job_id)
    out = BytesIO()
    sheets.error_report(job.errors, out)
    return _xlsx(out, f"导入错误报告-{job.pk}-{timezone.localdate():%Y%m%d}.xlsx")
