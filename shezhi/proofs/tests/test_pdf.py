"""The pure PDF renderer: Chinese text survives pdftotext; a missing font is a clear error."""

import shutil
import subprocess
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from shezhi.proofs import pdf


def pdftotext(data: bytes, tmp_path: Path) -> str:
    assert shutil.which("pdftotext"), "pdftotext missing: run scripts/bootstrap.sh test"
    path = tmp_path / "proof.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True
    ).stdout.decode()


def document(rows: int, **overrides) -> pdf.ProofDocument:
    fields = {
        "proof_no": "ZM20260301-K7Q2M9XP",
        "full_name": "张三丰",
        "volunteer_no": "V00000007",
        "date_from": date(2026, 1, 1),
        "date_to": date(2026, 2, 28),
        "total_hours": Decimal(rows) * Decimal("1.5"),
        "rows": [
            pdf.ProofRow(
                service_date=date(2026, 1, 1 + i % 28),
                title=f"助老服务{i}",
                content="为独居老人理发，检查家中用电安全" * (1 + i % 3),
                hours=Decimal("1.5"),
                recording_unit="关山街道幸福社区新时代文明实践站志愿服务中心",
            )
            for i in range(rows)
        ],
        "issued_at": datetime(2026, 3, 1, 10, 0),
        "issuer": "关山街道幸福社区新时代文明实践站志愿服务中心",
        "platform": "社志通",
        "verify_url": "http://127.0.0.1:8000/verify/ZM20260301-K7Q2M9XP/?s=" + "a" * 43,
    }
    fields.update(overrides)
    return pdf.ProofDocument(**fields)


def test_rendered_proof_is_a_pdf_whose_chinese_text_extracts(tmp_path):
    data = pdf.render_proof(document(3))
    assert data.startswith(b"%PDF-")
    text = pdftotext(data, tmp_path).replace("\n", "")  # lines may wrap anywhere
    for expected in ("志愿服务证明", "张三丰", "V00000007", "ZM20260301-K7Q2M9XP", "助老服务2"):
        assert expected in text
    assert "累计服务时长 4.5 小时" in text
    assert "检查家中用电安全" in text
    assert "幸福社区" in text


def test_long_proofs_break_over_pages_with_the_header_and_number_on_each(tmp_path):
    text = pdftotext(pdf.render_proof(document(120)), tmp_path)
    pages = text.split("\f")
    assert len([p for p in pages if p.strip()]) >= 3
    assert "第 1 页，共" in text
    assert all("ZM20260301-K7Q2M9XP" in p for p in pages if p.strip())
    assert all("服务日期" in p for p in pages if "助老服务" in p)
    assert "合计 120 次" in text and "180.0" in text


def test_missing_cjk_font_fails_with_a_chinese_message(tmp_path):
    with pytest.raises(pdf.FontUnavailable) as exc:
        pdf.find_font([tmp_path])
    assert "fonts-noto-cjk" in str(exc.value) and "中文字体" in str(exc.value)


def test_the_simplified_chinese_face_of_the_collection_is_used():
    face = pdf.find_font()
    if face.path.suffix == ".ttc":
        from fontTools.ttLib import TTCollection

        name = TTCollection(str(face.path), lazy=True).fonts[face.index]["name"].getDebugName(4)
        assert name.endswith("CJK SC")
