from io import BytesIO

import pytest
from openpyxl import load_workbook

from shezhi.core.errors import InvalidInput
from shezhi.imports import services, sheets
from shezhi.imports.models import ImportJob
from shezhi.imports.tests.factories import (
    record_file,
    record_row,
    run_import,
    volunteer_file,
    volunteer_row,
    xlsx,
)
from shezhi.volunteers.models import Volunteer

VOL = ImportJob.Kind.VOLUNTEERS


def only_error(job: ImportJob) -> str:
    assert job.status == ImportJob.Status.FAILED
    assert job.errors
    return job.summary["message"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "文件为空"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 600, "不支持旧版 .xls 文件，请另存为 .xlsx 后上传"),
        ("姓名,身份证号码\n张三,1".encode(), "文件不是有效的 .xlsx 文件，请使用平台提供的模板"),
    ],
)
def test_empty_old_and_non_xlsx_files_are_refused_at_upload(world, content, message):
    with pytest.raises(InvalidInput) as exc:
        run_import(world.alice, VOL, content)
    assert exc.value.message == message
    assert exc.value.field == "file"
    assert not ImportJob.objects.exists()


def test_file_over_the_byte_limit_is_refused(world, settings):
    settings.SHEZHI_IMPORT_MAX_BYTES = 1024 * 1024
    content = volunteer_file([volunteer_row(1)]) + b"\x00" * (1024 * 1024)
    with pytest.raises(InvalidInput, match="文件过大：不能超过1MB"):
        run_import(world.alice, VOL, content)


def test_other_extension_is_refused(world):
    with pytest.raises(InvalidInput, match="请上传 .xlsx 文件"):
        run_import(world.alice, VOL, volunteer_file([volunteer_row(1)]), name="a.csv")


def test_corrupt_zip_fails_the_job_with_a_clear_message(world):
    content = volunteer_file([volunteer_row(1)])
    broken = content[:200] + b"garbage" * 50 + content[-100:]
    assert only_error(run_import(world.alice, VOL, broken)) == "文件已损坏或不是有效的 .xlsx 文件"


def test_zip_that_is_not_a_workbook_fails_cleanly(world):
    import zipfile

    out = BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "不是表格")
    assert only_error(run_import(world.alice, VOL, out.getvalue())) == (
        "文件已损坏或不是有效的 .xlsx 文件"
    )


def test_zip_bomb_is_refused_before_parsing(world, monkeypatch):
    monkeypatch.setattr(sheets, "MAX_UNPACKED", 10_000)
    content = volunteer_file([volunteer_row(n) for n in range(200)])
    assert only_error(run_import(world.alice, VOL, content)) == "文件解压后过大，请分批导入"


def test_workbook_without_rows_is_empty(world):
    assert only_error(run_import(world.alice, VOL, xlsx([]))) == "文件是空的：没有表头和数据"


def test_header_only_has_no_data_rows(world):
    assert only_error(run_import(world.alice, VOL, volunteer_file([]))) == "文件中没有数据行"


def test_wrong_columns_are_listed_and_nothing_imported(world):
    headers = [h for h in sheets.VOLUNTEER_LAYOUT.headers if h != "手机号码"] + ["备注"]
    rows = [volunteer_row(1)[: len(headers) - 1] + ["x"]]
    job = run_import(world.alice, VOL, volunteer_file(rows, headers=headers))
    assert job.status == ImportJob.Status.FAILED
    assert {(e["row"], e["column"], e["reason"]) for e in job.errors} == {
        (1, "备注", "未知的列“备注”，请使用平台提供的模板"),
        (1, "手机号码", "缺少必填列“手机号码”"),
    }
    assert Volunteer.objects.count() == 2


def test_the_records_template_is_not_a_volunteers_file(world):
    job = run_import(world.alice, VOL, record_file([record_row(world.bob_volunteer.volunteer_no)]))
    assert only_error(job).startswith("表头与模板不一致")


def test_foreign_sheet_without_our_headers(world):
    job = run_import(world.alice, VOL, xlsx([["a", "b"], [1, 2]]))
    assert only_error(job) == "第1行不是本模板的表头，请使用平台提供的模板"


def test_too_many_rows_are_refused_before_any_check(world, settings):
    settings.SHEZHI_IMPORT_MAX_ROWS = 50
    job = run_import(world.alice, VOL, volunteer_file([volunteer_row(n) for n in range(51)]))
    assert only_error(job) == "数据行过多：一次最多导入50行，请分批导入"
    assert job.total_rows == 0


def test_blank_rows_are_skipped_and_headers_tolerate_stars_and_spaces(world):
    headers = [f"{h} *" if h == "姓名" else h for h in sheets.VOLUNTEER_LAYOUT.headers]
    rows = [volunteer_row(1), [None] * len(headers), ["  "] * 3, volunteer_row(2)]
    job = run_import(world.alice, VOL, volunteer_file(rows, headers=headers))
    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.total_rows == 2


@pytest.mark.parametrize("layout", [sheets.VOLUNTEER_LAYOUT, sheets.RECORD_LAYOUT])
def test_template_has_chinese_headers_notes_and_validations(layout):
    out = BytesIO()
    sheets.template_workbook(layout, out)
    wb = load_workbook(BytesIO(out.getvalue()))
    ws = wb[layout.sheet]
    assert [c.value for c in ws[1]] == layout.headers
    assert ws.data_validations.dataValidation  # drop-down lists / date checks
    notes = wb[sheets.NOTES_SHEET]
    assert any("整个文件校验通过后才会导入" in str(r[0].value) for r in notes.iter_rows())
    assert {r[0].value for r in notes.iter_rows()} >= set(layout.headers)


def test_the_template_itself_is_an_acceptable_empty_file(world):
    out = BytesIO()
    sheets.template_workbook(sheets.VOLUNTEER_LAYOUT, out)
    assert only_error(run_import(world.alice, VOL, out.getvalue())) == "文件中没有数据行"


def test_error_report_lists_row_column_reason():
    out = BytesIO()
    sheets.error_report(
        [
            {"row": 0, "column": "", "reason": "文件为空"},
            {"row": 3, "column": "姓名", "reason": "请填写姓名"},
        ],
        out,
    )
    ws = load_workbook(BytesIO(out.getvalue())).active
    assert [[c.value for c in r] for r in ws.iter_rows()] == [
        ["行号", "列", "原因"],
        ["整个文件", None, "文件为空"],
        [3, "姓名", "请填写姓名"],
    ]


def test_running_a_finished_job_again_changes_nothing(world):
    job = run_import(world.alice, VOL, volunteer_file([volunteer_row(1)]))
    again = services.import_job_run(job_id=job.pk)
    assert again.status == ImportJob.Status.DONE
    assert Volunteer.objects.filter(name="导入1").count() == 1
