"""A resident's data export as a readable PDF (pure; no Django import): a title, then each
section as a heading and its entries as "label：value" lines, in the proofs' CJK font."""

from collections.abc import Mapping, Sequence
from typing import Any

from fpdf import FPDF

from shezhi.proofs.pdf import FONT, FontFace, find_font

MARGIN = 15.0
WIDTH = 210.0 - 2 * MARGIN


def _line(pdf: FPDF, text: str, *, size: float, gap: float = 0.8) -> None:
    pdf.set_font(FONT, "", size)
    pdf.multi_cell(WIDTH, size * 0.3528 * 1.5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(gap)


def render_pdf(
    data: Mapping[str, Any], *, title: str = "个人信息副本", face: FontFace | None = None
) -> bytes:
    """`data` as built by privacy.export.resident_data (sections of {label: value} items).
    Raises proofs.pdf.FontUnavailable when the CJK font is missing."""
    face = face or find_font()
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.add_font(FONT, "", str(face.path), collection_font_number=face.index)
    pdf.set_title(title)
    pdf.set_creator(str(data.get("platform", "")))
    pdf.add_page()
    _line(pdf, title, size=18, gap=1)
    _line(pdf, f"{data.get('platform', '')} · 生成时间 {data.get('generated_at', '')}", size=9)
    pdf.ln(3)
    sections: Sequence[Mapping[str, Any]] = data.get("sections", [])
    for section in sections:
        _line(pdf, str(section["title"]), size=13, gap=1.5)
        items = section.get("items") or []
        if not items:
            _line(pdf, "（无）", size=10)
        for item in items:
            # One field a line: Chinese has no spaces to break at, so a long run of fields
            # joined on one line wraps in odd places.
            for k, v in item.items():
                if v not in ("", None):
                    _line(pdf, f"{k}：{v}", size=10, gap=0.2)
            pdf.ln(2)
        if section.get("note"):
            _line(pdf, str(section["note"]), size=9)
        pdf.ln(2)
    return bytes(pdf.output())
