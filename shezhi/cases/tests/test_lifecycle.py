"""Every stage and transition of a case, and the bad input each stage refuses."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from shezhi.accounts.models import Role
from shezhi.accounts.tests.factories import UserFactory
from shezhi.cases import services
from shezhi.cases.models import (
    Case,
    CaseClosure,
    CaseTeamMember,
    Goal,
    Referral,
    Stage,
    TeamRole,
)
from shezhi.cases.tests.factories import assess, log_session, open_case, plan, to_stage
from shezhi.core.errors import Conflict, Forbidden, InvalidInput
from shezhi.core.models import AuditEvent
from shezhi.notifications.models import Notification
from shezhi.people.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def test_open_case_makes_worker_the_caseworker_and_sets_review_by_risk(world):
    case = open_case(world.alice, world.dora_resident, risk_level="high")
    assert case.status == Stage.INTAKE
    assert case.worker == world.alice
    assert case.community == world.a["community"]
    assert case.next_review_on == case.opened_on + timedelta(days=14)
    member = CaseTeamMember.objects.get(case=case)
    assert (member.user, member.role) == (world.alice, TeamRole.CASEWORKER)
    assert AuditEvent.objects.filter(object_type="cases.case", action="create").exists()
    assert case.transitions.get().to_status == Stage.INTAKE


def test_review_interval_is_a_setting(world, settings):
    settings.SHEZHI_CASE_REVIEW_DAYS = {"urgent": 1, "high": 2, "medium": 3, "low": 4}
    case = open_case(world.alice, world.dora_resident, risk_level="low")
    assert case.next_review_on == case.opened_on + timedelta(days=4)


@pytest.mark.parametrize(
    ("risk", "days"), [("urgent", 7), ("high", 14), ("medium", 30), ("low", 90)]
)
def test_default_review_intervals(world, risk, days):
    case = open_case(world.alice, world.dora_resident, risk_level=risk)
    assert (case.next_review_on - case.opened_on).days == days


def test_walk_through_every_stage_to_closure_and_reopen_keeps_history(world):
    case = open_case(world.alice, world.dora_resident)
    case = services.case_advance(actor=world.alice, case_id=case.pk, to_status=Stage.ASSESSMENT)
    assert case.status == Stage.ASSESSMENT
    assess(case, world.alice)
    case = services.case_advance(actor=world.alice, case_id=case.pk, to_status=Stage.PLANNING)
    p = plan(case, world.alice)
    case = services.case_advance(actor=world.alice, case_id=case.pk, to_status=Stage.INTERVENTION)
    log_session(case, world.alice)
    case = services.case_advance(actor=world.alice, case_id=case.pk, to_status=Stage.EVALUATION)
    # the evaluation may send the case back to intervention, and on again
    case = services.case_advance(actor=world.alice, case_id=case.pk, to_status=Stage.INTERVENTION)
    case = services.case_advance(actor=world.alice, case_id=case.pk, to_status=Stage.EVALUATION)
    goal = p.goals.get()
    closure = services.case_close(
        actor=world.alice,
        case_id=case.pk,
        reason=CaseClosure.Reason.GOALS_MET,
        outcome=CaseClosure.Outcome.ACHIEVED,
        follow_up_on=timezone.localdate() + timedelta(days=30),
        goal_statuses={goal.pk: Goal.Status.ACHIEVED},
    )
    case.refresh_from_db()
    assert case.status == Stage.CLOSED
    assert Goal.objects.get(pk=goal.pk).status == Goal.Status.ACHIEVED
    case = services.case_reopen(actor=world.alice, case_id=case.pk, reason="案主再次求助")
    assert case.status == Stage.ASSESSMENT
    closure.refresh_from_db()
    assert closure.reopened_at is not None and closure.reopen_reason == "案主再次求助"
    statuses = list(case.transitions.values_list("to_status", flat=True))
    assert statuses == [
        "intake",
        "assessment",
        "planning",
        "intervention",
        "evaluation",
        "intervention",
        "evaluation",
        "closed",
        "assessment",
    ]
    # a second closure is kept beside the first
    services.case_close(
        actor=world.alice, case_id=case.pk, reason="client_withdrew", outcome="partly"
    )
    assert case.closures.count() == 2


@pytest.mark.parametrize(
    ("stage", "target"),
    [
        (Stage.INTAKE, Stage.PLANNING),
        (Stage.INTAKE, Stage.INTERVENTION),
        (Stage.ASSESSMENT, Stage.EVALUATION),
        (Stage.PLANNING, Stage.ASSESSMENT),
        (Stage.INTERVENTION, Stage.PLANNING),
    ],
)
def test_stage_out_of_order_is_refused(world, stage, target):
    case = to_stage(open_case(world.alice, world.dora_resident), world.alice, stage)
    with pytest.raises(InvalidInput, match="不能转到"):
        services.case_advance(actor=world.alice, case_id=case.pk, to_status=target)
    case.refresh_from_db()
    assert case.status == stage


def test_close_through_advance_is_refused(world):
    case = open_case(world.alice, world.dora_resident)
    with pytest.raises(InvalidInput, match="结案请使用"):
        services.case_advance(actor=world.alice, case_id=case.pk, to_status=Stage.CLOSED)


def test_each_stage_needs_its_work(world):
    case = open_case(world.alice, world.dora_resident)
    services.case_advance(actor=world.alice, case_id=case.pk, to_status=Stage.ASSESSMENT)
    with pytest.raises(InvalidInput, match="请先完成预估"):
        services.case_advance(actor=world.alice, case_id=case.pk, to_status=Stage.PLANNING)
    assess(case, world.alice)
    services.case_advance(actor=world.alice, case_id=case.pk, to_status=Stage.PLANNING)
    with pytest.raises(InvalidInput, match="含目标的服务计划"):
        services.case_advance(actor=world.alice, case_id=case.pk, to_status=Stage.INTERVENTION)


def test_plan_without_goals_is_refused(world):
    case = to_stage(open_case(world.alice, world.dora_resident), world.alice, Stage.PLANNING)
    with pytest.raises(InvalidInput, match="至少要有一个目标"):
        services.plan_create(actor=world.alice, case_id=case.pk, goals=[])
    assert not case.plans.exists()


def test_goal_responsible_must_be_on_the_team(world):
    case = to_stage(open_case(world.alice, world.dora_resident), world.alice, Stage.PLANNING)
    goal = services.GoalInput(
        "目标", "策略", world.charlie.pk, timezone.localdate() + timedelta(days=9)
    )
    with pytest.raises(InvalidInput, match="团队成员"):
        services.plan_create(actor=world.alice, case_id=case.pk, goals=[goal])
    assert not case.plans.exists()  # the half-made plan is rolled back


def test_closure_before_intake_is_refused(world):
    case = open_case(
        world.alice, world.dora_resident, opened_on=timezone.localdate() - timedelta(days=3)
    )
    with pytest.raises(InvalidInput, match="结案日期不能早于接案日期"):
        services.case_close(
            actor=world.alice,
            case_id=case.pk,
            reason="client_withdrew",
            outcome="not_achieved",
            closed_on=timezone.localdate() - timedelta(days=10),
        )
    with pytest.raises(InvalidInput, match="回访日期不能早于结案日期"):
        services.case_close(
            actor=world.alice,
            case_id=case.pk,
            reason="client_withdrew",
            outcome="not_achieved",
            follow_up_on=timezone.localdate() - timedelta(days=1),
        )
    case.refresh_from_db()
    assert case.status == Stage.INTAKE


def test_goals_met_only_after_evaluation(world):
    case = open_case(world.alice, world.dora_resident)
    with pytest.raises(InvalidInput, match="先完成评估"):
        services.case_close(
            actor=world.alice, case_id=case.pk, reason="goals_met", outcome="achieved"
        )


def test_future_and_pre_intake_dates_are_refused(world):
    case = open_case(world.alice, world.dora_resident)
    with pytest.raises(InvalidInput, match="接案日期不能晚于今天"):
        open_case(
            world.alice, world.dora_resident, opened_on=timezone.localdate() + timedelta(days=1)
        )
    case = to_stage(case, world.alice, Stage.INTERVENTION)
    with pytest.raises(InvalidInput, match="不能早于接案日期"):
        log_session(case, world.alice, on=case.opened_on - timedelta(days=1))
    with pytest.raises(InvalidInput, match="时长"):
        log_session(case, world.alice, duration_minutes=0)


def test_closed_case_takes_no_more_work_until_reopened(world):
    case = to_stage(open_case(world.alice, world.dora_resident), world.alice, Stage.INTERVENTION)
    services.case_close(actor=world.alice, case_id=case.pk, reason="moved", outcome="partly")
    with pytest.raises(Conflict, match="已结案"):
        log_session(case, world.alice)
    with pytest.raises(Conflict, match="未结案"):
        services.case_reopen(
            actor=world.alice, case_id=open_case(world.alice, world.dora_resident).pk, reason="x"
        )


def test_consent_required_and_guardian_for_a_minor(world):
    child = ResidentFactory(
        grid=world.a["grid"], birth_date=date(timezone.localdate().year - 12, 1, 1)
    )
    with pytest.raises(InvalidInput, match="本人同意"):
        open_case(world.alice, world.dora_resident, client_consent=False)
    with pytest.raises(InvalidInput, match="监护人同意"):
        open_case(world.alice, child)
    case = open_case(world.alice, child, guardian_name="王母", guardian_consent=True)
    assert case.guardian_consent_at is not None


def test_crisis_case_may_open_before_consent_but_not_leave_intake(world):
    child = ResidentFactory(
        grid=world.a["grid"], birth_date=date(timezone.localdate().year - 15, 6, 1)
    )
    from shezhi.care.models import CareAlert

    alert = CareAlert.objects.create(
        kind=CareAlert.Kind.CRISIS, resident=child, community=child.community, summary="不想活了"
    )
    case = services.case_open_from_alert(
        actor=world.alice, alert_id=alert.pk, problem_type="mental_health"
    )
    assert case.client_consent_at is None
    with pytest.raises(InvalidInput, match="本人同意"):
        services.case_advance(actor=world.alice, case_id=case.pk, to_status=Stage.ASSESSMENT)
    services.case_record_consent(actor=world.alice, case_id=case.pk, client_consent=True)
    with pytest.raises(InvalidInput, match="监护人同意"):
        services.case_advance(actor=world.alice, case_id=case.pk, to_status=Stage.ASSESSMENT)
    services.case_record_consent(
        actor=world.alice,
        case_id=case.pk,
        client_consent=True,
        guardian_name="李父",
        guardian_consent=True,
    )
    case = services.case_advance(actor=world.alice, case_id=case.pk, to_status=Stage.ASSESSMENT)
    assert case.status == Stage.ASSESSMENT


def test_team_member_must_be_a_user(world):
    case = open_case(world.alice, world.dora_resident)
    with pytest.raises(InvalidInput, match="有效用户"):
        services.team_add(actor=world.alice, case_id=case.pk, user_id=987654, role="counsellor")
    with pytest.raises(InvalidInput, match="有效用户"):
        services.team_add(actor=world.alice, case_id=case.pk, user_id=None, role="counsellor")
    with pytest.raises(InvalidInput, match="居民账号"):
        services.team_add(
            actor=world.alice, case_id=case.pk, user_id=world.dora.pk, role="volunteer"
        )
    with pytest.raises(InvalidInput, match="团队角色"):
        services.team_add(actor=world.alice, case_id=case.pk, user_id=world.bob.pk, role="boss")
    tm = services.team_add(
        actor=world.alice, case_id=case.pk, user_id=world.bob.pk, role="counsellor"
    )
    with pytest.raises(Conflict):
        services.team_add(
            actor=world.alice, case_id=case.pk, user_id=world.bob.pk, role="volunteer"
        )
    services.team_end(actor=world.alice, member_id=tm.pk)
    tm.refresh_from_db()
    assert tm.ended_on == timezone.localdate()


def test_referral_to_nowhere_is_refused_and_status_runs_in_order(world):
    case = open_case(world.alice, world.dora_resident)
    with pytest.raises(InvalidInput, match="机构名称"):
        services.referral_create(
            actor=world.alice,
            case_id=case.pk,
            institution_kind="hospital",
            institution_name=" ",
            reason="精神科评估",
        )
    with pytest.raises(InvalidInput, match="机构类型"):
        services.referral_create(
            actor=world.alice,
            case_id=case.pk,
            institution_kind="moon",
            institution_name="某院",
            reason="x",
        )
    r = services.referral_create(
        actor=world.alice,
        case_id=case.pk,
        institution_kind=Referral.InstitutionKind.HOSPITAL,
        institution_name="市精神卫生中心",
        reason="精神科评估",
    )
    assert r.status == Referral.Status.SENT
    with pytest.raises(InvalidInput, match="不能改为"):
        services.referral_advance(
            actor=world.alice, referral_id=r.pk, to_status="answered", answer="好"
        )
    services.referral_advance(actor=world.alice, referral_id=r.pk, to_status="received")
    with pytest.raises(InvalidInput, match="回复"):
        services.referral_advance(actor=world.alice, referral_id=r.pk, to_status="answered")
    r = services.referral_advance(
        actor=world.alice, referral_id=r.pk, to_status="answered", answer="已收治"
    )
    assert (r.status, r.answer) == ("answered", "已收治")
    assert r.received_at and r.answered_at


def test_referral_in_case_needs_the_referring_institution(world):
    with pytest.raises(InvalidInput, match="转介机构"):
        open_case(world.alice, world.dora_resident, source=Case.Source.REFERRAL_IN)
    case = open_case(
        world.alice,
        world.dora_resident,
        source=Case.Source.REFERRAL_IN,
        referral_in=services.ReferralIn("school", "第一中学", "学生情绪问题"),
    )
    r = case.referrals.get()
    assert (r.direction, r.status) == ("in", "received")


def test_one_visit_starts_several_benefit_tasks(world):
    case = open_case(world.alice, world.dora_resident)
    tasks = services.benefit_tasks_start(
        actor=world.alice, case_id=case.pk, kinds=["dibao", "disability_card", "dibao"]
    )
    assert sorted(t.kind for t in tasks) == ["dibao", "disability_card"]
    with pytest.raises(Conflict):
        services.benefit_tasks_start(actor=world.alice, case_id=case.pk, kinds=["dibao"])
    with pytest.raises(InvalidInput):
        services.benefit_task_set_status(actor=world.alice, task_id=tasks[0].pk, status="approved")
    services.benefit_task_set_status(actor=world.alice, task_id=tasks[0].pk, status="submitted")
    t = services.benefit_task_set_status(actor=world.alice, task_id=tasks[0].pk, status="approved")
    assert t.status == "approved"
    # an approved 低保 does not block a new application of that kind later
    assert services.benefit_tasks_start(actor=world.alice, case_id=case.pk, kinds=["dibao"])


def test_crisis_protocol_notifies_supervisor_and_needs_every_step(world):
    case = open_case(world.alice, world.dora_resident, risk_level="medium")
    crisis = services.crisis_start(actor=world.alice, case_id=case.pk)
    case.refresh_from_db()
    assert case.risk_level == "urgent"
    assert crisis.supervisor_notified_at is not None
    notice = Notification.objects.get(recipient=world.sam)
    assert notice.kind == Notification.Kind.CASE_CRISIS and notice.link == f"/desk/cases/{case.pk}/"
    assert f"#{case.pk}" in notice.title and "朵拉" not in notice.title + notice.body
    assert not Notification.objects.exclude(recipient=world.sam).exists()  # the line above only
    with pytest.raises(Conflict):
        services.crisis_start(actor=world.alice, case_id=case.pk)
    with pytest.raises(InvalidInput, match="尚未完成"):
        services.crisis_end(actor=world.alice, crisis_id=crisis.pk)
    with pytest.raises(InvalidInput, match="先填写安全计划"):
        services.crisis_step_done(actor=world.alice, crisis_id=crisis.pk, step="safety_plan")
    for step in ("safety", "risk", "guardian", "follow_up"):
        services.crisis_step_done(actor=world.alice, crisis_id=crisis.pk, step=step)
    services.crisis_safety_plan(
        actor=world.alice, crisis_id=crisis.pk, text="移除危险物品；24小时陪伴"
    )
    crisis = services.crisis_end(actor=world.alice, crisis_id=crisis.pk)
    assert crisis.ended_at is not None
    assert all(s["done_at"] for s in crisis.steps if not s["optional"])
    # A later crisis on the same case is news again (the dedupe key is the crisis, not the case).
    services.crisis_start(actor=world.alice, case_id=case.pk)
    assert Notification.objects.filter(recipient=world.sam, kind="case_crisis").count() == 2


def test_review_resets_next_review_by_new_risk(world):
    case = open_case(world.alice, world.dora_resident, risk_level="low")
    services.case_review(actor=world.sam, case_id=case.pk, risk_level="urgent", note="情况恶化")
    case.refresh_from_db()
    assert case.next_review_on == timezone.localdate() + timedelta(days=7)


def test_only_social_workers_open_cases(world):
    for actor in (world.bob, world.gina, world.admin):
        with pytest.raises(Forbidden):
            open_case(actor, world.dora_resident)


def test_worker_cannot_open_case_for_resident_outside_their_units(world):
    from shezhi.core.errors import NotFound

    with pytest.raises(NotFound):
        open_case(world.charlie, world.dora_resident)


def test_counsellor_cannot_change_the_file(world):
    counsellor = UserFactory(role=Role.VOLUNTEER, unit=world.a["community"])
    case = to_stage(open_case(world.alice, world.dora_resident), world.alice, Stage.INTERVENTION)
    services.team_add(actor=world.alice, case_id=case.pk, user_id=counsellor.pk, role="counsellor")
    log = log_session(case, counsellor, content="心理辅导第一次")
    assert log.by == counsellor
    with pytest.raises(Forbidden):
        services.case_advance(actor=counsellor, case_id=case.pk, to_status=Stage.EVALUATION)
    with pytest.raises(Forbidden):
        services.referral_create(
            actor=counsellor,
            case_id=case.pk,
            institution_kind="hospital",
            institution_name="某院",
            reason="x",
        )
