"""Casework desk pages, part one: intake from a need, an alert, a referral in and a walk-in,
and the stage pages. Bad input gets a Chinese message on the form and never a 500. The crisis,
referral, closure, supervision and confidentiality pages are in test_cases_file_pages.py."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shezhi.care.models import CareAlert
from shezhi.cases.models import (
    Case,
    Referral,
    Stage,
)
from shezhi.cases.tests.factories import open_case, to_stage
from shezhi.needs.tests.factories import NeedFactory
from shezhi.web.cases.tests.helpers import page

pytestmark = pytest.mark.django_db


def crisis_alert(resident):
    return CareAlert.objects.create(
        kind=CareAlert.Kind.CRISIS,
        resident=resident,
        community=resident.community,
        grid=resident.grid,
        summary="留言中出现轻生念头",
    )


# --- intake -------------------------------------------------------------------------------


def test_walk_in_intake_opens_a_case_with_consent(client, world):
    r = page(
        client,
        world.alice,
        "/desk/cases/new/",
        {
            "source": "walk_in",
            "client": world.dora_resident.pk,
            "problem_type": "family",
            "risk_level": "medium",
            "opened_on": timezone.localdate().isoformat(),
            "client_consent": "on",
        },
    )
    case = Case.objects.get()
    assert r.status_code == 302 and r.url == f"/desk/cases/{case.pk}/"
    assert case.worker == world.alice and case.client_consent_at is not None


def test_intake_without_consent_says_so_on_the_form(client, world):
    r = page(
        client,
        world.alice,
        "/desk/cases/new/",
        {"source": "walk_in", "client": world.dora_resident.pk, "problem_type": "family"}
        | {"risk_level": "medium", "opened_on": timezone.localdate().isoformat()},
    )
    assert r.status_code == 400
    assert "开案须取得服务对象本人同意" in r.content.decode()
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "data,message",
    [
        ({"source": "walk_in"}, "请按姓名选择服务对象"),
        ({"source": "need"}, "来源为需求时请填写需求编号"),
        ({"source": "crisis_alert"}, "来源为危机预警时请填写预警编号"),
        ({"source": "referral_in", "client": "1"}, "请填写转介机构名称"),
        ({"source": "walk_in", "client": "abc"}, "整数"),
        ({"source": "walk_in", "client": "99999999999999999999999"}, "小于或等于"),
        ({"source": "nowhere", "client": "1"}, "有效"),
        ({"source": "walk_in", "client": "1", "opened_on": "2099-01-01"}, "接案日期不能晚于今天"),
        ({"source": "walk_in", "client": "1", "opened_on": "not-a-date"}, "日期"),
    ],
)
def test_bad_intake_input_gets_a_chinese_message(client, world, data, message):
    data = {"problem_type": "family", "risk_level": "medium", "client_consent": "on"} | data
    if data.get("client") == "1":
        data["client"] = str(world.dora_resident.pk)
    r = page(client, world.alice, "/desk/cases/new/", data)
    assert r.status_code == 400
    assert message in r.content.decode()
    assert not Case.objects.exists()


def test_intake_of_a_resident_outside_scope_is_refused_on_the_form(client, world):
    r = page(
        client,
        world.alice,
        "/desk/cases/new/",
        {"source": "walk_in", "client": world.resident_b.pk, "problem_type": "family"}
        | {"risk_level": "medium", "client_consent": "on"},
    )
    assert r.status_code == 400 and not Case.objects.exists()


def test_referral_in_intake_records_the_incoming_referral(client, world):
    r = page(
        client,
        world.alice,
        "/desk/cases/new/",
        {
            "source": "referral_in",
            "client": world.dora_resident.pk,
            "problem_type": "youth",
            "risk_level": "high",
            "client_consent": "on",
            "institution_kind": "school",
            "institution_name": "第一中学",
            "referral_reason": "学生长期逃学",
        },
    )
    assert r.status_code == 302
    ref = Referral.objects.get()
    assert (ref.direction, ref.institution_name, ref.status) == ("in", "第一中学", "received")


def test_alert_page_has_an_open_case_button_and_intake_from_the_alert(client, world):
    alert = crisis_alert(world.dora_resident)
    alerts = page(client, world.alice, "/desk/care/alerts/").content.decode()
    assert f"/desk/cases/new/?alert={alert.pk}" in alerts
    form = client.get(f"/desk/cases/new/?alert={alert.pk}").content.decode()
    assert f'value="{alert.pk}"' in form
    r = client.post(
        "/desk/cases/new/",
        {"source": "crisis_alert", "alert": alert.pk, "problem_type": "mental_health"}
        | {"risk_level": "urgent"},
    )
    case = Case.objects.get()
    assert r.status_code == 302
    assert (case.source, case.care_alert_id, case.client_consent_at) == (
        "crisis_alert",
        alert.pk,
        None,
    )
    alert.refresh_from_db()
    assert alert.status == CareAlert.Status.ACKNOWLEDGED


def test_need_page_has_an_open_case_button_and_intake_from_the_need(client, world):
    need = NeedFactory(resident=world.dora_resident, created_by=world.dora)
    detail = page(client, world.alice, f"/desk/needs/{need.pk}/").content.decode()
    assert f"/desk/cases/new/?need={need.pk}" in detail
    r = client.post(
        "/desk/cases/new/",
        {"source": "need", "need": need.pk, "problem_type": "elderly", "risk_level": "low"}
        | {"client_consent": "on"},
    )
    assert r.status_code == 302 and Case.objects.get().need == need


def test_grid_worker_cannot_open_a_case(client, world):
    assert page(client, world.gina, "/desk/cases/new/").status_code == 403


def test_navigation_shows_cases_to_caseworkers_only(client, world):
    assert 'data-testid="nav-cases"' in page(client, world.alice, "/desk/").content.decode()
    assert 'data-testid="nav-cases"' in page(client, world.sam, "/desk/").content.decode()
    assert 'data-testid="nav-cases"' not in page(client, world.gina, "/desk/").content.decode()


# --- stages -----------------------------------------------------------------------------


def test_stage_pages_take_a_case_from_intake_to_intervention(client, world):
    case = open_case(world.alice, world.dora_resident)
    base = f"/desk/cases/{case.pk}"
    assert (
        page(client, world.alice, f"{base}/advance/", {"to_status": "assessment"}).status_code
        == 302
    )
    r = client.post(
        f"{base}/assessment/",
        {
            "assessed_on": timezone.localdate().isoformat(),
            "presenting_problem": "亲子冲突",
            "risks": "曾遭殴打",
            "narrative": "叙述",
            "risk_level": "high",
        },
    )
    assert r.status_code == 302
    assert client.post(f"{base}/advance/", {"to_status": "planning"}).status_code == 302
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    r = client.post(
        f"{base}/plan/",
        {
            "summary": "三个月",
            "goals-TOTAL_FORMS": "3",
            "goals-INITIAL_FORMS": "0",
            "goals-MIN_NUM_FORMS": "0",
            "goals-MAX_NUM_FORMS": "10",
            "goals-0-description": "减少逃学",
            "goals-0-interventions": "每周面谈",
            "goals-0-responsible": str(world.alice.pk),
            "goals-0-due_on": due,
        },
    )
    assert r.status_code == 302
    assert client.post(f"{base}/advance/", {"to_status": "intervention"}).status_code == 302
    r = client.post(
        f"{base}/intervention/",
        {
            "on": timezone.localdate().isoformat(),
            "form": "phone",
            "duration_minutes": "20",
            "content": "电话回访",
        },
    )
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.status == Stage.INTERVENTION and case.interventions.count() == 1


def test_skipping_a_stage_is_refused_on_the_form(client, world):
    case = open_case(world.alice, world.dora_resident)
    r = page(client, world.alice, f"/desk/cases/{case.pk}/advance/", {"to_status": "intervention"})
    assert r.status_code == 400 and "不能转到" in r.content.decode()


def test_plan_without_goals_is_refused(client, world):
    case = to_stage(open_case(world.alice, world.dora_resident), world.alice, Stage.PLANNING)
    r = page(
        client,
        world.alice,
        f"/desk/cases/{case.pk}/plan/",
        {"summary": "空计划", "goals-TOTAL_FORMS": "3", "goals-INITIAL_FORMS": "0"},
    )
    assert r.status_code == 400 and "服务计划至少要有一个目标" in r.content.decode()
    assert not case.plans.exists()


def test_plan_goal_with_a_responsible_outside_the_team_is_refused(client, world):
    case = to_stage(open_case(world.alice, world.dora_resident), world.alice, Stage.PLANNING)
    r = page(
        client,
        world.alice,
        f"/desk/cases/{case.pk}/plan/",
        {
            "goals-TOTAL_FORMS": "1",
            "goals-INITIAL_FORMS": "0",
            "goals-0-description": "目标",
            "goals-0-interventions": "策略",
            "goals-0-responsible": str(world.charlie.pk),
            "goals-0-due_on": "2099-01-01",
        },
    )
    assert r.status_code == 400 and "有效" in r.content.decode()


@pytest.mark.parametrize(
    "data,message",
    [
        ({"duration_minutes": "0"}, "大于或等于"),
        ({"duration_minutes": "abc"}, "整数"),
        ({"content": ""}, "必填"),
        ({"on": "2099-01-01"}, "介入日期不能晚于今天"),
        ({"on": "2000-01-01"}, "介入日期不能早于接案日期"),
        ({"form": "telepathy"}, "有效"),
    ],
)
def test_bad_intervention_input_gets_a_message(client, world, case, data, message):
    good = {"on": timezone.localdate().isoformat(), "form": "office", "duration_minutes": "30"}
    r = page(
        client,
        world.alice,
        f"/desk/cases/{case.pk}/intervention/",
        good | {"content": "内容"} | data,
    )
    assert r.status_code == 400 and message in r.content.decode()


def test_team_member_who_is_not_a_user_is_refused(client, world, case):
    r = page(
        client,
        world.alice,
        f"/desk/cases/{case.pk}/team/",
        {"username": "nobody", "role": "volunteer"},
    )
    assert r.status_code == 400 and "团队成员必须是平台的有效用户" in r.content.decode()


def test_team_add_and_end(client, world, case):
    r = page(
        client,
        world.alice,
        f"/desk/cases/{case.pk}/team/",
        {"username": world.bob.username, "role": "volunteer"},
    )
    assert r.status_code == 302
    member = case.team.get(user=world.bob)
    r = client.post(f"/desk/cases/team/{member.pk}/end/", {})
    assert r.status_code == 302
    member.refresh_from_db()
    assert member.ended_on == timezone.localdate()


def test_counsellor_logs_own_session_but_cannot_assess_or_see_team(client, world, case, counsellor):
    base = f"/desk/cases/{case.pk}"
    r = page(
        client,
        counsellor,
        f"{base}/intervention/",
        {"on": timezone.localdate().isoformat(), "form": "counselling"}
        | {"duration_minutes": "50", "content": "咨询内容"},
    )
    assert r.status_code == 302
    assert client.get(f"{base}/assessment/").status_code == 403
    r = client.post(
        f"{base}/assessment/",
        {"assessed_on": "2026-01-01"} | {"presenting_problem": "x", "risk_level": "low"},
    )
    assert r.status_code == 403
    assert client.get(f"{base}/crisis/").status_code == 403
    assert client.get(f"{base}/plan/").status_code == 403
