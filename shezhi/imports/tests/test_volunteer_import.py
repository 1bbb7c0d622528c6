import pytest
from django.utils import timezone

from shezhi.core.errors import Forbidden, NotFound
from shezhi.core.models import AuditEvent
from shezhi.imports.models import ImportJob
from shezhi.imports.tests.factories import id_for, run_import, volunteer_file, volunteer_row
from shezhi.volunteers.models import Consent, Volunteer

VOL = ImportJob.Kind.VOLUNTEERS


def reasons(job: ImportJob) -> list[tuple[int, str, str]]:
    return [(e["row"], e["column"], e["reason"]) for e in job.errors]


def test_clean_file_imports_every_volunteer_with_number_account_consent_and_audit(world):
    content = volunteer_file([volunteer_row(n) for n in range(1, 21)])
    job = run_import(world.alice, VOL, content)
    assert job.status == ImportJob.Status.DONE
    assert (job.total_rows, job.processed_rows, job.imported_rows) == (20, 20, 20)
    imported = Volunteer.objects.filter(name__startswith="导入")
    assert imported.count() == 20
    v = imported.get(name="导入3")
    assert v.community == world.a["community"]
    assert v.volunteer_no.startswith("ZY")
    assert v.service_categories == ["elderly"]
    assert Consent.objects.filter(volunteer=v, text_version="v1").exists()
    assert AuditEvent.objects.filter(
        object_type="volunteers.volunteer", object_id=str(v.pk), actor=world.alice
    ).exists()
    job.refresh_from_db()
    assert bytes(job.content) == b""  # the file with ID numbers is not kept


def test_one_bad_row_imports_nothing_and_names_row_column_reason(world):
    rows = [volunteer_row(n) for n in range(1, 6)]
    bad_id = id_for(99)[:17] + ("0" if id_for(99)[17] != "0" else "1")
    rows[2] = volunteer_row(3, 身份证号码=bad_id)
    job = run_import(world.alice, VOL, volunteer_file(rows))
    assert job.status == ImportJob.Status.FAILED
    assert reasons(job) == [(4, "身份证号码", "身份证号码校验位错误，请核对后重新输入")]
    assert not Volunteer.objects.filter(name__startswith="导入").exists()


def test_every_bad_volunteer_row_is_reported(world):
    existing = world.bob_volunteer.id_number
    minor = id_for(7, born=timezone.localdate().replace(year=timezone.localdate().year - 12))
    rows = [
        volunteer_row(1),  # row 2: fine
        volunteer_row(2, 身份证号码="1234"),  # row 3
        volunteer_row(3, 身份证号码=id_for(1001)),  # row 4: first of two
        volunteer_row(4, 身份证号码=id_for(1001)),  # row 5: duplicate of row 4
        volunteer_row(5, 身份证号码=existing),  # row 6: already registered
        volunteer_row(6, 手机号码="12345"),  # row 7
        volunteer_row(7, 身份证号码=minor),  # row 8: minor without guardian
        volunteer_row(8, 性别="女"),  # row 9: gender disagrees
        volunteer_row(9, 出生日期="1970-01-01"),  # row 10: birth date disagrees
        volunteer_row(10, 出生日期="2026-02-30"),  # row 11: no such date
        volunteer_row(11, 姓名=""),  # row 12: missing
        volunteer_row(12, 专业技能="飞行"),  # row 13
        volunteer_row(13, 服务类别="摘星星"),  # row 14
        volunteer_row(14, 居住小区="不存在小区"),  # row 15
        volunteer_row(15, 同意的协议版本=""),  # row 16
        volunteer_row(16, 政治面貌="外星人"),  # row 17
        volunteer_row(17, 身份证号码=110105198506010011),  # row 18: Excel number
    ]
    job = run_import(world.alice, VOL, volunteer_file(rows))
    assert job.status == ImportJob.Status.FAILED
    got = reasons(job)
    by_row = {}
    for row, column, reason in got:
        by_row.setdefault(row, []).append((column, reason))
    assert 2 not in by_row and 4 not in by_row
    assert by_row[3] == [("身份证号码", "身份证号码应为18位，当前为4位")]
    assert by_row[5] == [("身份证号码", "身份证号码与第4行重复")]
    assert by_row[6] == [("身份证号码", "该身份证号码已登记为志愿者")]
    assert by_row[7] == [("手机号码", "手机号码格式不正确，应为以1开头的11位数字")]
    assert ("监护人同意", "未满18周岁的志愿者须经监护人同意") in by_row[8]
    assert by_row[9] == [("性别", "性别与身份证号码不一致")]
    assert by_row[10] == [("出生日期", "出生日期与身份证号码不一致")]
    assert by_row[11] == [("出生日期", "日期不存在")]
    assert by_row[12] == [("姓名", "请填写姓名")]
    assert by_row[13] == [("专业技能", "未知的专业技能：飞行")]
    assert by_row[14] == [("服务类别", "未知的服务类别：摘星星")]
    assert by_row[15] == [("居住小区", "本社区没有名为“不存在小区”的小区")]
    assert by_row[16] == [("同意的协议版本", "请填写同意的协议版本")]
    assert by_row[17] == [("政治面貌", "政治面貌不在可选范围内")]
    assert by_row[18][0][0] == "身份证号码" and "文本格式" in by_row[18][0][1]
    assert job.summary["error_rows"] == 15
    assert Volunteer.objects.count() == 2  # Bob and Erin only


def test_minor_with_guardian_consent_imports(world):
    minor = id_for(7, born=timezone.localdate().replace(year=timezone.localdate().year - 15))
    row = volunteer_row(
        1,
        身份证号码=minor,
        监护人同意="是",
        监护人姓名="王妈妈",
        监护人电话="13600000001",
        与监护人关系="母亲",
        居住小区=None,
    )
    job = run_import(world.alice, VOL, volunteer_file([row]))
    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.summary == {"imported": 1, "minors": 1}
    assert Consent.objects.filter(kind=Consent.Kind.GUARDIAN, guardian_name="王妈妈").exists()


def test_compound_by_name_and_skills_by_name(world):
    row = volunteer_row(1, 居住小区=world.a["compound"].name, 专业技能="repair")
    job = run_import(world.alice, VOL, volunteer_file([row]))
    assert job.status == ImportJob.Status.DONE, job.errors
    v = Volunteer.objects.get(name="导入1")
    assert v.compound == world.a["compound"]
    assert [s.code for s in v.skills.all()] == ["repair"]


def test_skills_may_carry_a_level_else_level_3(world):
    row = volunteer_row(1, 专业技能="家电维修:5、cleaning、心理咨询：2")
    job = run_import(world.alice, VOL, volunteer_file([row]))
    assert job.status == ImportJob.Status.DONE, job.errors
    v = Volunteer.objects.get(name="导入1")
    assert dict(v.skill_levels.values_list("skill__code", "level")) == {
        "repair": 5,
        "cleaning": 3,
        "counselling": 2,
    }


def test_a_bad_skill_level_names_row_and_column(world):
    rows = [volunteer_row(1, 专业技能="家电维修:6"), volunteer_row(2, 专业技能="飞行:2")]
    job = run_import(world.alice, VOL, volunteer_file(rows))
    assert job.status == ImportJob.Status.FAILED
    assert reasons(job) == [
        (2, "专业技能", "“家电维修:6”格式应为“技能:等级”，等级为1至5，如 维修:4"),
        (3, "专业技能", "未知的专业技能：飞行"),
    ]
    assert not Volunteer.objects.filter(name__startswith="导入").exists()


def test_outsider_cannot_import_into_another_community(world):
    with pytest.raises(NotFound):
        run_import(
            world.charlie, VOL, volunteer_file([volunteer_row(1)]), unit=world.a["community"]
        )
    assert not ImportJob.objects.exists()


def test_volunteers_and_residents_may_not_import(world):
    for user in (world.bob, world.dora, world.partner_user):
        with pytest.raises(Forbidden):
            run_import(user, VOL, volunteer_file([volunteer_row(1)]), unit=world.a["community"])


def test_street_supervisor_imports_into_a_community_of_the_street(world):
    job = run_import(world.sam, VOL, volunteer_file([volunteer_row(1)]), unit=world.a["community"])
    assert job.status == ImportJob.Status.DONE
    assert Volunteer.objects.get(name="导入1").community == world.a["community"]
