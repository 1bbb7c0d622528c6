"""Reading and writing the .xlsx files: column layouts, the downloadable templates, streaming
row reading with cell parsing, and the error report. No database access here.

Files are read with openpyxl in read-only mode, row by row, so a large sheet is never held in
memory; templates, error reports and exports are written in write-only mode.
"""

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from io import BytesIO
from typing import IO, Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from shezhi.core.errors import InvalidInput
from shezhi.core.spreadsheet import safe_cell, safe_row
from shezhi.volunteers.models import PoliticalStatus, ServiceCategory

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
TEMPLATE_ROWS = 5000  # rows the data validations of a template cover
NOTES_SHEET = "填写说明"
MAX_UNPACKED = 200 * 1024 * 1024  # bytes of XML an upload may unpack to


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    fmt: str = "文本"
    note: str = ""
    example: str = ""
    choices: tuple[str, ...] = ()
    text: bool = False  # stored as text in the template (ID numbers, phones)
    width: int = 14


@dataclass(frozen=True)
class Layout:
    kind: str
    sheet: str
    columns: tuple[Column, ...]
    notes: tuple[str, ...] = ()

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)


YES_NO = ("是", "否")

VOLUNTEER_LAYOUT = Layout(
    kind="volunteers",
    sheet="志愿者",
    columns=(
        Column("name", "姓名", True, note="不超过30个字", example="张三", width=10),
        Column(
            "id_number",
            "身份证号码",
            True,
            note="18位居民身份证号码（GB 11643），请保持文本格式",
            example="11010519491231002X",
            text=True,
            width=22,
        ),
        Column("gender", "性别", note="男或女；不填则按身份证号码", choices=("男", "女"), width=6),
        Column(
            "birth_date",
            "出生日期",
            fmt="日期",
            note="YYYY-MM-DD；不填则按身份证号码，填写须一致",
            example="1949-12-31",
        ),
        Column("phone", "手机号码", True, note="11位手机号码", example="13700001111", text=True),
        Column("compound", "居住小区", note="本社区内小区的名称", example="幸福小区"),
        Column("address", "居住地址", note="不超过100个字", example="3栋2单元501", width=20),
        Column(
            "skills",
            "专业技能",
            note="技能名称，多个用顿号“、”分隔；可加等级1至5，如 维修:4，不加为3级",
            example="维修:4、助餐",
            width=18,
        ),
        Column(
            "service_categories",
            "服务类别",
            note="多个用顿号分隔，可选：" + "、".join(str(x) for x in ServiceCategory.labels),
            example="助老服务",
            width=18,
        ),
        Column(
            "political_status",
            "政治面貌",
            note="不填为群众",
            choices=tuple(str(x) for x in PoliticalStatus.labels),
        ),
        Column("languages", "语言", note="多个用顿号分隔", example="普通话、粤语"),
        Column(
            "consent_version",
            "同意的协议版本",
            True,
            note="志愿者已签署的个人信息处理同意书版本号",
            example="v1",
        ),
        Column(
            "guardian_consent",
            "监护人同意",
            note="未满18周岁须填“是”",
            choices=YES_NO,
            width=10,
        ),
        Column("guardian_name", "监护人姓名", note="未满18周岁必填"),
        Column("guardian_phone", "监护人电话", note="未满18周岁必填", text=True),
        Column("guardian_relation", "与监护人关系", note="如 父亲、母亲"),
    ),
    notes=(
        "第1行为表头，请勿修改、删除或调换列名；从第2行起每行一名志愿者。",
        "带 * 的列必须填写（表头中不含 *）。身份证号码、手机号码请使用文本格式，避免末位丢失。",
        "整个文件校验通过后才会导入；有任何错误时不导入任何一行，并给出逐行错误报告。",
        "导入后为每名志愿者签发统一编号，并以“志愿者”角色建立账号。",
    ),
)

RECORD_LAYOUT = Layout(
    kind="records",
    sheet="服务记录",
    columns=(
        Column(
            "volunteer_no",
            "志愿者编号",
            note="统一编号；与身份证号码至少填写一项",
            example="ZY202600000001",
            text=True,
            width=18,
        ),
        Column(
            "id_number",
            "身份证号码",
            note="志愿者的身份证号码；与志愿者编号至少填写一项",
            text=True,
            width=22,
        ),
        Column("name", "姓名", note="可选；填写时须与登记的姓名一致", width=10),
        Column("title", "活动名称", True, note="不超过100个字", example="重阳节助老", width=18),
        Column(
            "service_date",
            "服务日期",
            True,
            fmt="日期",
            note="YYYY-MM-DD，不能晚于今天",
            example="2026-10-29",
            width=12,
        ),
        Column("start", "开始时间", fmt="时间", note="HH:MM；与结束时间同时填写", example="09:00"),
        Column("end", "结束时间", fmt="时间", note="HH:MM，须晚于开始时间", example="11:30"),
        Column(
            "minutes",
            "服务时长（分钟）",
            fmt="整数",
            note="1–1440的整数；不填则按起止时间计算",
            example="150",
        ),
        Column("place", "服务地点", True, note="不超过200个字", example="幸福小区活动室", width=18),
        Column(
            "content",
            "服务内容",
            True,
            note="不超过2000个字",
            example="陪伴聊天、测血压",
            width=24,
        ),
        Column("person_in_charge", "活动负责人", True, note="不超过30个字", example="王主任"),
        Column("beneficiary", "服务对象", note="可选，不超过60个字"),
        Column(
            "quality_rating",
            "服务质量评价",
            fmt="整数",
            note="可选，1–5",
            choices=("1", "2", "3", "4", "5"),
        ),
    ),
    notes=(
        "第1行为表头，请勿修改、删除或调换列名；从第2行起每行一条服务记录。",
        "组织单位为导入时选择的单位；服务日期超过规定工作日（默认10个工作日）的记录需督导审批后计入。",
        "同一志愿者的服务时段不能相互重叠，也不能与已有记录重叠；一天合计不超过24小时。",
        "整个文件校验通过后才会导入；有任何错误时不导入任何一行，并给出逐行错误报告。",
    ),
)

LAYOUTS = {VOLUNTEER_LAYOUT.kind: VOLUNTEER_LAYOUT, RECORD_LAYOUT.kind: RECORD_LAYOUT}


# --- templates --------------------------------------------------------------------------------


def _col_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def template_workbook(layout: Layout, out: IO[bytes]) -> None:
    """Write the downloadable template: header row, one example row, data validations, and a
    notes sheet with each column's format."""
    wb = Workbook()
    ws = wb.active
    ws.title = layout.sheet
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    for i, col in enumerate(layout.columns, start=1):
        cell = ws.cell(row=1, column=i, value=safe_cell(col.header))
        cell.font = bold
        if col.required:
            cell.fill = required_fill
        cell.comment = Comment(("必填。" if col.required else "选填。") + col.note, "社志通")
        letter = _col_letter(i)
        ws.column_dimensions[letter].width = col.width
        if col.text:
            for r in range(2, TEMPLATE_ROWS + 2):
                ws.cell(row=r, column=i).number_format = "@"
        if col.choices:
            dv = DataValidation(
                type="list",
                formula1='"' + ",".join(col.choices) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="取值无效",
                error="请从下拉列表中选择",
            )
            dv.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
            ws.add_data_validation(dv)
        elif col.fmt == "日期":
            dv = DataValidation(
                type="date",
                operator="greaterThan",
                formula1="1",
                allow_blank=True,
                showErrorMessage=True,
                error="请输入日期，如 2026-01-31",
            )
            dv.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
            ws.add_data_validation(dv)
            for r in range(2, TEMPLATE_ROWS + 2):
                ws.cell(row=r, column=i).number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"
    notes = wb.create_sheet(NOTES_SHEET)
    notes.append(["说明"])
    for line in layout.notes:
        notes.append(safe_row([line]))
    notes.append([])
    notes.append(["列名", "是否必填", "格式", "说明", "示例"])
    for cell in notes[notes.max_row]:
        cell.font = bold
    for col in layout.columns:
        notes.append(
            safe_row(
                [col.header, "必填" if col.required else "选填", col.fmt, col.note, col.example]
            )
        )
    for letter, width in zip("ABCDE", (18, 10, 8, 60, 22), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    wb.save(out)


# --- reading ----------------------------------------------------------------------------------


@dataclass
class Problem:
    row: int
    column: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason}


class FileRefused(InvalidInput):
    """The file as a whole cannot be read (corrupt, empty, not .xlsx, wrong columns, too big)."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message, field="file")
        self.problems = problems or [Problem(0, "", message)]


def check_file_bytes(content: bytes, *, max_bytes: int) -> None:
    if not content:
        raise FileRefused("文件为空")
    if len(content) > max_bytes:
        raise FileRefused(f"文件过大：不能超过{max_bytes // 1024 // 1024 or 1}MB")
    if content.startswith(OLE_MAGIC):
        raise FileRefused("不支持旧版 .xls 文件，请另存为 .xlsx 后上传")
    if not content.startswith(XLSX_MAGIC):
        raise FileRefused("文件不是有效的 .xlsx 文件，请使用平台提供的模板")


@dataclass
class SheetReader:
    """Streams the data rows of one uploaded file as {key: raw value}."""

    layout: Layout
    content: bytes
    max_rows: int
    index: dict[str, int] = field(default_factory=dict)

    def _open(self) -> Any:
        try:
            with zipfile.ZipFile(BytesIO(self.content)) as archive:
                unpacked = sum(info.file_size for info in archive.infolist())
        except (zipfile.BadZipFile, OSError, ValueError):
            raise FileRefused("文件已损坏或不是有效的 .xlsx 文件") from None
        if unpacked > MAX_UNPACKED:
            # A "zip bomb": a small file that unpacks to gigabytes.
            raise FileRefused("文件解压后过大，请分批导入")
        try:
            wb = load_workbook(BytesIO(self.content), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError):
            raise FileRefused("文件已损坏或不是有效的 .xlsx 文件") from None
        except Exception:  # openpyxl raises many kinds of error on malformed parts
            raise FileRefused("文件已损坏或不是有效的 .xlsx 文件") from None
        if self.layout.sheet in wb.sheetnames:
            ws = wb[self.layout.sheet]
        else:
            sheets = [s for s in wb.worksheets if s.title != NOTES_SHEET]
            if not sheets:
                wb.close()
                raise FileRefused("文件中没有工作表")
            ws = sheets[0]
        return wb, ws

    def _rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        wb, ws = self._open()
        try:
            try:
                yield from enumerate(ws.iter_rows(values_only=True), start=1)
            except FileRefused:
                raise
            except Exception:
                raise FileRefused("文件内容已损坏，无法读取") from None
        finally:
            wb.close()

    def _check_headers(self, values: tuple[Any, ...]) -> None:
        problems: list[Problem] = []
        known = {c.header: c for c in self.layout.columns}
        seen: dict[str, int] = {}
        for i, raw in enumerate(values):
            header = _clean_header(raw)
            if not header:
                continue
            if header not in known:
                problems.append(Problem(1, header, f"未知的列“{header}”，请使用平台提供的模板"))
            elif header in seen:
                problems.append(Problem(1, header, f"列“{header}”重复"))
            else:
                seen[header] = i
        missing = [c.header for c in self.layout.columns if c.required and c.header not in seen]
        for header in missing:
            problems.append(Problem(1, header, f"缺少必填列“{header}”"))
        if problems:
            if not seen:
                raise FileRefused("第1行不是本模板的表头，请使用平台提供的模板", problems)
            raise FileRefused("表头与模板不一致：" + problems[0].reason, problems)
        self.index = {known[h].key: i for h, i in seen.items()}

    def count(self) -> int:
        """Check the header row and count the non-blank data rows (refusing too many)."""
        rows = self._rows()
        header = next(rows, None)
        if header is None or not any(_present(v) for v in header[1]):
            raise FileRefused("文件是空的：没有表头和数据")
        self._check_headers(header[1])
        total = 0
        for _number, values in rows:
            if any(_present(v) for v in values):
                total += 1
                if total > self.max_rows:
                    raise FileRefused(f"数据行过多：一次最多导入{self.max_rows}行，请分批导入")
        if total == 0:
            raise FileRefused("文件中没有数据行")
        return total

    def records(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(row number, {key: raw value}) for every non-blank data row; call count() first."""
        rows = self._rows()
        next(rows, None)
        for number, values in rows:
            if not any(_present(v) for v in values):
                continue
            yield (
                number,
                {key: (values[i] if i < len(values) else None) for key, i in self.index.items()},
            )


def _clean_header(raw: Any) -> str:
    return re.sub(r"\s+", "", str(raw or "")).replace("*", "").replace("(", "（").replace(")", "）")


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


# --- cell parsing -----------------------------------------------------------------------------


class CellError(ValueError):
    """A cell that cannot be read; the message is the Chinese reason."""


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date | time):
        raise CellError("应为文本")
    return str(value).replace("\x00", "").strip()


def identifier(value: Any, label: str) -> str:
    """ID numbers and phones: numbers typed into a number-formatted cell lose digits."""
    if isinstance(value, float) and not value.is_integer():
        raise CellError(f"{label}应为文本格式")
    if isinstance(value, float | int) and not isinstance(value, bool) and len(str(int(value))) > 15:
        raise CellError(f"{label}被 Excel 存成了数字，末位已丢失，请将该列设为文本格式后重新填写")
    return text(value).replace(" ", "").upper()


DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
TIME_RE = re.compile(r"^(\d{1,2})\s*[:：]\s*(\d{2})(?:\s*[:：]\s*\d{2})?$")


def a_date(value: Any) -> date | None:
    if not _present(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        m = DATE_RE.match(value.strip())
        if m:
            try:
                return date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                raise CellError("日期不存在") from None
    raise CellError("日期格式不正确，应为 YYYY-MM-DD")


def a_time(value: Any) -> time | None:
    if not _present(value):
        return None
    if isinstance(value, datetime):
        return value.time()
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        m = TIME_RE.match(value.strip())
        if m and int(m[1]) <= 23 and int(m[2]) <= 59:
            return time(int(m[1]), int(m[2]))
    if isinstance(value, float) and 0 <= value < 1:  # an Excel time fraction
        minutes = round(value * 24 * 60)
        return time(minutes // 60 % 24, minutes % 60)
    raise CellError("时间格式不正确，应为 HH:MM，如 09:30")


def an_int(value: Any) -> int | None:
    if not _present(value):
        return None
    if isinstance(value, bool):
        raise CellError("应为整数")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise CellError("应为整数")
    if isinstance(value, str) and re.fullmatch(r"[+-]?\d{1,9}", value.strip()):
        return int(value.strip())
    raise CellError("应为整数")


def a_list(value: Any) -> list[str]:
    return [p for p in re.split(r"[、,，;；/\s]+", text(value)) if p]


def yes_no(value: Any) -> bool:
    raw = text(value)
    if raw in ("", "否", "N", "n", "no", "NO", "0"):
        return False
    if raw in ("是", "Y", "y", "yes", "YES", "1"):
        return True
    raise CellError("应填写“是”或“否”")


# --- error report -----------------------------------------------------------------------------


def error_report(problems: list[dict[str, Any]], out: IO[bytes]) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("错误报告")
    header = []
    for title in ("行号", "列", "原因"):
        cell = WriteOnlyCell(ws, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    for p in problems:
        ws.append(safe_row([p.get("row") or "整个文件", p.get("column", ""), p.get("reason", "")]))
    wb.save(out)
