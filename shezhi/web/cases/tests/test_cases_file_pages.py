"""Casework desk pages, part two: the crisis checklist; referrals and benefits; review, closure
and reopening; supervision, the access log, the report and the export. Bad input gets a Chinese
message on the form and never a 500; confidentiality holds through every page (outsiders get the
same 404 as a missing case)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shezhi.accounts.models import Role
from shezhi.accounts.tests.factories import UserFactory
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
from shezhi.cases.tests.factories import open_case, to_stage
from shezhi.notifications.models import Notification
from shezhi.web.cases.tests.helpers import page

pytestmark = pytest.mark.django_db

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

    listing = page(client, world.alice, "/desk/cases/").content.decode()
    assert "复核逾期" not in listing
    Case.objects.filter(pk=case.pk).update(next_review_on=timezone.localdate() - timedelta(days=1))
    assert "复核逾期" in page(client, world.alice, "/desk/cases/").content.decode()
