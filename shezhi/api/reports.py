"""/api/v1/reports: unit reports (社工站月报, annual reports) under the pages' rules — list with
total, start a draft, edit its title and text, issue it (印发), download a draft's preview or an
issued version; and any figure table as Excel (/api/v1/reports/figure-table.xlsx).

Each handler calls one selector or service of shezhi.reports."""

from datetime import date, datetime
from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Path, Query, Router, Schema

from shezhi.api.errors import CHANGE, raises
from shezhi.api.render import counted_page
from shezhi.api.schemas import ERRORS, MAX_ID, Clean, ErrorOut, In
from shezhi.core.downloads import PDF, XLSX, private_download
from shezhi.core.errors import ErrorCode
from shezhi.figures.errors import FigureError
from shezhi.reports import downloads, selectors, services
from shezhi.reports.errors import ReportError
from shezhi.reports.models import Report, ReportVersion
from shezhi.reports.permissions import report_actions_for

router = Router(tags=["统计报告"])

PathId = Annotated[int, Field(ge=1, le=MAX_ID)]
Fmt = Literal["pdf", "xlsx"]
FILE_RESPONSES = {
    200: {
        "description": "PDF 或 Excel 文件",
        "content": {
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            XLSX: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


class ReportVersionOut(Schema):
    number: int
    issued_at: datetime
    issued_by: str = Field(description="印发人（账号 · 角色 · 单位）")
    pdf_sha256: str


class ReportOut(Schema):
    id: int
    unit_id: int
    unit: str
    kind: str = Field(description="monthly 月报 / annual 年度报告")
    kind_label: str
    period_start: date
    period_end: date
    period_label: str
    title: str
    narrative: str
    status: str = Field(description="draft 草稿（含修订中）/ issued 已印发")
    status_label: str
    revision: int = Field(description="修改、印发时回传，防止重复提交或覆盖他人的修改")
    issued_version: int = Field(description="最新印发的版本号；0 表示尚未印发")
    allowed_actions: list[str] = Field(description="read / edit / issue")


class ReportDetailOut(ReportOut):
    versions: list[ReportVersionOut]


class ReportPageOut(Schema):
    total: int
    limit: int
    offset: int
    items: list[ReportOut]


class ReportListQuery(Clean):
    unit_id: int | None = Field(None, ge=1, le=MAX_ID)
    kind: Literal["monthly", "annual"] | None = None
    status: Literal["draft", "issued"] | None = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10**9)


class ReportCreateIn(In):
    unit_id: int = Field(ge=1, le=MAX_ID)
    kind: Literal["monthly", "annual"]
    value: str = Field(max_length=10, description="月报：2026-11；年度报告：2026")


class ReportEditIn(In):
    title: str = Field(max_length=80)
    narrative: str = Field("", max_length=5000)
    revision: int = Field(ge=1, le=MAX_ID)


class ReportIssueIn(In):
    revision: int = Field(ge=1, le=MAX_ID)


class FigureTableExportQuery(Clean):
    unit: int = Field(ge=1, le=MAX_ID, description="单位编号")
    kind: Literal["day", "month", "quarter", "year", "custom"] = "month"
    value: str = Field("", max_length=10, description="2026-11、2026-Q4、2026、2026-11-05")
    start: str = Field("", max_length=10, description="自定义期间开始（YYYY-MM-DD）")
    end: str = Field("", max_length=10, description="自定义期间结束（YYYY-MM-DD）")


def _out(report: Report, actor) -> dict:
    return {
        "id": report.pk,
        "unit_id": report.unit_id,
        "unit": report.unit.name,
        "kind": report.kind,
        "kind_label": report.get_kind_display(),
        "period_start": report.period_start,
        "period_end": report.period_end,
        "period_label": report.period_label,
        "title": report.title,
        "narrative": report.narrative,
        "status": report.status,
        "status_label": report.get_status_display(),
        "revision": report.revision,
        "issued_version": report.issued_version,
        "allowed_actions": sorted(report_actions_for(actor, report)),
    }


def _version_out(version: ReportVersion) -> dict:
    return {
        "number": version.number,
        "issued_at": version.issued_at,
        "issued_by": version.issued_by_identity,
        "pdf_sha256": version.pdf_sha256,
    }


def _detail(report: Report, actor) -> dict:
    versions = [_version_out(v) for v in selectors.report_versions(report)]
    return {**_out(report, actor), "versions": versions}


def _file(content: bytes, name: str, fmt: str) -> HttpResponse:
    return private_download(content, name, PDF if fmt == "pdf" else XLSX)


@router.get("", response={200: ReportPageOut, **ERRORS}, summary="报告列表（含总数）")
def report_list(request: HttpRequest, query: Query[ReportListQuery]):
    rows = selectors.report_list(
        actor=request.auth,
        unit_id=query.unit_id,
        kind=query.kind or "",
        status=query.status or "",
    )
    return counted_page(
        rows, limit=query.limit, offset=query.offset, item=lambda r: _out(r, request.auth)
    )


@router.post("", response={201: ReportDetailOut, **ERRORS}, summary="起草报告")
@raises(ErrorCode.NOT_FOUND, ReportError.PERIOD_NOT_ENDED, ReportError.DUPLICATE)
def report_create(request: HttpRequest, payload: ReportCreateIn):
    report = services.report_start(
        actor=request.auth, unit_id=payload.unit_id, kind=payload.kind, value=payload.value
    )
    return 201, _detail(report, request.auth)


@router.get(
    "/figure-table.xlsx",
    response={200: None, **ERRORS},
    summary="导出某单位某期间的全部指标（Excel）",
    openapi_extra={"responses": FILE_RESPONSES},
)
@raises(ErrorCode.NOT_FOUND, FigureError.BAD_PERIOD)
def figure_table(request: HttpRequest, query: Query[FigureTableExportQuery]):
    content, name = downloads.figure_table_file(
        actor=request.auth,
        unit_id=query.unit,
        kind=query.kind,
        value=query.value,
        start=query.start,
        end=query.end,
    )
    return _file(content, name, "xlsx")


@router.get("/{report_id}", response={200: ReportDetailOut, **ERRORS}, summary="报告详情")
def report_detail(request: HttpRequest, report_id: Path[PathId]):
    report = selectors.report_get(actor=request.auth, report_id=report_id)
    return _detail(report, request.auth)


@router.put("/{report_id}", response={200: ReportDetailOut, **ERRORS}, summary="修改标题和工作小结")
@raises(*CHANGE, ErrorCode.STALE)
def report_edit(request: HttpRequest, report_id: Path[PathId], payload: ReportEditIn):
    report = selectors.report_get(actor=request.auth, report_id=report_id)
    report = services.report_edit(
        actor=request.auth,
        report=report,
        title=payload.title,
        narrative=payload.narrative,
        revision=payload.revision,
    )
    return _detail(report, request.auth)


@router.post(
    "/{report_id}/issue",
    response={201: ReportVersionOut, **ERRORS, 503: ErrorOut},
    summary="印发（生成并存档新版本）",
)
@raises(*CHANGE, ErrorCode.STALE, ReportError.PERIOD_NOT_ENDED, ReportError.FONT_MISSING)
def report_issue(request: HttpRequest, report_id: Path[PathId], payload: ReportIssueIn):
    report = selectors.report_get(actor=request.auth, report_id=report_id)
    version = services.report_issue(actor=request.auth, report=report, revision=payload.revision)
    return 201, _version_out(version)


@router.get(
    "/{report_id}/preview.{fmt}",
    response={200: None, **ERRORS, 503: ErrorOut},
    summary="预览草稿（按现在的数据生成，不存档）",
    openapi_extra={"responses": FILE_RESPONSES},
)
@raises(ErrorCode.NOT_FOUND, ReportError.FONT_MISSING)
def report_preview(request: HttpRequest, report_id: Path[PathId], fmt: Path[Fmt]):
    report = selectors.report_get(actor=request.auth, report_id=report_id)
    content, name = downloads.preview_file(actor=request.auth, report=report, fmt=fmt)
    return _file(content, name, fmt)


@router.get(
    "/{report_id}/versions/{number}.{fmt}",
    response={200: None, **ERRORS},
    summary="下载已印发的版本（存档文件）",
    openapi_extra={"responses": FILE_RESPONSES},
)
def version_download(
    request: HttpRequest, report_id: Path[PathId], number: Path[PathId], fmt: Path[Fmt]
):
    version = selectors.version_get(actor=request.auth, report_id=report_id, number=number)
    content, name = downloads.version_file(version, fmt)
    return _file(content, name, fmt)
