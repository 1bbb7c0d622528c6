from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from shezhi.core.errors import Forbidden, InvalidInput
from shezhi.core.models import AuditEvent
from shezhi.imports import services
from shezhi.volunteers.models import ServiceRecord
from shezhi.volunteers.tests.factories import record


@pytest.fixture
def records(world):
    today = timezone.localdate()
    a = record(
        world.alice,
        world.bob_volunteer,
        world.a["community"],
        minutes=90,
        service_date=today - timedelta(days=1),
        content="陪老人就医",
    )
    b = record(
        world.charlie,
        world.erin_volunteer,
        world.b["community"],
        minutes=60,
        service_date=today - timedelta(days=1),
    )
    old = record(
        world.alice,
        world.erin_volunteer,
        world.a["community"],
        minutes=60,
        service_date=today - timedelta(days=6),
    )
    return a, b, old


def export(actor, days=3):
    out = BytesIO()
    today = timezone.localdate()
    n = services.hours_export(
        actor=actor, date_from=today - timedelta(days=days), date_to=today, out=out
    )
    rows = [
        list(r) for r in load_workbook(BytesIO(out.getvalue())).active.iter_rows(values_only=True)
    ]
    return n, rows


def test_export_has_the_national_columns_and_full_id_numbers_of_the_scope(world, records):
    a, _b, _old = records
    n, rows = export(world.alice)
    assert rows[0] == [
        "姓名",
        "证件类型",
        "证件号码",
        "服务日期",
        "服务内容",
        "服务时长(小时)",
        "组织单位",
    ]
    assert n == 1
    assert rows[1] == [
        world.bob_volunteer.name,
        "居民身份证",
        world.bob_volunteer.id_number,
        a.service_date.isoformat(),
        "陪老人就医",
        1.5,
        a.organiser,
    ]


def test_export_is_limited_to_the_period(world, records):
    n, rows = export(world.alice, days=10)
    assert n == 2 and len(rows) == 3


def test_pending_late_records_are_not_exported(world, records):
    ServiceRecord.objects.filter(pk=records[0].pk).update(status=ServiceRecord.Status.PENDING)
    assert export(world.alice)[0] == 0


def test_outsider_exports_only_their_own_community(world, records):
    n, rows = export(world.charlie)
    assert n == 1 and rows[1][2] == world.erin_volunteer.id_number
    assert world.bob_volunteer.id_number not in {r[2] for r in rows}


def test_street_supervisor_exports_the_street(world, records):
    assert export(world.sam, days=10)[0] == 2


def test_every_export_is_audited_with_who_period_and_rows(world, records):
    export(world.alice)
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor == world.alice
    assert event.changes["rows"] == 1
    assert event.changes["date_to"] == str(timezone.localdate())
    assert "导出志愿服务时长" in event.summary


@pytest.mark.parametrize("who", ["bob", "dora", "admin", "partner_user"])
def test_roles_without_unmask_right_are_refused_and_nothing_is_audited(world, records, who):
    with pytest.raises(Forbidden):
        export(getattr(world, who))
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_bad_periods_are_refused(world):
    today = timezone.localdate()
    cases = [
        (today, today - timedelta(days=1), "开始日期不能晚于截止日期"),
        (today, today + timedelta(days=1), "截止日期不能晚于今天"),
        (today - timedelta(days=400), today, "一次最多导出一年的记录"),
    ]
    for date_from, date_to, message in cases:
        with pytest.raises(InvalidInput, match=message):
            services.hours_export(
                actor=world.alice, date_from=date_from, date_to=date_to, out=BytesIO()
            )
