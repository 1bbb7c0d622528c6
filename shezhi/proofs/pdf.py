"""A proof as a PDF with Noto Sans CJK embedded (pure; no Django import).

The table is laid out here, with a per-character width cache and plain text runs, instead of
fpdf2's table or multi_cell: those measure every string anew and take ≈ 10 s for 5,000 rows;
this takes well under a second. The QR code is drawn as vector squares from segno's matrix.
"""

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import segno
from fontTools.ttLib import TTCollection
from fpdf import FPDF

FONT_DIRS = (
    Path("/usr/share/fonts/opentype/noto"),
    Path("/usr/share/fonts/truetype/noto"),
    Path("/usr/local/share/fonts"),
)
FONT_FILES = ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf", "NotoSansSC-Regular.otf")
FONT = "noto"

PAGE_W, PAGE_H, MARGIN = 210.0, 297.0, 15.0
CONTENT_W = PAGE_W - 2 * MARGIN
BOTTOM = PAGE_H - 20.0  # above the footer
# 序号, 服务日期, 活动名称 / 服务内容, 时长, 记录单位 (mm; they add up to CONTENT_W)
COLUMNS = (12.0, 22.0, 82.0, 20.0, 44.0)
HEADERS = ("序号", "服务日期", "活动名称 / 服务内容", "时长（小时）", "记录单位")
BODY_PT, LINE_H, PAD = 8.5, 4.2, 1.2
CONTENT_CHARS = 120  # longer service descriptions are cut with "…"
QR_SIZE = 28.0
NO_LINE_START = frozenset("，。、；：？！）》」』”’…%")


class FontUnavailable(Exception):
    """The CJK font files are not installed: no proof can be rendered."""

    def __init__(self) -> None:
        super().__init__(
            "服务器未安装中文字体（fonts-noto-cjk），无法生成志愿服务证明。"
            "请管理员执行 apt-get install fonts-noto-cjk 后重试。"
        )


@dataclass(frozen=True)
class FontFace:
    path: Path
    index: int  # the face within a font collection (.ttc); 0 for a single font


@dataclass(frozen=True)
class ProofRow:
    service_date: date
    title: str
    content: str
    hours: Decimal
    recording_unit: str


@dataclass(frozen=True)
class ProofDocument:
    proof_no: str
    full_name: str
    volunteer_no: str
    date_from: date
    date_to: date
    total_hours: Decimal
    rows: Sequence[ProofRow]
    issued_at: datetime  # local time
    issuer: str  # the recording unit(s)
    platform: str
    verify_url: str


def _find(names: Sequence[str], dirs: Sequence[Path]) -> Path | None:
    for d in dirs:
        for name in names:
            if (d / name).is_file():
                return d / name
    return None


@functools.lru_cache(maxsize=8)
def _sc_face(path: Path) -> int:
    """The index of the Simplified Chinese face (Noto Sans CJK SC) in a collection."""
    if path.suffix.lower() not in (".ttc", ".otc"):
        return 0
    collection = TTCollection(str(path), lazy=True)
    for i, font in enumerate(collection.fonts):
        name = str(font["name"].getDebugName(4) or "")
        if name.endswith("CJK SC") and "Mono" not in name:
            return i
    return 0


def find_font(dirs: Sequence[Path] | None = None) -> FontFace:
    """The Simplified Chinese face of Noto Sans CJK. One face only: loading and subsetting a
    CJK face costs ≈ 1 s, so headings are emboldened by stroking the glyphs instead."""
    path = _find(FONT_FILES, FONT_DIRS if dirs is None else dirs)
    if path is None:
        raise FontUnavailable()
    return FontFace(path, _sc_face(path))


def _date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _hours(h: Decimal) -> str:
    return f"{h.quantize(Decimal('0.1'))}"


_SPACES = re.compile(r"\s+")


def _one_line(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _service_text(row: ProofRow) -> str:
    title, content = _one_line(row.title), _one_line(row.content)
    text = f"{title}：{content}" if content and content != title else title
    return text if len(text) <= CONTENT_CHARS else text[: CONTENT_CHARS - 1] + "…"


class _ProofPdf(FPDF):
    def __init__(self, doc: ProofDocument, face: FontFace) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.doc = doc
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(False)
        self.add_font(FONT, "", str(face.path), collection_font_number=face.index)
        self._widths: dict[tuple[str, float, str], float] = {}
        self.set_title(f"志愿服务证明 {doc.proof_no}")
        self.set_subject(f"{doc.full_name} {_date(doc.date_from)}至{_date(doc.date_to)}")
        self.set_creator(doc.platform)
        self.set_author(doc.issuer[:200])
        self.set_creation_date(doc.issued_at)

    # --- text measuring and wrapping ------------------------------------------------------

    def _width(self, text: str) -> float:
        style, size = self.font_style, self.font_size_pt
        total = 0.0
        for ch in text:
            key = (style, size, ch)
            w = self._widths.get(key)
            if w is None:
                w = self._widths[key] = self.get_string_width(ch)
            total += w
        return total

    def _wrap(self, text: str, width: float) -> list[str]:
        style, size = self.font_style, self.font_size_pt
        lines: list[str] = []
        start, used = 0, 0.0
        for i, ch in enumerate(text):
            key = (style, size, ch)
            w = self._widths.get(key)
            if w is None:
                w = self._widths[key] = self.get_string_width(ch)
            if used + w > width and i > start:
                cut = i - 1 if ch in NO_LINE_START and i - 1 > start else i
                lines.append(text[start:cut])
                used = sum(self._widths[(style, size, c)] for c in text[cut:i])
                start = cut
            used += w
        lines.append(text[start:])
        return lines

    def _text(self, x: float, y: float, text: str, *, bold: bool = False) -> None:
        if bold:
            with self.local_context(text_mode="FILL_STROKE", line_width=0.22, draw_color=0):
                self.text(x, y, text)
        else:
            self.text(x, y, text)

    def _paragraph(
        self, text: str, *, size: float = 10.5, bold: bool = False, gap: float = 1.6
    ) -> None:
        self.set_font(FONT, "", size)
        line_h = size * 0.3528 * 1.55
        for line in self._wrap(text, CONTENT_W):
            if self.get_y() + line_h > BOTTOM:
                self.add_page()
                self.set_y(MARGIN)
            self._text(MARGIN, self.get_y() + line_h * 0.75, line, bold=bold)
            self.set_y(self.get_y() + line_h)
        self.set_y(self.get_y() + gap)

    # --- page parts -------------------------------------------------------------------------

    def footer(self) -> None:
        self.set_font(FONT, "", 8)
        text = f"证明编号 {self.doc.proof_no}  ·  第 {self.page_no()} 页，共 {{nb}} 页"
        self.set_xy(MARGIN, PAGE_H - 13)
        self.cell(CONTENT_W, 5, text, align="C")

    def _qr(self, x: float, y: float, size: float) -> None:
        qr = segno.make(self.doc.verify_url, error="m")
        matrix = qr.matrix
        n = len(matrix)
        module = size / n
        self.set_fill_color(0, 0, 0)
        for r, row in enumerate(matrix):
            c = 0
            while c < n:
                if row[c]:
                    start = c
                    while c < n and row[c]:
                        c += 1
                    self.rect(x + start * module, y + r * module, (c - start) * module, module, "F")
                else:
                    c += 1

    def _heading(self) -> None:
        doc = self.doc
        qr_x, qr_y = PAGE_W - MARGIN - QR_SIZE, MARGIN - 3
        self._qr(qr_x, qr_y, QR_SIZE)
        self.set_font(FONT, "", 7.5)
        label = "扫码核验真伪"
        self.text(qr_x + (QR_SIZE - self._width(label)) / 2, qr_y + QR_SIZE + 3.5, label)
        self.set_font(FONT, "", 20)
        title = "志愿服务证明"
        self._text((PAGE_W - self._width(title)) / 2, MARGIN + 9, title, bold=True)
        self.set_font(FONT, "", 10)
        self.text(MARGIN, MARGIN + 20, f"证明编号：{doc.proof_no}")
        self.text(MARGIN, MARGIN + 26, f"出具日期：{_date(doc.issued_at.date())}")
        self.set_y(qr_y + QR_SIZE + 8)
        self._paragraph(
            f"兹证明 {doc.full_name}（志愿者统一编号：{doc.volunteer_no}）于 "
            f"{_date(doc.date_from)} 至 {_date(doc.date_to)} 期间参加志愿服务 {len(doc.rows)} 次，"
            f"累计服务时长 {_hours(doc.total_hours)} 小时。服务记录如下："
        )

    # --- the table --------------------------------------------------------------------------

    def _column_lines(self, x_cols: Sequence[float], y: float, top: float) -> None:
        for x in (*x_cols, MARGIN + CONTENT_W):
            self.line(x, top, x, y)

    def _table(self) -> None:
        doc = self.doc
        x_cols = [MARGIN]
        for w in COLUMNS[:-1]:
            x_cols.append(x_cols[-1] + w)
        inner = [w - 2 * PAD for w in COLUMNS]
        self.set_line_width(0.2)
        self.set_draw_color(90, 90, 90)

        def header() -> float:
            y = self.get_y()
            self.set_fill_color(235, 235, 235)
            self.rect(MARGIN, y, CONTENT_W, LINE_H + 2 * PAD, "DF")
            self.set_font(FONT, "", BODY_PT)
            for x, w, text in zip(x_cols, COLUMNS, HEADERS, strict=True):
                self._text(
                    x + (w - self._width(text)) / 2, y + PAD + LINE_H * 0.78, text, bold=True
                )
            self.set_y(y + LINE_H + 2 * PAD)
            return y

        top = header()
        for number, row in enumerate(doc.rows, start=1):
            cells = [
                [str(number)],
                [row.service_date.isoformat()],
                self._wrap(_service_text(row), inner[2]),
                [_hours(row.hours)],
                self._wrap(_one_line(row.recording_unit), inner[4]),
            ]
            height = max(len(c) for c in cells) * LINE_H + 2 * PAD
            y = self.get_y()
            if y + height > BOTTOM:
                self._column_lines(x_cols, y, top)
                self.add_page()
                self.set_y(MARGIN)
                top = header()
                y = self.get_y()
            for col, (x, lines) in enumerate(zip(x_cols, cells, strict=True)):
                for k, line in enumerate(lines):
                    baseline = y + PAD + k * LINE_H + LINE_H * 0.78
                    right = col in (0, 3)  # numbers are right-aligned
                    lx = x + COLUMNS[col] - PAD - self._width(line) if right else x + PAD
                    self.text(lx, baseline, line)
            self.line(MARGIN, y + height, MARGIN + CONTENT_W, y + height)
            self.set_y(y + height)
        # the total
        y = self.get_y()
        height = LINE_H + 2 * PAD
        if y + height > BOTTOM:
            self._column_lines(x_cols, y, top)
            self.add_page()
            self.set_y(MARGIN)
            top = y = self.get_y()
            self.line(MARGIN, y, MARGIN + CONTENT_W, y)
        baseline = y + PAD + LINE_H * 0.78
        self._text(x_cols[1] + PAD, baseline, f"合计 {len(doc.rows)} 次", bold=True)
        total = _hours(doc.total_hours)
        self._text(x_cols[3] + COLUMNS[3] - PAD - self._width(total), baseline, total, bold=True)
        self.line(MARGIN, y + height, MARGIN + CONTENT_W, y + height)
        self._column_lines(x_cols, y + height, top)
        self.set_y(y + height + 5)

    def _closing(self) -> None:
        doc = self.doc
        self._paragraph(f"记录单位：{doc.issuer}")
        self._paragraph(
            "本证明依据《志愿服务条例》和《志愿服务记录与证明出具办法（试行）》，根据上列记录单位"
            "登记的志愿服务记录出具，免费提供。证明中不含志愿者身份证件号码。",
            size=9,
        )
        self._paragraph(
            f"核验方式：扫描右上角二维码，或访问 {doc.verify_url} 。在核验页面上传本文件可核对"
            "文件是否被改动：任何改动都无法通过核验。",
            size=9,
        )
        self._paragraph(
            f"出具：{doc.issuer}（经{doc.platform}平台出具）    "
            f"出具日期：{_date(doc.issued_at.date())}",
            size=10.5,
            bold=True,
        )

    def render(self) -> bytes:
        self.add_page()
        self._heading()
        self._table()
        self._closing()
        return bytes(self.output())


def render_proof(doc: ProofDocument, face: FontFace | None = None) -> bytes:
    """The PDF bytes of a proof. Raises FontUnavailable if fonts-noto-cjk is not installed."""
    return _ProofPdf(doc, face or find_font()).render()
