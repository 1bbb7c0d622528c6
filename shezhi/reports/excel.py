"""A report, or a plain table of figures, as an Excel workbook (openpyxl; pure, no Django import).

Every value passes through core.spreadsheet.safe_cell, so that no text (a unit's name, the
station's own words) ever starts a formula. Numbers are written as shown ("<5" stays text):
the workbook is what was reported, not a second place to compute figures."""

from collections.abc import Sequence
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from shezhi.core.spreadsheet import safe_row
from shezhi.reports.document import DASH, FigureLine, ReportDocument

HEADERS = ("分组", "指标", "本期", "上期", "环比", "去年同期", "单位", "口径")
WIDTHS = (12, 28, 12, 12, 10, 12, 8, 60)
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E8EEF6")
PERCENT = "+0.0%;-0.0%;0.0%"  # the change against the previous period, a number


def _number(shown: str) -> Any:
    """A shown value as a number when it is one ("1,234" → 1234), else the text ("<5", "—")."""
    raw = shown.replace(",", "")
    try:
        value = float(raw)
    except ValueError:
        return shown
    return int(value) if value.is_integer() and "." not in raw else value


def _append(ws: Worksheet, values: Sequence[Any], *, bold: bool = False) -> None:
    ws.append(safe_row(values))
    if bold:
        for cell in ws[ws.max_row]:
            cell.font = BOLD


def _figure_sheet(ws: Worksheet, lines: Sequence[FigureLine], heading: Sequence[str]) -> None:
    for text in heading:
        _append(ws, [text], bold=True)
    _append(ws, [])
    _append(ws, HEADERS, bold=True)
    for cell in ws[ws.max_row]:
        cell.fill = HEADER_FILL
    ws.freeze_panes = ws.cell(row=ws.max_row + 1, column=1)
    for f in lines:
        _append(
            ws,
            (
                f.group,
                f.name,
                _number(f.shown),
                _number(f.previous_shown),
                DASH if f.change is None else round(f.change, 4),
                _number(f.last_year_shown),
                f.unit,
                f.definition,
            ),
        )
        ws.cell(row=ws.max_row, column=5).number_format = PERCENT
    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = width
    _append(ws, [])
    _append(ws, ["注：“<5”表示不足5，为保护个人信息不显示确切数字；“—”表示无可比数据。"])


def _save(wb: Workbook) -> bytes:
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def figure_table_xlsx(
    lines: Sequence[FigureLine], *, title: str, unit_name: str, period_label: str, note: str = ""
) -> bytes:
    """One sheet: the figures of a unit and period with their comparisons and definitions."""
    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    heading = [title, f"单位：{unit_name}    期间：{period_label}"]
    if note:
        heading.append(note)
    _figure_sheet(ws, lines, heading)
    return _save(wb)


def report_xlsx(doc: ReportDocument) -> bytes:
    """The report's figures, charts' data (with a native bar chart), highlights and text."""
    wb = Workbook()
    ws = wb.active
    ws.title = "主要数据"
    heading = [
        f"{doc.title}（{doc.period_label}）",
        f"单位：{doc.unit_name}    版本：{doc.status_label}    "
        f"生成时间：{doc.generated_at:%Y-%m-%d %H:%M}",
    ]
    _figure_sheet(ws, doc.figures, heading)

    for n, chart in enumerate(doc.charts, start=1):
        sheet = wb.create_sheet(f"图表{n}")
        _append(sheet, [chart.title], bold=True)
        _append(sheet, ["", chart.unit], bold=True)
        for label, value in zip(chart.labels, chart.values, strict=True):
            _append(sheet, [label, "<5" if value is None else value])
        sheet.column_dimensions["A"].width = 24
        if chart.labels:
            bar = BarChart()
            bar.type = "bar" if chart.horizontal else "col"
            bar.title = chart.title
            bar.legend = None
            last = 2 + len(chart.labels)
            bar.add_data(
                Reference(sheet, min_col=2, min_row=2, max_row=last), titles_from_data=True
            )
            bar.set_categories(Reference(sheet, min_col=1, min_row=3, max_row=last))
            sheet.add_chart(bar, "D2")

    sheet = wb.create_sheet("本期亮点")
    sheet.column_dimensions["A"].width = 100
    for h in doc.highlights:
        _append(sheet, [h.title], bold=True)
        for item in h.items:
            _append(sheet, [item])
        _append(sheet, [])

    sheet = wb.create_sheet("工作小结")
    sheet.column_dimensions["A"].width = 100
    _append(sheet, ["工作小结"], bold=True)
    for paragraph in (doc.narrative.strip() or "（未填写）").splitlines():
        _append(sheet, [paragraph])
        sheet.cell(row=sheet.max_row, column=1).alignment = Alignment(wrap_text=True)
    return _save(wb)
