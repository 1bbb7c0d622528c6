"""The volunteer pages through the test client: the volunteer's "我的" page, corrections, the
social worker's console (records, corrections, late approvals, registration, training, honours)
and team pages. Charlie, the social worker of another community, always gets 404."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shezhi.core.validators import compose_id_number
from shezhi.volunteers import teams
from shezhi.volunteers.models import (
    CorrectionRequest,
    Honour,
    ServiceRecord,
    Team,
    TeamMembership,
    TrainingRecord,
    Volunteer,
)
from shezhi.volunteers.services import correction_request_file
from shezhi.volunteers.tests.factories import record


def YESTERDAY():
    return timezone.localdate() - timedelta(days=1)


def text(response) -> str:
    return response.content.decode()


def login(client, user):
    client.force_login(user)
    return client


def bulk_records(volunteer, recorder, n: int, *, hours="1", start=None):
    start = start or timezone.localdate() - timedelta(days=n + 1)
    return ServiceRecord.objects.bulk_create(
        ServiceRecord(
            volunteer=volunteer,
            title=f"服务{i}",
            service_date=start + timedelta(days=i),
            place="幸福小区",
            content="助老",
            minutes=60,
            hours=Decimal(hours),
            organiser="A社区",
            organiser_unit=volunteer.community,
            person_in_charge="王主任",
            recorded_by=recorder,
        )
        for i in range(n)
    )


@pytest.fixture
def rec(world):
    return record(
        world.alice,
        world.bob_volunteer,
        world.a["community"],
        title="陪老人散步",
        service_date=YESTERDAY(),
    )


def late_record(world):
    day = timezone.localdate() - timedelta(days=40)
    return record(world.alice, world.bob_volunteer, world.a["community"], service_date=day)


# --- the volunteer's "我的" page ----------------------------------------------------------------


def test_me_page_shows_hours_star_records_teams_and_proof_link(client, world, rec):
    teams.team_join(actor=world.bob, team_id=world.team.pk)
    page = text(login(client, world.bob).get("/m/me/"))
    assert world.bob_volunteer.volunteer_no in page
    assert 'data-testid="hours-year">1' in page and 'data-testid="hours-total">1' in page
    assert "暂未评星" in page
    assert "陪老人散步" in page and f"/m/me/records/{rec.pk}/" in page
    assert "维修服务队" in page and f"/m/teams/{world.team.pk}/" in page
    assert "/proofs/" in page
    assert 'data-testid="balance"' not in page  # no time-bank account: nothing shown


def test_me_page_shows_time_bank_balance_when_there_is_one(client, world, monkeypatch):
    monkeypatch.setattr(
        "shezhi.web.volunteers.views.my_page.balance_of", lambda *, volunteer: Decimal("12.5")
    )
    page = text(login(client, world.bob).get("/m/me/"))
    assert 'data-testid="balance">12.5' in page and "时间银行余额" in page


def test_me_page_shows_star_and_barred_notice(client, world):
    bulk_records(world.bob_volunteer, world.alice, 120)
    page = text(login(client, world.bob).get("/m/me/"))
    assert "1 星级志愿者" in page
    Volunteer.objects.filter(pk=world.bob_volunteer.pk).update(
        star_barred_until=timezone.localdate() + timedelta(days=30)
    )
    page = text(client.get("/m/me/"))
    assert "不参加星级评定" in page and "暂未评星" in page


def test_me_page_with_5000_records_is_limited_and_takes_few_queries(
    client, world, django_assert_max_num_queries
):
    bulk_records(world.bob_volunteer, world.alice, 5000, hours="0.5")
    login(client, world.bob)
    with django_assert_max_num_queries(15):
        response = client.get("/m/me/")
    page = text(response)
    assert response.status_code == 200 and "共 5000 条" in page
    assert page.count('href="/m/me/records/') == 30 and "服务4999" in page
    assert 'data-testid="hours-total">2500' in page
    with django_assert_max_num_queries(15):
        second = text(client.get("/m/me/?page=2"))
    assert second.count('href="/m/me/records/') == 30
    assert "服务4969" in second and "服务4999" not in second and "第 2 / 167 页" in second


def test_non_volunteer_and_anonymous_get_no_me_page(client, world):
    assert client.get("/m/me/").status_code == 302
    assert login(client, world.charlie).get("/m/me/").status_code == 404
    assert login(client, world.dora).get("/m/me/").status_code == 404


def test_nav_has_my_page_for_volunteers_and_console_for_staff(client, world):
    assert "/m/me/" in text(login(client, world.bob).get("/m/orders/"))
    page = text(login(client, world.alice).get("/desk/"))
    for url in ("/desk/volunteers/", "/desk/records/", "/desk/corrections/", "/desk/teams/"):
        assert url in page
    assert "/desk/records/late/" in page and "补录审批" in page


# --- corrections over the web -------------------------------------------------------------------


def test_correction_round_trip_over_the_web(client, world, rec):
    login(client, world.bob)
    response = client.post(
        "/m/me/corrections/", {"record": rec.pk, "place": "阳光小区", "reason": "地点记错了"}
    )
    assert response.status_code == 302 and response.url == "/m/me/"
    request = CorrectionRequest.objects.get(record=rec)
    assert "待核实" in text(client.get("/m/me/"))

    login(client, world.alice)
    listing = text(client.get("/desk/corrections/"))
    assert "地点记错了" in listing and "阳光小区" in listing
    response = client.post(f"/desk/corrections/{request.pk}/", {"decision": "approve"})
    assert response.status_code == 302
    rec.refresh_from_db()
    assert rec.place == "阳光小区" and rec.version == 2

    detail = text(login(client, world.bob).get(f"/m/me/records/{rec.pk}/"))
    assert "已更正" in detail and "第 2 版" in detail and "第 1 版" in detail
    assert "幸福小区" in detail  # the first version is kept
    desk = text(login(client, world.alice).get(f"/desk/records/{rec.pk}/"))
    assert "第 2 版" in desk and "更正申请" in desk


def test_correction_from_the_record_page_and_its_errors(client, world, rec):
    login(client, world.bob)
    same = client.post(
        "/m/me/corrections/",
        {"record": rec.pk, "place": rec.place, "reason": "x", "on_record": "1"},
    )
    assert same.status_code == 400 and "请填写需要更正的内容" in text(same)
    future = client.post(
        "/m/me/corrections/",
        {"record": rec.pk, "minutes": "0", "reason": "x", "on_record": "1"},
    )
    assert future.status_code == 400 and "服务时长" in text(future)
    ok = client.post(
        "/m/me/corrections/",
        {"record": rec.pk, "minutes": "90", "reason": "多干了半小时", "on_record": "1"},
    )
    assert ok.status_code == 302 and ok.url == f"/m/me/records/{rec.pk}/"
    again = client.post("/m/me/corrections/", {"record": rec.pk, "minutes": "80", "reason": "再改"})
    assert again.status_code == 400 and "已有待核实的更正申请" in text(again)


def test_rejecting_a_correction_needs_a_reason_shown_as_a_message(client, world, rec):
    req = correction_request_file(
        actor=world.bob, record_id=rec.pk, changes={"place": "别处"}, reason="x"
    )
    login(client, world.alice)
    response = client.post(f"/desk/corrections/{req.pk}/", {"decision": "reject"}, follow=True)
    assert "请填写不予更正的理由" in text(response)
    client.post(f"/desk/corrections/{req.pk}/", {"decision": "reject", "reason": "核实无误"})
    req.refresh_from_db()
    assert req.status == CorrectionRequest.Status.REJECTED
    assert "核实无误" in text(login(client, world.bob).get("/m/me/"))


def test_volunteer_cannot_correct_or_see_someone_elses_record(client, world, rec):
    login(client, world.erin)
    assert client.get(f"/m/me/records/{rec.pk}/").status_code == 404
    response = client.post("/m/me/corrections/", {"record": rec.pk, "place": "别处", "reason": "x"})
    assert response.status_code == 404
    assert not CorrectionRequest.objects.exists()


# --- desk: records ------------------------------------------------------------------------------


def test_social_worker_records_a_service_with_all_fields(client, world):
    login(client, world.alice)
    form = client.get(f"/desk/records/new/?volunteer={world.bob_volunteer.volunteer_no}")
    assert form.status_code == 200 and world.bob_volunteer.volunteer_no in text(form)
    day = timezone.localdate() - timedelta(days=1)
    response = client.post(
        "/desk/records/new/",
        {
            "volunteer_no": world.bob_volunteer.volunteer_no,
            "title": "理发义剪",
            "service_date": day.isoformat(),
            "minutes": "110",
            "place": "社区活动室",
            "content": "为老人理发",
            "organiser_unit": world.a["community"].pk,
            "person_in_charge": "王主任",
            "beneficiary": "张大爷",
            "quality_rating": "5",
            "team": world.team.pk,
        },
    )
    assert response.status_code == 302, text(response)
    rec = ServiceRecord.objects.get(title="理发义剪")
    assert (rec.hours, rec.beneficiary, rec.quality_rating, rec.team_id) == (
        Decimal("2"),
        "张大爷",
        5,
        world.team.pk,
    )
    assert rec.recorded_by == world.alice and rec.status == ServiceRecord.Status.COUNTED
    listing = text(client.get("/desk/records/?q=理发"))
    assert "理发义剪" in listing and world.bob_volunteer.name not in listing  # masked


def test_record_form_shows_chinese_errors_never_500(client, world):
    login(client, world.alice)
    base = {
        "volunteer_no": world.bob_volunteer.volunteer_no,
        "title": "t",
        "minutes": "60",
        "place": "p",
        "content": "c",
        "organiser_unit": world.a["community"].pk,
        "person_in_charge": "x",
    }
    future = client.post(
        "/desk/records/new/",
        {**base, "service_date": (timezone.localdate() + timedelta(days=2)).isoformat()},
    )
    assert future.status_code == 400 and "服务日期不能晚于今天" in text(future)
    nobody = client.post(
        "/desk/records/new/",
        {**base, "volunteer_no": "ZY0000", "service_date": timezone.localdate().isoformat()},
    )
    assert nobody.status_code == 400 and "未找到该志愿者" in text(nobody)
    huge = client.post(
        "/desk/records/new/",
        {**base, "minutes": "99999", "service_date": timezone.localdate().isoformat()},
    )
    assert huge.status_code == 400
    assert not ServiceRecord.objects.exists()


def test_outsider_cannot_see_or_record_for_community_a(client, world, rec):
    login(client, world.charlie)
    assert client.get(f"/desk/records/{rec.pk}/").status_code == 404
    assert rec.title not in text(client.get("/desk/records/"))
    response = client.post(
        "/desk/records/new/",
        {
            "volunteer_no": world.bob_volunteer.volunteer_no,
            "title": "t",
            "service_date": timezone.localdate().isoformat(),
            "minutes": "60",
            "place": "p",
            "content": "c",
            "organiser_unit": world.b["community"].pk,
            "person_in_charge": "x",
        },
    )
    assert response.status_code == 400 and "未找到该志愿者" in text(response)
    assert ServiceRecord.objects.count() == 1


# --- desk: late records -------------------------------------------------------------------------


def test_only_the_supervisor_approves_a_late_record(client, world):
    late = late_record(world)
    assert late.status == ServiceRecord.Status.PENDING
    login(client, world.alice)
    page = text(client.get("/desk/records/late/"))
    assert late.title in page and "只有督导可以审批逾期记录" in page
    response = client.post(f"/desk/records/{late.pk}/late/", {"decision": "approve"}, follow=True)
    assert "只有督导可以审批逾期记录" in text(response)
    late.refresh_from_db()
    assert late.status == ServiceRecord.Status.PENDING

    login(client, world.sam)
    assert f"/desk/records/{late.pk}/late/" in text(client.get("/desk/records/late/"))
    client.post(f"/desk/records/{late.pk}/late/", {"decision": "approve", "reason": "情况属实"})
    late.refresh_from_db()
    assert late.status == ServiceRecord.Status.COUNTED and late.approved_by == world.sam


def test_late_rejection_needs_a_note_and_outsider_gets_404(client, world):
    late = late_record(world)
    login(client, world.sam)
    response = client.post(f"/desk/records/{late.pk}/late/", {"decision": "reject"}, follow=True)
    assert "请填写审批意见" in text(response)
    assert (
        login(client, world.charlie)
        .post(f"/desk/records/{late.pk}/late/", {"decision": "approve"})
        .status_code
        == 404
    )
    late.refresh_from_db()
    assert late.status == ServiceRecord.Status.PENDING


# --- desk: volunteers ---------------------------------------------------------------------------


ADULT_ID = compose_id_number("110105", date(1980, 1, 1), 1)


def register_data(world, **overrides):
    data = {
        "name": "周志愿",
        "id_number": ADULT_ID,
        "phone": "13800001234",
        "community": world.a["community"].pk,
        "address": "3栋",
        "skills": ["repair"],
        "service_categories": ["elderly", "health"],
        "languages": "普通话，粤语",
        "political_status": "party",
        "dual_report_community": world.b["community"].pk,
        "availability": "6 09:00-12:00\n7 14:00-17:00",
        "certificates": "护士 110012345 2030-12-31",
        "consent_version": "2026-01",
    }
    data.update(overrides)
    return data


def test_social_worker_registers_a_volunteer_with_all_fields(client, world):
    login(client, world.alice)
    assert client.get("/desk/volunteers/new/").status_code == 200
    response = client.post("/desk/volunteers/new/", register_data(world))
    assert response.status_code == 302, text(response)
    v = Volunteer.objects.get(name="周志愿")
    assert v.volunteer_no.startswith("ZY") and v.languages == ["普通话", "粤语"]
    assert v.availability.count() == 2 and v.certificates.get().kind == "nurse"
    assert v.dual_report_community == world.b["community"]
    assert v.consents.get().text_version == "2026-01"
    page = text(client.get(response.url))
    assert f"110***********{ADULT_ID[-4:]}" in page and "138****1234" in page
    assert ADULT_ID not in page and "13800001234" not in page
    assert "助老服务" in page and "医疗卫生" in page and "护士" in page and "六 09:00–12:00" in page
    listing = text(client.get("/desk/volunteers/"))
    assert v.volunteer_no in listing and ADULT_ID not in listing


def test_registration_errors_are_chinese_and_on_the_field(client, world):
    login(client, world.alice)
    bad_id = client.post("/desk/volunteers/new/", register_data(world, id_number="123"))
    assert bad_id.status_code == 400 and "身份证" in text(bad_id)
    today = timezone.localdate()
    minor = compose_id_number("110105", today.replace(year=today.year - 12), 11)
    no_guardian = client.post(
        "/desk/volunteers/new/",
        register_data(world, id_number=minor, dual_report_community="", political_status="league"),
    )
    assert no_guardian.status_code == 400 and "须经监护人同意" in text(no_guardian)
    bad_slot = client.post("/desk/volunteers/new/", register_data(world, availability="周六上午"))
    assert bad_slot.status_code == 400 and "星期(1-7)" in text(bad_slot)
    client.post("/desk/volunteers/new/", register_data(world))
    dup = client.post("/desk/volunteers/new/", register_data(world, phone="13800009999"))
    assert dup.status_code == 400 and "已登记为志愿者" in text(dup)
    assert Volunteer.objects.filter(name="周志愿").count() == 1


def test_registering_a_minor_with_guardian_marks_under_14_sensitive(client, world):
    today = timezone.localdate()
    minor = compose_id_number("110105", today.replace(year=today.year - 12), 11)
    login(client, world.alice)
    response = client.post(
        "/desk/volunteers/new/",
        register_data(
            world,
            id_number=minor,
            dual_report_community="",
            political_status="masses",
            guardian_consent="on",
            guardian_name="周家长",
            guardian_phone="13900001111",
            guardian_relation="母亲",
        ),
    )
    assert response.status_code == 302, text(response)
    v = Volunteer.objects.get(id_number=minor)
    assert v.is_sensitive and v.consents.count() == 2
    assert "敏感信息" in text(client.get(response.url))


def test_training_and_honour_forms_on_the_volunteer_page(client, world):
    login(client, world.alice)
    url = f"/desk/volunteers/{world.bob_volunteer.pk}/"
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(
        url + "training/",
        {
            "t-name": "急救培训",
            "t-content": "心肺复苏",
            "t-minutes": "120",
            "t-organiser": "红十字会",
            "t-day": yesterday,
        },
    )
    assert response.status_code == 302
    response = client.post(
        url + "honour/", {"h-name": "优秀志愿者", "h-day": yesterday, "h-grantor": "街道"}
    )
    assert response.status_code == 302
    page = text(client.get(url))
    assert "急救培训" in page and "优秀志愿者" in page
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    bad = client.post(url + "honour/", {"h-name": "x", "h-day": future, "h-grantor": "y"})
    assert bad.status_code == 400 and "获得日期不能晚于今天" in text(bad)
    assert TrainingRecord.objects.count() == 1 and Honour.objects.count() == 1


def test_outsider_gets_404_on_volunteer_pages(client, world):
    login(client, world.charlie)
    url = f"/desk/volunteers/{world.bob_volunteer.pk}/"
    assert client.get(url).status_code == 404
    response = client.post(
        url + "honour/", {"h-name": "x", "h-day": "2026-01-01", "h-grantor": "y"}
    )
    assert response.status_code == 404
    assert world.bob_volunteer.volunteer_no not in text(client.get("/desk/volunteers/"))
    assert not Honour.objects.exists()


def test_volunteer_may_not_open_the_desk_volunteer_pages(client, world):
    login(client, world.bob)
    assert client.get("/desk/volunteers/").status_code == 403
    assert client.get("/desk/records/new/").status_code == 403


# --- teams --------------------------------------------------------------------------------------


def test_volunteer_applies_and_social_worker_founds_the_team(client, world):
    login(client, world.bob)
    response = client.post(
        "/m/teams/apply/",
        {
            "name": "银龄助老队",
            "kind": "silver",
            "charter": "每周探访",
            "community": world.a["community"].pk,
        },
    )
    assert response.status_code == 302, text(response)
    team = Team.objects.get(name="银龄助老队")
    assert team.status == Team.Status.APPLIED and team.leader == world.bob_volunteer

    login(client, world.alice)
    assert "去审核" in text(client.get("/desk/teams/"))
    refused = client.post(f"/desk/teams/{team.pk}/review/", {"decision": "reject"}, follow=True)
    assert "请填写未通过原因" in text(refused)
    client.post(f"/desk/teams/{team.pk}/review/", {"decision": "approve"})
    team.refresh_from_db()
    assert team.status == Team.Status.FOUNDED and team.guide == world.alice
    page = text(client.get(f"/desk/teams/{team.pk}/"))
    assert "队长" in page and 'data-testid="members">1' in page


def test_team_application_errors_are_shown(client, world):
    login(client, world.alice)
    response = client.post(
        "/desk/teams/apply/",
        {
            "name": "维修服务队",
            "kind": "general",
            "charter": "c",
            "community": world.a["community"].pk,
            "leader_no": world.bob_volunteer.volunteer_no,
        },
    )
    assert response.status_code == 400 and "已有同名服务队" in text(response)
    response = client.post(
        "/desk/teams/apply/",
        {
            "name": "新队",
            "kind": "general",
            "charter": "c",
            "community": world.a["community"].pk,
            "leader_no": "nobody",
        },
    )
    assert response.status_code == 400 and "未找到该志愿者" in text(response)


def test_leader_adds_sets_roles_and_removes_members(client, world):
    teams.team_set_role(
        actor=world.alice,
        team_id=world.team.pk,
        volunteer_id=world.erin_volunteer.pk,
        role="leader",
    )
    login(client, world.erin)
    url = f"/m/teams/{world.team.pk}/"
    page = text(client.get(url))
    assert "添加队员" in page and world.bob_volunteer.volunteer_no in page
    assert client.post(url + "members/", {"volunteer": world.bob_volunteer.pk}).status_code == 302
    client.post(url + "role/", {"volunteer": world.bob_volunteer.pk, "role": "deputy"})
    membership = TeamMembership.objects.get(team=world.team, volunteer=world.bob_volunteer)
    assert membership.role == "deputy"
    client.post(url + "leave/", {"volunteer": world.bob_volunteer.pk})
    assert not TeamMembership.objects.filter(volunteer=world.bob_volunteer).exists()
    history = text(client.get(url))
    assert "加入" in history and "调整角色" in history and "离队" in history
    leader_leaves = client.post(url + "leave/", follow=True)
    assert "您是队长，须先移交队长职务再退出" in text(leader_leaves)


def test_member_joins_and_leaves_but_cannot_manage_others(client, world):
    login(client, world.bob)
    url = f"/m/teams/{world.team.pk}/"
    assert "加入服务队" in text(client.get(url))
    client.post(url + "join/")
    assert TeamMembership.objects.filter(volunteer=world.bob_volunteer).exists()
    refused = client.post(url + "role/", {"volunteer": world.erin_volunteer.pk, "role": "deputy"})
    assert refused.status_code == 302
    assert "只有队长、副队长或社工可以调整角色" in text(client.get(url))
    client.post(url + "leave/")
    assert not TeamMembership.objects.filter(volunteer=world.bob_volunteer).exists()


def test_outsider_gets_404_on_team_pages_and_actions(client, world):
    login(client, world.charlie)
    assert client.get(f"/desk/teams/{world.team.pk}/").status_code == 404
    assert world.team.name not in text(client.get("/desk/teams/"))
    for action, data in [
        ("join/", {}),
        ("leave/", {"volunteer": world.erin_volunteer.pk}),
        ("members/", {"volunteer": world.bob_volunteer.pk}),
        ("role/", {"volunteer": world.erin_volunteer.pk, "role": "leader"}),
        ("review/", {"decision": "approve"}),
    ]:
        assert client.post(f"/desk/teams/{world.team.pk}/{action}", data).status_code == 404
    assert TeamMembership.objects.filter(team=world.team).count() == 1


def test_team_page_for_staff_shows_figures(client, world):
    record(
        world.alice,
        world.erin_volunteer,
        world.a["community"],
        team=world.team,
        quality_rating=4,
        minutes=120,
        service_date=YESTERDAY(),
    )
    page = text(login(client, world.alice).get(f"/desk/teams/{world.team.pk}/"))
    assert 'data-testid="hours">2' in page and 'data-testid="services">1' in page
    assert 'data-testid="rating">4' in page


def test_registration_choices_follow_the_english_locale(client, world):
    client.force_login(world.alice)
    client.cookies["django_language"] = "en"
    page = client.get("/desk/volunteers/new/").content.decode()
    assert "No party affiliation" in page and ">群众<" not in page
