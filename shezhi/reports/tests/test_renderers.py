"""The pure renderers on hand-built documents: the PDF's Chinese text extracts, the workbook
holds the figures with no cell that starts a formula, a document survives its JSON archive."""

import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from shezhi.proofs.pdf import FontUnavailable, find_font
from shezhi.reports import excel, pdf
from shezhi.reports.document import change_text, from_json, to_json
from shezhi.reports.tests.samples import document, lines


def pdftotext(data: bytes, tmp_path: Path) -> str:
    assert shutil.which("pdftotext"), "pdftotext missing: run scripts/bootstrap.sh test"
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True
    ).stdout.decode()
    return out.replace("\n", "")  # lines may wrap anywhere


def test_monthly_pdf_has_its_chinese_text_extractable(tmp_path):
    data = pdf.render_report(document())
    assert data.startswith(b"%PDF-")
    text = pdftotext(data, tmp_path)
    for expected in (
        "幸福街道社工站月报",
        "2026年11月",
        "一、主要数据",
        "注册志愿者（名）",
        "+12.5%",
        "各社区注册志愿者",
        "重阳节敬老活动",
        "本月开展助老服务，居民满意。",
        "附：指标口径",
        "截至期末在册",
        "草稿",
    ):
        assert expected in text, expected


def test_issued_pdf_is_not_marked_draft_and_names_its_version(tmp_path):
    text = pdftotext(pdf.render_report(document(draft=False)), tmp_path)
    assert "未正式印发" not in text
    assert "第 1 版" in text


def test_long_text_flows_onto_more_pages(tmp_path):
    short = pdf.render_report(document())
    long = pdf.render_report(document(narrative="社区治理" * 3000))
    text = pdftotext(long, tmp_path)
    assert "第 3 页" in text or "共 3 页" in text or long.count(b"/Type /Page\n") > 2
    assert len(long) > len(short)


def test_empty_document_still_renders(tmp_path):
    doc = document(figures=(), charts=(), highlights=(), narrative="")
    text = pdftotext(pdf.render_report(doc), tmp_path)
    assert "本期没有可报送的数据" in text and "（未填写）" in text


def test_missing_font_is_a_clear_error(tmp_path):
    with pytest.raises(FontUnavailable, match="fonts-noto-cjk"):
        pdf.render_report(document(), face=find_font([tmp_path]))


def test_workbook_holds_the_figures_as_numbers_and_refuses_formulas():
    doc = document(narrative='=HYPERLINK("http://evil.example","点我")\n第二段')
    wb = load_workbook(BytesIO(excel.report_xlsx(doc)))
    assert wb.sheetnames == ["主要数据", "图表1", "图表2", "本期亮点", "工作小结"]
    rows = [r for r in wb["主要数据"].iter_rows(values_only=True) if r and r[1]]
    by_name = {r[1]: r for r in rows}
    assert by_name["注册志愿者"][2:6] == (1000, 980, 0.125, 750)
    assert by_name["注册志愿者3"][4:6] == ("—", "—")
    assert by_name["危机预警"][2] == "<5"
    # the unit name in the ranking chart's data starts with "=": written as text
    assert wb["图表2"]["A4"].value == "'=HYPERLINK(1)"
    assert wb["工作小结"]["A2"].value.startswith("'=HYPERLINK")
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            for value in row:
                assert not (isinstance(value, str) and value.startswith("=")), value


def test_figure_table_workbook():
    data = excel.figure_table_xlsx(
        lines(), title="数据表", unit_name="幸福街道", period_label="2026年第4季度"
    )
    ws = load_workbook(BytesIO(data)).active
    values = [c for r in ws.iter_rows(values_only=True) for c in r if c is not None]
    assert "数据表" in values and "单位：幸福街道    期间：2026年第4季度" in values
    assert "截至期末在册、状态为有效的志愿者人数（不含已注销）" in values


def test_document_survives_its_json_archive():
    doc = document(draft=False)
    assert from_json(to_json(doc)) == doc


@pytest.mark.parametrize(
    ("change", "shown"), [(None, "—"), (0.0, "持平"), (0.125, "+12.5%"), (-0.03, "-3.0%")]
)
def test_change_text(change, shown):
    assert change_text(change) == shown
