"""Casework desk write pages: intake from a need, an alert, a referral in and a walk-in; the
stage pages; the crisis checklist; referrals; closure and reopening; supervision; the access
log, the report and the export. Bad input gets a Chinese message on the form and never a 500;
confidentiality holds through every page (outsiders get the same 404 as a missing case)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shezhi.accounts.models import Role
from shezhi.accounts.tests.factories import UserFactory
from shezhi.care.models import CareAlert
from shezhi.cases import services
from shezhi.cases.models import (
    Case,
    CaseAccessLog,
    CaseClosure,
    CrisisIntervention,
    Referral,
    Stage,
    SupervisionNote,
)
from shezhi.cases.tests.factories import log_session, open_case, to_stage
from shezhi.needs.tests.factories import NeedFactory
from shezhi.notifications.models import Notification

pytestmark = pytest.mark.django_db


def crisis_alert(resident):
    return CareAlert.objects.create(
        kind=CareAlert.Kind.CRISIS,
        resident=resident,
        community=resident.community,
        grid=resident.grid,
        summary="留言中出现轻生念头",
    )


@pytest.fixture
def case(world):
    c = to_stage(open_case(world.alice, world.dora_resident), world.alice, Stage.INTERVENTION)
    log_session(c, world.alice, content="社工面谈内容")
    return c


@pytest.fixture
def counsellor(world, case):
    user = UserFactory(role=Role.VOLUNTEER, unit=world.a["community"], username="coun")
    services.team_add(actor=world.alice, case_id=case.pk, user_id=user.pk, role="counsellor")
    return user


def page(client, user, url, data=None):
    client.force_login(user)
    return client.post(url, data) if data is not None else client.get(url)


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


# --- crisis, referrals, benefits ----------------------------------------------------------


def test_crisis_checklist_with_timestamps_safety_plan_and_end(client, world, case):
    base = f"/desk/cases/{case.pk}/crisis/"
    assert page(client, world.alice, base, {}).status_code == 302
    crisis = CrisisIntervention.objects.get(case=case)
    assert crisis.supervisor_notified_at is not None
    assert Notification.objects.filter(
        recipient=world.sam, kind="case_crisis", link=f"/desk/cases/{case.pk}/"
    ).exists()
    shown = client.get(base).content.decode()
    assert 'data-testid="done-supervisor"' in shown and "已于" in shown
    for step in ("safety", "risk", "guardian", "follow_up"):
        assert (
            client.post(f"/desk/cases/crisis/{crisis.pk}/step/", {"step": step}).status_code == 302
        )
    # Ending before the safety plan is refused with the missing step named.
    client.post(f"/desk/cases/crisis/{crisis.pk}/end/")
    crisis.refresh_from_db()
    assert crisis.ended_at is None
    r = client.post(
        f"/desk/cases/crisis/{crisis.pk}/safety-plan/", {"safety_plan": "每天电话联系"}, follow=True
    )
    assert "每天电话联系" in r.content.decode()
    client.post(f"/desk/cases/crisis/{crisis.pk}/end/")
    crisis.refresh_from_db()
    assert crisis.ended_at is not None
    assert all(s["done_at"] for s in crisis.steps if not s["optional"])


def test_bad_crisis_step_is_a_message_not_a_500(client, world, case):
    crisis = services.crisis_start(actor=world.alice, case_id=case.pk)
    r = page(client, world.alice, f"/desk/cases/crisis/{crisis.pk}/step/", {"step": "dance"})
    assert r.status_code == 302
    assert "没有这个处置步骤" in client.get(r.url).content.decode()
    r = client.post(f"/desk/cases/crisis/{crisis.pk}/safety-plan/", {"safety_plan": ""})
    assert "必填" in client.get(r.url).content.decode()
    assert client.post("/desk/cases/crisis/987654/step/", {"step": "risk"}).status_code == 404


def test_referral_out_and_its_status(client, world, case):
    r = page(
        client,
        world.alice,
        f"/desk/cases/{case.pk}/referrals/",
        {
            "direction": "out",
            "institution_kind": "hospital",
            "institution_name": "市第三医院精神科",
            "reason": "自伤风险评估",
        },
    )
    assert r.status_code == 302
    ref = Referral.objects.get(case=case)
    client.post(f"/desk/cases/referrals/{ref.pk}/status/", {"to_status": "received"})
    # The answered status needs the answer.
    r = client.post(
        f"/desk/cases/referrals/{ref.pk}/status/", {"to_status": "answered"}, follow=True
    )
    assert "请填写对方机构的回复" in r.content.decode()
    client.post(
        f"/desk/cases/referrals/{ref.pk}/status/", {"to_status": "answered", "answer": "已门诊"}
    )
    ref.refresh_from_db()
    assert ref.status == "answered" and ref.answer == "已门诊"


def test_referral_to_nowhere_is_refused(client, world, case):
    r = page(
        client,
        world.alice,
        f"/desk/cases/{case.pk}/referrals/",
        {
            "direction": "out",
            "institution_kind": "hospital",
            "institution_name": " ",
            "reason": "x",
        },
    )
    assert r.status_code == 400 and "必填" in r.content.decode()
    assert not Referral.objects.exists()


def test_benefit_tasks_several_at_once_and_status(client, world, case):
    r = page(
        client,
        world.alice,
        f"/desk/cases/{case.pk}/benefits/",
        {"kinds": ["dibao", "disability_card"]},
    )
    assert r.status_code == 302
    task = case.benefit_tasks.get(kind="dibao")
    client.post(f"/desk/cases/benefits/{task.pk}/status/", {"status": "submitted"})
    task.refresh_from_db()
    assert task.status == "submitted"
    r = client.post(f"/desk/cases/benefits/{task.pk}/status/", {"status": "bogus"}, follow=True)
    assert r.status_code == 200 and "有效" in r.content.decode()


def test_benefit_status_choices_on_the_case_page_follow_the_application_order(client, world, case):
    services.benefit_tasks_start(actor=world.alice, case_id=case.pk, kinds=["dibao"])
    task = case.benefit_tasks.get()
    form = f'action="/desk/cases/benefits/{task.pk}/status/"'

    def options():
        html = page(client, world.alice, f"/desk/cases/{case.pk}/").content.decode()
        return html, [v for v in ("submitted", "approved", "rejected") if f'value="{v}"' in html]

    assert options()[1] == ["submitted"]
    services.benefit_task_set_status(actor=world.alice, task_id=task.pk, status="submitted")
    assert options()[1] == ["approved", "rejected"]
    services.benefit_task_set_status(actor=world.alice, task_id=task.pk, status="approved")
    html, choices = options()
    assert choices == [] and form not in html


# --- review, closure, reopening -----------------------------------------------------------


def test_closure_before_intake_is_refused_and_closure_then_reopen_keeps_history(client, world):
    case = to_stage(open_case(world.alice, world.dora_resident), world.alice, Stage.EVALUATION)
    goal = case.plans.get().goals.get()
    base = f"/desk/cases/{case.pk}"
    r = page(
        client,
        world.alice,
        f"{base}/close/",
        {"closed_on": "2000-01-01", "reason": "goals_met", "outcome": "achieved"}
        | {f"goal_{goal.pk}": "achieved"},
    )
    assert r.status_code == 400 and "结案日期不能早于接案日期" in r.content.decode()
    today = timezone.localdate()
    r = client.post(
        f"{base}/close/",
        {"closed_on": today.isoformat(), "reason": "goals_met", "outcome": "achieved"}
        | {f"goal_{goal.pk}": "achieved", "follow_up_on": (today - timedelta(days=1)).isoformat()},
    )
    assert r.status_code == 400 and "跟进回访日期不能早于结案日期" in r.content.decode()
    r = client.post(
        f"{base}/close/",
        {"closed_on": today.isoformat(), "reason": "goals_met", "outcome": "achieved"}
        | {f"goal_{goal.pk}": "achieved", "follow_up_on": (today + timedelta(days=30)).isoformat()},
    )
    assert r.status_code == 302
    goal.refresh_from_db()
    assert goal.status == "achieved"
    assert client.post(f"{base}/reopen/", {"reason": ""}).status_code == 400
    assert client.post(f"{base}/reopen/", {"reason": "再次出现逃学"}).status_code == 302
    case.refresh_from_db()
    assert case.status == Stage.ASSESSMENT
    closure = CaseClosure.objects.get(case=case)
    assert closure.reopened_at is not None
    assert "再次出现逃学" in client.get(f"{base}/").content.decode()


def test_review_sets_risk_and_next_review(client, world, case):
    r = page(
        client,
        world.sam,
        f"/desk/cases/{case.pk}/review/",
        {"reviewed_on": timezone.localdate().isoformat(), "risk_level": "low", "note": "稳定"},
    )
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.risk_level == "low" and case.next_review_on > timezone.localdate()


# --- supervision, access log, report, export ------------------------------------------------


def test_supervision_note_is_seen_by_worker_not_by_team(client, world, case, counsellor):
    r = page(client, world.sam, f"/desk/cases/{case.pk}/supervision/", {"text": "注意边界"})
    assert r.status_code == 302 and SupervisionNote.objects.filter(case=case).exists()
    assert "注意边界" in page(client, world.alice, f"/desk/cases/{case.pk}/").content.decode()
    assert "注意边界" not in page(client, counsellor, f"/desk/cases/{case.pk}/").content.decode()
    # Only the supervisor line writes supervision notes.
    assert (
        page(client, world.alice, f"/desk/cases/{case.pk}/supervision/", {"text": "x"}).status_code
        == 403
    )


def test_access_log_page_for_supervisor_only(client, world, case):
    page(client, world.charlie, f"/desk/cases/{case.pk}/")  # a refused attempt, logged
    log = page(client, world.sam, f"/desk/cases/{case.pk}/access-log/").content.decode()
    assert 'data-testid="access-log"' in log and "charlie" in log and "拒绝访问" in log
    assert page(client, world.alice, f"/desk/cases/{case.pk}/access-log/").status_code == 403
    assert page(client, world.charlie, f"/desk/cases/{case.pk}/access-log/").status_code == 404


def test_report_has_counts_and_no_personal_data(client, world, case):
    r = page(client, world.sam, "/desk/cases/report/?by=problem_type")
    body = r.content.decode()
    assert r.status_code == 200 and "家庭关系" in body
    assert "朵拉" not in body and world.dora_resident.masked_name not in body
    assert page(client, world.sam, "/desk/cases/report/?by=nonsense").status_code == 200
    assert page(client, world.bob, "/desk/cases/report/").status_code == 403


def test_export_is_watermarked_and_logged(client, world, case):
    r = page(client, world.alice, f"/desk/cases/{case.pk}/export/")
    text = r.content.decode()
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    assert text.startswith("【保密】导出人：") and "alice" in text
    assert CaseAccessLog.objects.filter(user=world.alice, case=case, action="export").exists()
    assert page(client, world.charlie, f"/desk/cases/{case.pk}/export/").status_code == 404


# --- the confidentiality matrix through the pages ------------------------------------------

WRITE_PAGES = [
    "",
    "consent/",
    "advance/",
    "assessment/",
    "plan/",
    "intervention/",
    "team/",
    "review/",
    "close/",
    "reopen/",
    "supervision/",
    "crisis/",
    "referrals/",
    "benefits/",
    "export/",
    "access-log/",
]


@pytest.mark.parametrize("who", ["other_worker", "admin", "charlie", "bob"])
def test_outsiders_get_the_same_404_as_a_missing_case_on_every_page(client, world, case, who):
    actor = (
        UserFactory(role=Role.SOCIAL_WORKER, unit=world.a["community"])
        if who == "other_worker"
        else getattr(world, who)
    )
    client.force_login(actor)
    for suffix in WRITE_PAGES:
        mine = client.get(f"/desk/cases/{case.pk}/{suffix}")
        missing = client.get(f"/desk/cases/987654/{suffix}")
        assert (mine.status_code, missing.status_code) == (404, 404), suffix
    denied = CaseAccessLog.objects.filter(user=actor, case=case, action="denied").count()
    assert denied >= len(WRITE_PAGES)
    assert not CaseAccessLog.objects.filter(user=actor, action="read").exists()


@pytest.mark.parametrize(
    "who,status,sees_assessment",
    [("alice", 200, True), ("counsellor", 200, False), ("sam", 200, True)],
)
def test_insiders_see_their_parts_and_each_read_is_logged(
    client, world, case, counsellor, who, status, sees_assessment
):
    actor = counsellor if who == "counsellor" else getattr(world, who)
    before = CaseAccessLog.objects.filter(user=actor, action="read").count()
    r = page(client, actor, f"/desk/cases/{case.pk}/")
    assert r.status_code == status
    assert ("曾遭父亲殴打" in r.content.decode()) is sees_assessment
    parts = set(
        CaseAccessLog.objects.filter(user=actor, action="read").values_list("part", flat=True)
    )
    assert CaseAccessLog.objects.filter(user=actor, action="read").count() > before
    assert ("assessment" in parts) is sees_assessment


def test_admin_with_emergency_access_sees_the_case(client, world, case):
    services.emergency_access_grant(actor=world.admin, case_id=case.pk, reason="监护人投诉核查")
    assert page(client, world.admin, f"/desk/cases/{case.pk}/").status_code == 200


def test_team_end_with_a_bad_date_is_a_message_and_outsiders_get_404(client, world, case):
    member = services.team_add(
        actor=world.alice, case_id=case.pk, user_id=world.bob.pk, role="volunteer"
    )
    r = page(client, world.alice, f"/desk/cases/team/{member.pk}/end/", {"ended_on": "abc"})
    assert r.status_code == 302
    assert "有效的日期" in client.get(r.url).content.decode()
    r = page(client, world.alice, f"/desk/cases/team/{member.pk}/end/", {"ended_on": "2000-01-01"})
    assert "结束日期不能早于加入日期" in client.get(r.url).content.decode()
    assert page(client, world.charlie, f"/desk/cases/team/{member.pk}/end/", {}).status_code == 404
    assert page(client, world.charlie, "/desk/cases/team/987654/end/", {}).status_code == 404
    member.refresh_from_db()
    assert member.ended_on is None


def test_every_page_renders_for_the_worker_and_the_supervisor(client, world, case):
    services.crisis_start(actor=world.alice, case_id=case.pk)
    counsellor = UserFactory(role=Role.VOLUNTEER, unit=world.a["community"])
    services.team_add(actor=world.alice, case_id=case.pk, user_id=counsellor.pk, role="counsellor")
    limited = set(WRITE_PAGES) - {"", "intervention/", "export/"}
    watch = {"crisis/", "export/", "access-log/"}  # what the supervisor line reads
    for actor, hidden in (
        (world.alice, {"access-log/", "supervision/"}),
        (world.sam, set(WRITE_PAGES) - {"", "review/", "reopen/", "supervision/"} - watch),
        (counsellor, limited),
    ):
        client.force_login(actor)
        for suffix in WRITE_PAGES:
            r = client.get(f"/desk/cases/{case.pk}/{suffix}")
            assert r.status_code == (403 if suffix in hidden else 200), (actor, suffix)
    # The counsellor (last logged in) has a case list but cannot open cases.
    assert f"/desk/cases/{case.pk}/" in client.get("/desk/cases/").content.decode()
    assert client.get("/desk/cases/new/").status_code == 403
    assert page(client, world.alice, "/desk/cases/new/").status_code == 200


def test_my_cases_flags_a_review_past_its_date(client, world, case):
    from datetime import timedelta

    from django.utils import timezone

    from shezhi.cases.models import Case

    listing = page(client, world.alice, "/desk/cases/").content.decode()
    assert "复核逾期" not in listing
    Case.objects.filter(pk=case.pk).update(next_review_on=timezone.localdate() - timedelta(days=1))
    assert "复核逾期" in page(client, world.alice, "/desk/cases/").content.decode()
