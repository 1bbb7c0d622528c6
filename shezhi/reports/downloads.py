"""The files pages and API hand out: a draft's preview (rendered now, marked 草稿), an issued
version (the archived bytes, never rendered again), and any figure table as Excel. Each export
of figures is audited: it leaves the platform."""

from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.core import audit
from shezhi.core.errors import InvalidInput
from shezhi.core.models import AuditEvent
from shezhi.core.permissions import require
from shezhi.figures.selectors import figures_period, figures_unit
from shezhi.reports import compose, excel
from shezhi.reports.models import Report, ReportVersion
from shezhi.reports.permissions import ReportAction, report_actions_for
from shezhi.reports.services import render_pdf

FORMATS = ("pdf", "xlsx")


def _name(report: Report, suffix: str, fmt: str) -> str:
    return f"{report.title}（{report.period_label}）{suffix}.{fmt}"


def preview_file(*, actor: User, report: Report, fmt: str) -> tuple[bytes, str]:
    """The report as it would be issued now, marked as a draft (those who may edit it)."""
    require(ReportAction.EDIT, report_actions_for(actor, report), message="您没有权限预览草稿")
    doc = compose.report_document(actor=actor, report=report, version=None)
    content = render_pdf(doc) if fmt == "pdf" else excel.report_xlsx(doc)
    return content, _name(report, "草稿", fmt)


def version_file(version: ReportVersion, fmt: str) -> tuple[bytes, str]:
    """The archived bytes of an issued version (from a scoped selector: version_get)."""
    content = bytes(version.pdf if fmt == "pdf" else version.xlsx)
    return content, _name(version.report, f"第{version.number}版", fmt)


def figure_table_file(
    *, actor: User, unit_id: object, kind: str, value: str = "", start: str = "", end: str = ""
) -> tuple[bytes, str]:
    """Every figure of a unit (in the actor's scope) and period as a workbook; the period is
    read as the figures pages read it (this month when none is given)."""
    unit = figures_unit(actor, _unit_id(unit_id))
    period = figures_period(kind, value, start, end)
    lines = compose.figure_table(actor=actor, unit=unit, period=period)
    now = timezone.localtime()
    content = excel.figure_table_xlsx(
        lines,
        title="数据表",
        unit_name=unit.name,
        period_label=period.label,
        note=f"导出时间：{now:%Y-%m-%d %H:%M}",
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        obj=unit,
        summary=f"导出{unit.name}{period.label}数据表",
    )
    return content, f"{unit.name}{period.label}数据.xlsx"


def _unit_id(raw: object) -> int:
    try:
        value = int(str(raw))
    except (TypeError, ValueError):
        raise InvalidInput("请选择单位", field="unit") from None
    if value < 1 or value > 2**63 - 1:
        raise InvalidInput("请选择单位", field="unit")
    return value
