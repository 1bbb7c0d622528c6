"""Building .xlsx files in tests, and import jobs run synchronously."""

from datetime import date, timedelta
from io import BytesIO
from typing import Any

from django.utils import timezone
from openpyxl import Workbook

from shezhi.core.validators import compose_id_number
from shezhi.imports import services
from shezhi.imports.models import ImportJob
from shezhi.imports.sheets import RECORD_LAYOUT, VOLUNTEER_LAYOUT


def xlsx(rows: list[list[Any]], *, sheet: str = "Sheet") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def id_for(n: int, born: date = date(1985, 6, 1), area: str = "110105") -> str:
    return compose_id_number(area, born, n)


def volunteer_row(n: int, **overrides: Any) -> list[Any]:
    values = {
        "姓名": f"导入{n}",
        "身份证号码": id_for(2 * (n % 400) + 1, born=date(1985, 6, 1) + timedelta(days=n // 400)),
        "性别": "男",
        "出生日期": "",
        "手机号码": f"136{n:08d}",
        "居住小区": "",
        "居住地址": f"{n}栋",
        "专业技能": "",
        "服务类别": "助老服务",
        "政治面貌": "群众",
        "语言": "普通话",
        "同意的协议版本": "v1",
        "监护人同意": "",
        "监护人姓名": "",
        "监护人电话": "",
        "与监护人关系": "",
    }
    values.update(overrides)
    return [values[h] for h in VOLUNTEER_LAYOUT.headers]


def volunteer_file(rows: list[list[Any]], headers: list[str] | None = None) -> bytes:
    return xlsx([headers or VOLUNTEER_LAYOUT.headers, *rows], sheet="志愿者")


def record_row(volunteer_no: str = "", **overrides: Any) -> list[Any]:
    values = {
        "志愿者编号": volunteer_no,
        "身份证号码": "",
        "姓名": "",
        "活动名称": "助老送餐",
        "服务日期": timezone.localdate() - timedelta(days=2),
        "开始时间": "",
        "结束时间": "",
        "服务时长（分钟）": 60,
        "服务地点": "幸福小区",
        "服务内容": "为独居老人送午餐",
        "活动负责人": "王主任",
        "服务对象": "",
        "服务质量评价": "",
    }
    values.update(overrides)
    return [values[h] for h in RECORD_LAYOUT.headers]


def record_file(rows: list[list[Any]], headers: list[str] | None = None) -> bytes:
    return xlsx([headers or RECORD_LAYOUT.headers, *rows], sheet="服务记录")


def run_import(actor, kind: str, content: bytes, *, unit=None, name: str = "f.xlsx") -> ImportJob:
    job = services.import_job_create(
        actor=actor,
        kind=kind,
        file_name=name,
        content=content,
        unit_id=unit.pk if unit is not None else None,
    )
    return services.import_job_run(job_id=job.pk)
