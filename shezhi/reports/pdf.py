"""A report (社工站月报, annual report) as an A4 PDF with the proofs' embedded CJK font (pure; no
Django import). Charts are drawn as vector bars, so no image library or outside tool is needed
and their labels stay text a reader can search and copy.

Sections: the heading, 一 the figures table (this period, the previous one, the change, the same
period last year), 二 charts, 三 highlights, 四 the station's own text, and an appendix with each
figure's definition (口径), so that a printed copy explains its own numbers."""

from collections.abc import Sequence
from itertools import groupby

from fpdf import FPDF

from shezhi.proofs.pdf import FONT, NO_LINE_START, FontFace, find_font
from shezhi.reports.document import Chart, FigureLine, ReportDocument, change_text

PAGE_W, PAGE_H, MARGIN = 210.0, 297.0, 16.0
CONTENT_W = PAGE_W - 2 * MARGIN
BOTTOM = PAGE_H - 18.0
# 指标, 本期, 上期, 环比, 去年同期 (mm; they add up to CONTENT_W)
COLUMNS = (70.0, 26.0, 26.0, 28.0, 28.0)
HEADERS = ("指标", "本期", "上期", "环比", "去年同期")
BODY_PT, LINE_H, PAD = 9.0, 4.6, 1.3
CHART_H = 52.0
BAR_COLOUR = (46, 110, 180)
PT_MM = 0.3528


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


class _ReportPdf(FPDF):
    def __init__(self, doc: ReportDocument, face: FontFace) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.doc = doc
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(False)
        self.add_font(FONT, "", str(face.path), collection_font_number=face.index)
        self._widths: dict[tuple[float, str], float] = {}
        self.set_title(f"{doc.title}（{doc.period_label}）")
        self.set_subject(doc.unit_name)
        self.set_creator(doc.platform)
        self.set_author((doc.author or doc.unit_name)[:200])
        self.set_creation_date(doc.generated_at)

    # --- measuring and writing text -----------------------------------------------------------

    def _width(self, text: str) -> float:
        size, total = self.font_size_pt, 0.0
        for ch in text:
            w = self._widths.get((size, ch))
            if w is None:
                w = self._widths[(size, ch)] = self.get_string_width(ch)
            total += w
        return total

    def _wrap(self, text: str, width: float) -> list[str]:
        """Chinese breaks between any two characters, except before closing punctuation."""
        lines: list[str] = []
        for paragraph in text.splitlines() or [""]:
            start, used = 0, 0.0
            for i, ch in enumerate(paragraph):
                w = self._width(ch)
                if used + w > width and i > start:
                    cut = i - 1 if ch in NO_LINE_START and i - 1 > start else i
                    lines.append(paragraph[start:cut])
                    used = self._width(paragraph[cut:i])
                    start = cut
                used += w
            lines.append(paragraph[start:])
        return lines

    def _text(self, x: float, y: float, text: str, *, bold: bool = False) -> None:
        if bold:
            with self.local_context(text_mode="FILL_STROKE", line_width=0.2, draw_color=0):
                self.text(x, y, text)
        else:
            self.text(x, y, text)

    def _room(self, height: float) -> None:
        if self.get_y() + height > BOTTOM:
            self.add_page()
            self.set_y(MARGIN)

    def _paragraph(self, text: str, *, size: float = 10.5, bold: bool = False) -> None:
        self.set_font(FONT, "", size)
        line_h = size * PT_MM * 1.6
        for line in self._wrap(text, CONTENT_W):
            self._room(line_h)
            self._text(MARGIN, self.get_y() + line_h * 0.75, line, bold=bold)
            self.set_y(self.get_y() + line_h)
        self.set_y(self.get_y() + 1.5)

    def _section(self, title: str) -> None:
        self._room(24)  # never a heading alone at the foot of a page
        self.set_y(self.get_y() + 3)
        self._paragraph(title, size=13, bold=True)

    # --- page parts -------------------------------------------------------------------------

    def header(self) -> None:
        if self.doc.draft:
            self.set_font(FONT, "", 9)
            self.set_text_color(190, 40, 40)
            label = "草稿 · 未正式印发"
            self.text(PAGE_W - MARGIN - self._width(label), MARGIN - 6, label)
            self.set_text_color(0, 0, 0)

    def footer(self) -> None:
        self.set_font(FONT, "", 8)
        text = (
            f"{self.doc.unit_name} · {self.doc.period_label} · {self.doc.status_label}"
            f"  ·  第 {self.page_no()} 页，共 {{nb}} 页"
        )
        self.set_xy(MARGIN, PAGE_H - 12)
        self.cell(CONTENT_W, 5, text, align="C")

    def _heading(self) -> None:
        doc = self.doc
        self.set_font(FONT, "", 19)
        for line in self._wrap(doc.title, CONTENT_W):
            self._text((PAGE_W - self._width(line)) / 2, self.get_y() + 8, line, bold=True)
            self.set_y(self.get_y() + 9)
        self.set_font(FONT, "", 12)
        sub = f"（{doc.period_label}）"
        self.text((PAGE_W - self._width(sub)) / 2, self.get_y() + 6, sub)
        self.set_y(self.get_y() + 11)
        issued = doc.generated_at
        self._paragraph(
            f"单位：{doc.unit_name}    版本：{doc.status_label}    "
            f"生成时间：{issued.year}年{issued.month}月{issued.day}日 {issued:%H:%M}",
            size=9.5,
        )
        self.set_draw_color(120, 120, 120)
        self.line(MARGIN, self.get_y(), MARGIN + CONTENT_W, self.get_y())
        self.set_y(self.get_y() + 2)

    # --- the figures table ------------------------------------------------------------------

    def _row(self, cells: Sequence[str], *, header: bool = False, group: bool = False) -> None:
        inner = COLUMNS[0] - 2 * PAD
        self.set_font(FONT, "", BODY_PT)
        first = self._wrap(cells[0], inner)
        height = len(first) * LINE_H + 2 * PAD
        if self.get_y() + height > BOTTOM:
            self.add_page()
            self.set_y(MARGIN)
            if not header:
                self._row(HEADERS, header=True)
        y = self.get_y()
        if header or group:
            self.set_fill_color(*((232, 238, 246) if header else (245, 245, 245)))
            self.rect(MARGIN, y, CONTENT_W, height, "F")
        x = MARGIN
        for col, (w, text) in enumerate(zip(COLUMNS, cells, strict=True)):
            lines = first if col == 0 else [text]
            for k, line in enumerate(lines):
                baseline = y + PAD + k * LINE_H + LINE_H * 0.78
                lx = x + PAD if col == 0 else x + w - PAD - self._width(line)
                self._text(lx, baseline, line, bold=header or group)
            x += w
        self.set_draw_color(200, 200, 200)
        self.line(MARGIN, y + height, MARGIN + CONTENT_W, y + height)
        self.set_y(y + height)

    def _figures(self, figures: Sequence[FigureLine]) -> None:
        if not figures:
            self._paragraph("本期没有可报送的数据。")
            return
        self._row(HEADERS, header=True)
        for group, lines in groupby(figures, key=lambda f: f.group):
            if group:
                self._row((group, "", "", "", ""), group=True)
            for f in lines:
                unit = f"（{f.unit}）" if f.unit else ""
                self._row(
                    (
                        f"{f.name}{unit}",
                        f.shown,
                        f.previous_shown,
                        change_text(f.change),
                        f.last_year_shown,
                    )
                )
        self.set_y(self.get_y() + 2)
        self._paragraph(
            "注：“<5”表示不足5，为保护个人信息不显示确切数字；“—”表示无可比数据。", size=8
        )

    # --- charts -----------------------------------------------------------------------------

    def _chart(self, chart: Chart) -> None:
        values = [v for v in chart.values if v is not None]
        self._room(CHART_H + 12)
        self._paragraph(f"{chart.title}（{chart.unit}）" if chart.unit else chart.title, size=10)
        top = self.get_y()
        peak = max(values, default=0) or 1
        self.set_draw_color(150, 150, 150)
        self.set_fill_color(*BAR_COLOUR)
        self.set_font(FONT, "", 7)
        if chart.horizontal:
            label_w = 40.0
            n = max(len(chart.labels), 1)
            bar_h = min(6.0, CHART_H / n)
            for i, (label, value) in enumerate(zip(chart.labels, chart.values, strict=True)):
                y = top + i * bar_h
                short = self._wrap(label, label_w - 2)[0]
                self.text(MARGIN, y + bar_h * 0.7, short)
                span = CONTENT_W - label_w - 20
                if value is not None:
                    w = span * value / peak
                    self.rect(MARGIN + label_w, y + bar_h * 0.15, max(w, 0.3), bar_h * 0.7, "F")
                    self.text(MARGIN + label_w + w + 1.5, y + bar_h * 0.7, _number(value))
                else:
                    self.text(MARGIN + label_w + 1.5, y + bar_h * 0.7, "<5")
            self.set_y(top + n * bar_h + 4)
            return
        plot_h = CHART_H - 10
        base = top + plot_h
        self.line(MARGIN, base, MARGIN + CONTENT_W, base)
        n = max(len(chart.labels), 1)
        slot = CONTENT_W / n
        bar_w = slot * 0.6
        for i, (label, value) in enumerate(zip(chart.labels, chart.values, strict=True)):
            x = MARGIN + i * slot + (slot - bar_w) / 2
            if value is not None:
                h = plot_h * 0.88 * value / peak
                self.rect(x, base - h, bar_w, h, "F")
                text = _number(value)
                self.text(x + (bar_w - self._width(text)) / 2, base - h - 1, text)
            else:
                self.text(x + (bar_w - self._width("<5")) / 2, base - 1, "<5")
            short = self._wrap(label, slot)[0]
            self.text(x + (bar_w - self._width(short)) / 2, base + 4, short)
        self.set_y(base + 9)

    # --- the rest ---------------------------------------------------------------------------

    def _definitions(self) -> None:
        lines = [f for f in self.doc.figures if f.definition]
        if not lines:
            return
        self._section("附：指标口径")
        seen: set[str] = set()
        for f in lines:
            if f.code in seen:
                continue
            seen.add(f.code)
            self._paragraph(f"{f.name}：{f.definition}", size=8.5)

    def render(self) -> bytes:
        doc = self.doc
        self.add_page()
        self.set_y(MARGIN)
        self._heading()
        self._section("一、主要数据")
        self._figures(doc.figures)
        if doc.charts:
            self._section("二、趋势与排名")
            for chart in doc.charts:
                self._chart(chart)
        self._section("三、本期亮点")
        if not any(h.items for h in doc.highlights):
            self._paragraph("（无）")
        for h in doc.highlights:
            if h.items:
                self._paragraph(h.title, size=10.5, bold=True)
                for item in h.items:
                    self._paragraph(f"· {item}", size=10)
        self._section("四、工作小结")
        self._paragraph(doc.narrative.strip() or "（未填写）")
        self._definitions()
        return bytes(self.output())


def render_report(doc: ReportDocument, face: FontFace | None = None) -> bytes:
    """The PDF bytes of a report. Raises proofs.pdf.FontUnavailable without the CJK font."""
    return _ReportPdf(doc, face or find_font()).render()
