from datetime import time, timedelta
from decimal import Decimal

from django.utils import timezone

from shezhi.imports import services
from shezhi.imports.models import ImportJob
from shezhi.imports.tests.factories import id_for, record_file, record_row, run_import
from shezhi.volunteers.models import ServiceRecord
from shezhi.volunteers.tests.factories import record

REC = ImportJob.Kind.RECORDS
MIN = "服务时长（分钟）"


def by_row(job: ImportJob) -> dict[int, list[tuple[str, str]]]:
    out: dict[int, list[tuple[str, str]]] = {}
    for e in job.errors:
        out.setdefault(e["row"], []).append((e["column"], e["reason"]))
    return out


def test_clean_file_imports_all_records_through_the_service(world):
    bob, erin = world.bob_volunteer, world.erin_volunteer
    day = timezone.localdate() - timedelta(days=2)
    rows = [
        record_row(bob.volunteer_no, **{MIN: 50}),
        record_row(
            "",
            身份证号码=erin.id_number,
            姓名=erin.name,
            开始时间="09:00",
            结束时间="10:30",
            **{MIN: ""},
        ),
        record_row(bob.volunteer_no, 开始时间=time(14, 0), 结束时间=time(15, 0), **{MIN: ""}),
        record_row(bob.volunteer_no, 服务日期=day - timedelta(days=60), 服务质量评价=5),
    ]
    job = run_import(world.alice, REC, record_file(rows))
    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.summary == {"imported": 4, "late": 1}
    recs = ServiceRecord.objects.filter(organiser_unit=world.a["community"])
    assert recs.count() == 4
    assert recs.filter(volunteer=bob).count() == 3
    assert recs.get(volunteer=erin).hours == Decimal("1.5")
    assert recs.get(volunteer=bob, minutes=50).hours == Decimal("1")  # rounding rule applied
    # The 10-working-day window applies: the old one waits for a supervisor.
    assert recs.get(quality_rating=5).status == ServiceRecord.Status.PENDING
    assert all(r.recorded_by == world.alice for r in recs)


def test_one_bad_row_imports_no_record(world):
    rows = [record_row(world.bob_volunteer.volunteer_no, 活动名称=f"活动{i}") for i in range(3)]
    rows.append(record_row(world.bob_volunteer.volunteer_no, **{MIN: -30}))
    job = run_import(world.alice, REC, record_file(rows))
    assert job.status == ImportJob.Status.FAILED
    assert by_row(job) == {5: [("服务时长（分钟）", "服务时长不能为负数")]}
    assert not ServiceRecord.objects.exists()


def test_every_bad_record_row_is_reported(world):
    bob = world.bob_volunteer
    no = bob.volunteer_no
    today = timezone.localdate()
    day = today - timedelta(days=3)
    existing = record(
        world.alice,
        world.erin_volunteer,
        world.a["community"],
        started_at=timezone.make_aware(timezone.datetime.combine(day, time(8, 0))),
        ended_at=timezone.make_aware(timezone.datetime.combine(day, time(9, 0))),
        service_date=day,
        minutes=None,
    )
    assert existing.pk
    rows = [
        record_row(no),  # 2 fine
        record_row("ZY000"),  # 3 unknown volunteer
        record_row("", 身份证号码=id_for(555)),  # 4 valid ID, not registered
        record_row("", 身份证号码="110105198506010010"),  # 5 bad check digit
        record_row(no, 服务日期=today + timedelta(days=1)),  # 6 future
        record_row(no, 服务日期="昨天"),  # 7 bad date
        record_row(no, **{MIN: -5}),  # 8 negative
        record_row(no, **{MIN: 100000}),  # 9 absurd
        record_row(no, **{MIN: "一小时"}),  # 10 not a number
        record_row(no, 服务日期=day, 开始时间="10:00", 结束时间="11:00", **{MIN: ""}),  # 11
        record_row(no, 服务日期=day, 开始时间="10:30", 结束时间="12:00", **{MIN: ""}),  # 12
        record_row(
            world.erin_volunteer.volunteer_no,
            服务日期=day,
            开始时间="08:30",
            结束时间="09:30",
            **{MIN: ""},
        ),  # 13 overlaps the existing record
        record_row(no, 开始时间="11:00", 结束时间="10:00", **{MIN: ""}),  # 14 end first
        record_row(no, 开始时间="10:00", **{MIN: ""}),  # 15 only start
        record_row(no, 活动名称=""),  # 16 missing
        record_row(no, 姓名="别人"),  # 17 name disagrees
        record_row(no, 服务质量评价=9),  # 18
        record_row("", **{MIN: 30}),  # 19 no volunteer
        record_row(no, 服务日期=day - timedelta(days=1), **{MIN: 1000}),  # 20
        record_row(no, 服务日期=day - timedelta(days=1), **{MIN: 500}),  # 21 day > 24 h
        record_row(no, 服务日期=day - timedelta(days=5)),  # 22
        record_row(no, 服务日期=day - timedelta(days=5)),  # 23 the same service twice
    ]
    job = run_import(world.alice, REC, record_file(rows))
    assert job.status == ImportJob.Status.FAILED
    got = by_row(job)
    assert 2 not in got and 11 not in got and 20 not in got
    assert got[3] == [("志愿者编号", "未找到该志愿者，请先登记")]
    assert got[4] == [("身份证号码", "未找到该志愿者，请先登记")]
    assert got[5] == [("身份证号码", "身份证号码校验位错误，请核对后重新输入")]
    assert got[6] == [("服务日期", "服务日期不能晚于今天")]
    assert got[7] == [("服务日期", "日期格式不正确，应为 YYYY-MM-DD")]
    assert got[8] == [("服务时长（分钟）", "服务时长不能为负数")]
    assert got[9] == [("服务时长（分钟）", "服务时长不合理：一次服务不能超过1440分钟（24小时）")]
    assert got[10] == [("服务时长（分钟）", "应为整数")]
    assert got[12] == [("开始时间", "与第11行同一志愿者的服务时段重叠")]
    assert got[13][0][0] == "开始时间" and "已有的服务记录" in got[13][0][1]
    assert got[14] == [("结束时间", "结束时间应晚于开始时间")]
    assert got[15] == [("结束时间", "请同时填写开始和结束时间")]
    assert got[16] == [("活动名称", "请填写活动名称")]
    assert got[17] == [("姓名", "姓名与登记的志愿者不一致")]
    assert got[18] == [("服务质量评价", "服务质量评价应为1到5")]
    assert got[19] == [("志愿者编号", "请填写志愿者编号或身份证号码")]
    assert got[21][0][0] == "服务时长（分钟）" and "超过24小时" in got[21][0][1]
    assert 22 not in got
    assert got[23] == [
        ("活动名称", "与第22行是同一条服务记录（重复）；如确为两次服务，请填写起止时间")
    ]
    assert ServiceRecord.objects.count() == 1


def test_a_service_error_mid_way_rolls_back_everything_and_names_the_row(world, monkeypatch):
    from shezhi.core.errors import InvalidInput, ItemRefused
    from shezhi.imports.importers import base
    from shezhi.volunteers import services as volunteer_services

    real = volunteer_services.service_records_create_many
    calls = {"n": 0}

    def flaky(*, entries, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:  # the second batch: rows 4 and 5, the first of which fails
            raise ItemRefused(0, InvalidInput("服务地点不在本社区", field="place"))
        return real(entries=entries, **kwargs)

    monkeypatch.setattr(base, "PUBLISH_BATCH", 2)
    monkeypatch.setattr(volunteer_services, "service_records_create_many", flaky)
    rows = [
        record_row(world.bob_volunteer.volunteer_no, 活动名称=f"活动{i}", **{MIN: 30})
        for i in range(4)
    ]
    job = run_import(world.alice, REC, record_file(rows))
    assert job.status == ImportJob.Status.FAILED
    assert job.errors == [{"row": 4, "column": "服务地点", "reason": "服务地点不在本社区"}]
    assert not ServiceRecord.objects.exists()
    assert job.imported_rows == 0


def test_records_are_organised_by_the_chosen_unit_in_scope(world):
    rows = [record_row(world.bob_volunteer.volunteer_no)]
    job = run_import(world.sam, REC, record_file(rows), unit=world.a["street"])
    assert job.status == ImportJob.Status.DONE
    assert ServiceRecord.objects.get().organiser_unit == world.a["street"]


def test_outsider_cannot_import_records_for_another_community(world):
    import pytest

    from shezhi.core.errors import NotFound

    with pytest.raises(NotFound):
        run_import(
            world.charlie,
            REC,
            record_file([record_row(world.bob_volunteer.volunteer_no)]),
            unit=world.a["community"],
        )


def test_progress_fields_update_while_validating_and_importing(world, monkeypatch):
    seen: list[tuple[str, int, int]] = []
    real_flush = services.Progress.flush

    def spy(self, *, in_transaction=False):
        real_flush(self, in_transaction=in_transaction)
        job = ImportJob.objects.get(pk=self.job.pk)
        seen.append((job.status, services.progress_of(job), job.total_rows))

    monkeypatch.setattr(services.Progress, "flush", spy)
    rows = [
        record_row(
            world.bob_volunteer.volunteer_no, 服务日期=timezone.localdate() - timedelta(days=d)
        )
        for d in range(1, 26)
    ]
    content = record_file(rows)
    job = services.import_job_create(
        actor=world.alice, kind=REC, file_name="r.xlsx", content=content
    )
    assert (job.status, job.total_rows, job.processed_rows) == ("pending", 0, 0)
    job = services.import_job_run(job_id=job.pk, progress_every=10)
    assert job.status == ImportJob.Status.DONE
    assert ("validating", 10, 25) in seen and ("validating", 20, 25) in seen
    assert ("importing", 10, 25) in seen and ("importing", 25, 25) in seen
    job.refresh_from_db()
    assert (job.processed_rows, job.total_rows, job.imported_rows) == (25, 25, 25)
    assert job.finished_at is not None


def test_an_unexpected_error_fails_the_job_cleanly(world, monkeypatch):
    def broken(self, rows, progress):
        raise RuntimeError("bug")

    monkeypatch.setattr(services.RecordImport, "validate", broken)
    job = run_import(world.alice, REC, record_file([record_row(world.bob_volunteer.volunteer_no)]))
    assert job.status == ImportJob.Status.FAILED
    assert job.summary["message"] == "导入时发生内部错误，未导入任何数据，请联系管理员"
    assert not ServiceRecord.objects.exists()
