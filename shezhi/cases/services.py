"""Writes to case files. Each service checks the actor's access first (outside its transaction,
so that the log of a refused attempt survives the refusal), then changes the file in one
transaction and writes its audit event there.

Settings: SHEZHI_CASE_REVIEW_DAYS (days between reviews by risk level),
SHEZHI_CASE_EMERGENCY_MAX_HOURS (longest emergency access).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from shezhi.accounts.models import Role, User
from shezhi.accounts.scoping import unit_scope
from shezhi.care.models import CareAlert, Visit
from shezhi.care.selectors import alert_get, visits_of
from shezhi.care.services import alert_acknowledge
from shezhi.cases import selectors
from shezhi.cases.models import (
    STAGE_ORDER,
    Assessment,
    BenefitTask,
    Case,
    CaseAccessLog,
    CaseClosure,
    CaseReview,
    CaseTeamMember,
    CaseTransition,
    CrisisIntervention,
    EmergencyAccess,
    Goal,
    InterventionLog,
    Referral,
    RiskLevel,
    ServicePlan,
    Stage,
    SupervisionNote,
    TeamRole,
)
from shezhi.cases.permissions import (
    CaseAction,
    CaseDeskAction,
    case_desk_actions_for,
    require_case_role,
    require_case_state,
)
from shezhi.cases.selectors import CaseAccess, case_access, supervisors_of
from shezhi.core import audit
from shezhi.core.ages import ADULT_AGE, age_on
from shezhi.core.errors import Conflict, InvalidInput, NotFound
from shezhi.core.inputs import clean_text, validate_model
from shezhi.core.models import AuditEvent, identity_snapshot
from shezhi.core.permissions import require
from shezhi.needs.selectors import need_get
from shezhi.notifications.models import Notification
from shezhi.notifications.services import notify_many
from shezhi.notifications.texts import render
from shezhi.people.models import Resident
from shezhi.people.selectors import resident_get

# The stage a case may move to by `case_advance`; closing and reopening have their own services.
NEXT_STAGES = {
    Stage.INTAKE: {Stage.ASSESSMENT},
    Stage.ASSESSMENT: {Stage.PLANNING},
    Stage.PLANNING: {Stage.INTERVENTION},
    Stage.INTERVENTION: {Stage.EVALUATION},
    Stage.EVALUATION: {Stage.INTERVENTION},  # the evaluation finds more work to do
    Stage.CLOSED: set(),
}
# 危机干预 protocol; optional steps need not be ticked before the crisis is ended.
CRISIS_STEPS = [
    ("safety", "确认服务对象当前人身安全", False),
    ("risk", "评估自伤、伤人风险", False),
    ("supervisor", "通知督导", False),
    ("guardian", "联系监护人或家属", False),
    ("emergency", "必要时报警或送医", True),
    ("safety_plan", "制定安全计划", False),
    ("follow_up", "安排24小时内回访", False),
]


def _label(stage: str) -> str:
    return Stage(stage).label


def _choice(value: str, choices: type[models.TextChoices], message: str, field: str) -> str:
    if value not in choices.values:
        raise InvalidInput(message, field=field)
    return value


def _not_future(day: date, today: date, *, field: str, what: str) -> None:
    if day > today:
        raise InvalidInput(f"{what}不能晚于今天", field=field)


def _not_before_intake(day: date, case: Case, *, field: str, what: str) -> None:
    if day < case.opened_on:
        raise InvalidInput(f"{what}不能早于接案日期（{case.opened_on}）", field=field)


def _next_review(risk_level: str, base: date) -> date:
    return base + timedelta(days=selectors.review_days(risk_level))


def _lock(case: Case) -> Case:
    # "of self": the worker's unit is a nullable join, which PostgreSQL will not lock.
    qs = Case.objects.select_for_update(of=("self",)).select_related("client", "worker__unit")
    return qs.get(pk=case.pk)


def _record_transition(
    case: Case, *, to: str, before: str, actor: User, now: datetime, note: str = ""
) -> None:
    CaseTransition.objects.create(
        case=case, from_status=before, to_status=to, at=now, by=actor, note=note[:300]
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=case,
        summary=f"个案阶段：{_label(before) if before else '新建'} → {_label(to)}",
        changes={"status": [before, to]},
    )


def _notify(
    case: Case, recipients: Sequence[User], *, kind: str, title: str, body: str, key: str
) -> None:
    """Tell people about a case through the notification outbox (inbox and SMS). The text names
    the case number only, never the client: an SMS or a lock screen is not confidential."""
    notify_many(
        recipients=recipients,
        kind=kind,
        title=title,
        body=body,
        link=f"/desk/cases/{case.pk}/",
        dedupe_key=key,
    )


def _notice_text(key: str, **params: object) -> dict[str, str]:
    title, body = render(key, **params)
    return {"title": title, "body": body}


def _is_minor(client: Resident, on: date) -> bool:
    return age_on(client.birth_date, on) < ADULT_AGE


# --- opening ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralIn:
    institution_kind: str
    institution_name: str
    reason: str
    contact: str = ""


def case_open(
    *,
    actor: User,
    client_id: int,
    source: str,
    problem_type: str,
    risk_level: str,
    client_consent: bool,
    guardian_name: str = "",
    guardian_consent: bool = False,
    opened_on: date | None = None,
    need_id: int | None = None,
    care_alert_id: int | None = None,
    visit_id: int | None = None,
    referral_in: ReferralIn | None = None,
    now: datetime | None = None,
) -> Case:
    """接案. The actor becomes the case worker and first team member. Consent is the client's
    and, for a minor, the guardian's too; a case from a crisis alert may be opened before
    consent (PIPL art. 13: protecting life) but cannot leave intake without it."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    require(
        CaseDeskAction.OPEN_CASE, case_desk_actions_for(actor), message="只有社工和督导可以开案"
    )
    client = resident_get(actor=actor, resident_id=client_id)
    _choice(source, Case.Source, "请选择有效的个案来源", "source")
    _choice(problem_type, Case.ProblemType, "请选择问题类型", "problem_type")
    _choice(risk_level, RiskLevel, "请选择有效的风险等级（紧急、高、中、低）", "risk_level")
    opened_on = opened_on or today
    _not_future(opened_on, today, field="opened_on", what="接案日期")
    guardian_name = clean_text(guardian_name, field="guardian_name", max_length=30, required=False)
    minor = _is_minor(client, opened_on)
    if source != Case.Source.CRISIS_ALERT:
        _check_consent(minor, client_consent, guardian_name, guardian_consent)
    elif guardian_consent and not guardian_name:
        raise InvalidInput("请填写监护人姓名", field="guardian_name")

    need = alert = visit = None
    if need_id is not None:
        need = need_get(actor=actor, need_id=need_id)
        if need.resident_id != client.pk:
            raise InvalidInput("该需求不属于此服务对象", field="need")
    if care_alert_id is not None:
        alert = alert_get(actor=actor, alert_id=care_alert_id)
        if alert.resident_id != client.pk:
            raise InvalidInput("该预警不属于此服务对象", field="care_alert")
    if visit_id is not None:
        visit = visits_of(actor=actor, resident_id=client.pk).filter(pk=visit_id).first()
        if visit is None:
            raise InvalidInput("未找到此服务对象的这次走访", field="visit")
    if source == Case.Source.REFERRAL_IN and referral_in is None:
        raise InvalidInput("外部转介的个案请填写转介机构", field="referral")
    required_link = {Case.Source.NEED: need, Case.Source.CRISIS_ALERT: alert}
    if source in required_link and required_link[source] is None:
        raise InvalidInput("请关联来源需求或预警", field="source")

    with transaction.atomic():
        case = Case(
            client=client,
            community_id=client.community_id,
            worker=actor,
            source=source,
            need=need,
            care_alert=alert,
            visit=visit,
            problem_type=problem_type,
            risk_level=risk_level,
            opened_on=opened_on,
            next_review_on=_next_review(risk_level, opened_on),
            client_consent_at=now if client_consent else None,
            guardian_name=guardian_name,
            guardian_consent_at=now if guardian_consent else None,
            created_by=actor,
        )
        validate_model(case, exclude=["community"])
        case.save()
        CaseTeamMember.objects.create(
            case=case, user=actor, role=TeamRole.CASEWORKER, started_on=opened_on, added_by=actor
        )
        if referral_in is not None:
            _referral_new(
                case,
                actor=actor,
                direction=Referral.Direction.IN,
                data=referral_in,
                now=now,
                status=Referral.Status.RECEIVED,
            )
        audit.record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            obj=case,
            summary=f"开案（{case.get_source_display()}）",
        )
        _record_transition(case, to=Stage.INTAKE, before="", actor=actor, now=now)
    return case


def _check_consent(minor: bool, client: bool, guardian_name: str, guardian: bool) -> None:
    if not client:
        raise InvalidInput("开案须取得服务对象本人同意", field="client_consent")
    if minor and not (guardian and guardian_name):
        raise InvalidInput("服务对象未满18周岁，须取得监护人同意并填写监护人姓名", field="guardian")


def case_open_from_alert(
    *,
    actor: User,
    alert_id: int,
    problem_type: str,
    risk_level: str = RiskLevel.URGENT,
    client_consent: bool = False,
    guardian_name: str = "",
    guardian_consent: bool = False,
    now: datetime | None = None,
) -> Case:
    """Open a case from a care alert (a crisis signal): linked to the alert, which is
    acknowledged if nobody had yet."""
    now = now or timezone.now()
    alert = alert_get(actor=actor, alert_id=alert_id)
    if alert.resident_id is None:
        raise InvalidInput("该预警没有关联居民，无法开案", field="care_alert")
    if Case.objects.filter(care_alert=alert).exclude(status=Stage.CLOSED).exists():
        raise Conflict("该预警已开案")
    source = Case.Source.CRISIS_ALERT if alert.kind == CareAlert.Kind.CRISIS else Case.Source.VISIT
    case = case_open(
        actor=actor,
        client_id=alert.resident_id,
        source=source,
        problem_type=problem_type,
        risk_level=risk_level,
        client_consent=client_consent,
        guardian_name=guardian_name,
        guardian_consent=guardian_consent,
        care_alert_id=alert.pk,
        now=now,
    )
    if alert.status in (CareAlert.Status.OPEN, CareAlert.Status.ESCALATED):
        alert_acknowledge(actor=actor, alert_id=alert.pk, now=now)
    return case


def case_open_from_need(
    *,
    actor: User,
    need_id: int,
    problem_type: str,
    risk_level: str,
    client_consent: bool,
    guardian_name: str = "",
    guardian_consent: bool = False,
    now: datetime | None = None,
) -> Case:
    need = need_get(actor=actor, need_id=need_id)
    if need.resident_id is None:
        raise InvalidInput("该需求没有关联居民，无法开案", field="need")
    return case_open(
        actor=actor,
        client_id=need.resident_id,
        source=Case.Source.NEED,
        problem_type=problem_type,
        risk_level=risk_level,
        client_consent=client_consent,
        guardian_name=guardian_name,
        guardian_consent=guardian_consent,
        need_id=need.pk,
        now=now,
    )


def case_record_consent(
    *,
    actor: User,
    case_id: int,
    client_consent: bool,
    guardian_name: str = "",
    guardian_consent: bool = False,
    now: datetime | None = None,
) -> Case:
    now = now or timezone.now()
    access = case_access(actor=actor, case_id=case_id, now=now)
    require_case_role(access, CaseAction.RECORD_CONSENT)
    guardian_name = clean_text(guardian_name, field="guardian_name", max_length=30, required=False)
    with transaction.atomic():
        case = _lock(access.case)
        require_case_state(case, CaseAction.RECORD_CONSENT)
        # Consents may come one at a time; leaving intake needs all that apply.
        if not client_consent:
            raise InvalidInput("请记录服务对象本人同意", field="client_consent")
        if guardian_consent and not guardian_name:
            raise InvalidInput("请填写监护人姓名", field="guardian_name")
        case.client_consent_at = case.client_consent_at or now
        if guardian_consent:
            case.guardian_name = guardian_name
            case.guardian_consent_at = case.guardian_consent_at or now
        case.save(
            update_fields=[
                "client_consent_at",
                "guardian_name",
                "guardian_consent_at",
                "updated_at",
            ]
        )
        audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=case, summary="记录知情同意")
    return case


# --- stages ----------------------------------------------------------------------------


def case_advance(
    *, actor: User, case_id: int, to_status: str, note: str = "", now: datetime | None = None
) -> Case:
    """Move a case one stage on (or from evaluation back to intervention). Each stage needs
    its work done: consent before assessment, an assessment before planning, a plan with goals
    before intervention."""
    now = now or timezone.now()
    access = case_access(actor=actor, case_id=case_id, now=now)
    require_case_role(access, CaseAction.ADVANCE)
    note = clean_text(note, field="note", max_length=300, required=False)
    with transaction.atomic():
        case = _lock(access.case)
        require_case_state(case, CaseAction.ADVANCE)
        before = case.status
        if to_status == Stage.CLOSED:
            raise InvalidInput("结案请使用结案操作并填写结案原因与成效", field="to_status")
        if to_status not in STAGE_ORDER:
            raise InvalidInput("请选择有效的个案阶段", field="to_status")
        if to_status not in NEXT_STAGES[Stage(before)]:
            raise InvalidInput(
                f"个案当前处于「{_label(before)}」阶段，不能转到「{_label(to_status)}」阶段",
                field="to_status",
            )
        _check_stage_work(case, to_status)
        case.status = to_status
        case.save(update_fields=["status", "updated_at"])
        _record_transition(case, to=to_status, before=before, actor=actor, now=now, note=note)
    return case


def _check_stage_work(case: Case, to_status: str) -> None:
    if to_status == Stage.ASSESSMENT:
        if case.client_consent_at is None:
            raise InvalidInput("进入预估前须取得服务对象本人同意", field="client_consent")
        if _is_minor(case.client, case.opened_on) and case.guardian_consent_at is None:
            raise InvalidInput("服务对象未满18周岁，进入预估前须取得监护人同意", field="guardian")
    if to_status == Stage.PLANNING and not case.assessments.exists():
        raise InvalidInput("请先完成预估再制定服务计划", field="to_status")
    if to_status == Stage.INTERVENTION and not Goal.objects.filter(plan__case=case).exists():
        raise InvalidInput("请先制定含目标的服务计划再开始介入", field="to_status")


def case_close(
    *,
    actor: User,
    case_id: int,
    reason: str,
    outcome: str,
    outcome_note: str = "",
    closed_on: date | None = None,
    follow_up_on: date | None = None,
    goal_statuses: dict[int, str] | None = None,
    now: datetime | None = None,
) -> CaseClosure:
    """结案 with a reason and the outcome against the goals; "goals met" only after evaluation."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    access = case_access(actor=actor, case_id=case_id, now=now)
    require_case_role(access, CaseAction.CLOSE)
    _choice(reason, CaseClosure.Reason, "请选择结案原因", "reason")
    _choice(outcome, CaseClosure.Outcome, "请选择结案成效", "outcome")
    outcome_note = clean_text(outcome_note, field="outcome_note", max_length=500, required=False)
    closed_on = closed_on or today
    with transaction.atomic():
        case = _lock(access.case)
        require_case_state(case, CaseAction.CLOSE)
        _not_before_intake(closed_on, case, field="closed_on", what="结案日期")
        _not_future(closed_on, today, field="closed_on", what="结案日期")
        if follow_up_on is not None and follow_up_on < closed_on:
            raise InvalidInput("跟进回访日期不能早于结案日期", field="follow_up_on")
        if reason == CaseClosure.Reason.GOALS_MET and case.status != Stage.EVALUATION:
            raise InvalidInput("以「目标达成」结案须先完成评估阶段", field="reason")
        for goal_id, status in (goal_statuses or {}).items():
            _choice(status, Goal.Status, "请选择有效的目标达成情况", "goal_statuses")
            if not Goal.objects.filter(pk=goal_id, plan__case=case).update(status=status):
                raise InvalidInput("目标不属于本个案", field="goal_statuses")
        closure = CaseClosure.objects.create(
            case=case,
            closed_on=closed_on,
            reason=reason,
            outcome=outcome,
            outcome_note=outcome_note,
            follow_up_on=follow_up_on,
            closed_by=actor,
        )
        before = case.status
        case.status = Stage.CLOSED
        case.save(update_fields=["status", "updated_at"])
        _record_transition(
            case, to=Stage.CLOSED, before=before, actor=actor, now=now, note=closure.reason
        )
    return closure


def case_reopen(*, actor: User, case_id: int, reason: str, now: datetime | None = None) -> Case:
    """Reopen a closed case at the assessment stage; the closure stays on file."""
    now = now or timezone.now()
    access = case_access(actor=actor, case_id=case_id, now=now)
    require_case_role(access, CaseAction.REOPEN)
    reason = clean_text(reason, label="重开原因", field="reason", max_length=300)
    with transaction.atomic():
        case = _lock(access.case)
        require_case_state(case, CaseAction.REOPEN)
        case.closures.filter(reopened_at__isnull=True).update(
            reopened_at=now, reopened_by=actor, reopen_reason=reason
        )
        case.status = Stage.ASSESSMENT
        case.next_review_on = _next_review(case.risk_level, timezone.localdate(now))
        case.save(update_fields=["status", "next_review_on", "updated_at"])
        _record_transition(
            case, to=Stage.ASSESSMENT, before=Stage.CLOSED, actor=actor, now=now, note=reason
        )
    return case


def case_review(
    *,
    actor: User,
    case_id: int,
    risk_level: str,
    note: str = "",
    reviewed_on: date | None = None,
    now: datetime | None = None,
) -> CaseReview:
    """A periodic review: sets the risk level and the next review date by it."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    access = case_access(actor=actor, case_id=case_id, now=now)
    require_case_role(access, CaseAction.REVIEW)
    _choice(risk_level, RiskLevel, "请选择有效的风险等级（紧急、高、中、低）", "risk_level")
    note = clean_text(note, field="note", max_length=500, required=False)
    reviewed_on = reviewed_on or today
    with transaction.atomic():
        case = _lock(access.case)
        require_case_state(case, CaseAction.REVIEW)
        _not_before_intake(reviewed_on, case, field="reviewed_on", what="复核日期")
        _not_future(reviewed_on, today, field="reviewed_on", what="复核日期")
        review = CaseReview.objects.create(
            case=case, reviewed_on=reviewed_on, by=actor, risk_level=risk_level, note=note
        )
        _set_risk(case, risk_level, reviewed_on)
        audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=case, summary="个案复核")
    return review


def _set_risk(case: Case, risk_level: str, base: date) -> None:
    case.risk_level = risk_level
    case.next_review_on = _next_review(risk_level, base)
    case.save(update_fields=["risk_level", "next_review_on", "updated_at"])


# --- assessment, plan, interventions ----------------------------------------------------


def assessment_record(
    *,
    actor: User,
    case_id: int,
    presenting_problem: str,
    risk_level: str,
    family_support: str = "",
    health: str = "",
    risks: str = "",
    strengths: str = "",
    narrative: str = "",
    assessed_on: date | None = None,
    now: datetime | None = None,
) -> Assessment:
    now = now or timezone.now()
    today = timezone.localdate(now)
    access = case_access(actor=actor, case_id=case_id, now=now)
    require_case_role(access, CaseAction.ASSESS)
    _choice(risk_level, RiskLevel, "请选择有效的风险等级（紧急、高、中、低）", "risk_level")
    assessed_on = assessed_on or today
    fields = {
        "presenting_problem": clean_text(
            presenting_problem, label="主要问题", field="presenting_problem", max_length=2000
        ),
        "family_support": clean_text(
            family_support, field="family_support", max_length=2000, required=False
        ),
        "health": clean_text(health, field="health", max_length=2000, required=False),
        "risks": clean_text(risks, field="risks", max_length=5000, required=False),
        "strengths": clean_text(strengths, field="strengths", max_length=2000, required=False),
        "narrative": clean_text(narrative, field="narrative", max_length=10000, required=False),
    }
    with transaction.atomic():
        case = _lock(access.case)
        require_case_state(case, CaseAction.ASSESS)
        if case.status == Stage.INTAKE:
            raise InvalidInput("请先将个案转入预估阶段", field="status")
        _not_before_intake(assessed_on, case, field="assessed_on", what="预估日期")
        _not_future(assessed_on, today, field="assessed_on", what="预估日期")
        assessment = Assessment.objects.create(
            case=case, assessed_on=assessed_on, assessed_by=actor, risk_level=risk_level, **fields
        )
        _set_risk(case, risk_level, assessed_on)
        audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=assessment, summary="预估")
    return assessment


@dataclass(frozen=True)
class GoalInput:
    description: str
    interventions: str
    responsible_id: int
    due_on: date


def plan_create(
    *,
    actor: User,
    case_id: int,
    goals: Sequence[GoalInput],
    summary: str = "",
    now: datetime | None = None,
) -> ServicePlan:
    """A new version of the service plan; each goal names its interventions, a responsible
    team member and a due date. A plan without goals is refused."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    access = case_access(actor=actor, case_id=case_id, now=now)
    require_case_role(access, CaseAction.PLAN)
    summary = clean_text(summary, field="summary", max_length=500, required=False)
    if not goals:
        raise InvalidInput("服务计划至少要有一个目标", field="goals")
    with transaction.atomic():
        case = _lock(access.case)
        require_case_state(case, CaseAction.PLAN)
        if STAGE_ORDER.index(case.status) < STAGE_ORDER.index(Stage.PLANNING):
            raise InvalidInput("请先完成预估并转入计划阶段", field="status")
        members = set(_active_members(case, today).values_list("user_id", flat=True))
        version = (case.plans.aggregate(v=models.Max("version"))["v"] or 0) + 1
        plan = ServicePlan.objects.create(
            case=case, version=version, summary=summary, created_by=actor
        )
        for i, g in enumerate(goals, start=1):
            field = f"goals[{i}]"
            description = clean_text(
                g.description, missing=f"第{i}个目标未填写内容", field=field, max_length=300
            )
            interventions = clean_text(
                g.interventions, missing=f"第{i}个目标未填写介入策略", field=field, max_length=2000
            )
            if g.responsible_id not in members:
                raise InvalidInput(f"第{i}个目标的负责人须是本个案团队成员", field=field)
            if g.due_on < today:
                raise InvalidInput(f"第{i}个目标的完成期限不能早于今天", field=field)
            Goal.objects.create(
                plan=plan,
                description=description,
                interventions=interventions,
                responsible_id=g.responsible_id,
                due_on=g.due_on,
            )
        audit.record(
            actor=actor, action=AuditEvent.Action.CREATE, obj=plan, summary=f"服务计划第{version}版"
        )
    return plan


def intervention_log(
    *,
    actor: User,
    case_id: int,
    on: date,
    form: str,
    content: str,
    duration_minutes: int,
    goal_id: int | None = None,
    now: datetime | None = None,
) -> InterventionLog:
    """One contact with the client, by any active team member (a counsellor logs their own
    sessions)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    access = case_access(actor=actor, case_id=case_id, now=now)
    require_case_role(access, CaseAction.LOG_SESSION)
    _choice(form, InterventionLog.Form, "请选择介入形式", "form")
    content = clean_text(content, label="介入内容", field="content", max_length=10000)
    if not isinstance(duration_minutes, int) or not 1 <= duration_minutes <= 24 * 60:
        raise InvalidInput("时长应为1至1440分钟", field="duration_minutes")
    with transaction.atomic():
        case = _lock(access.case)
        require_case_state(case, CaseAction.LOG_SESSION)
        if case.status != Stage.INTERVENTION:
            raise InvalidInput("个案处于介入阶段时才能登记介入记录", field="status")
        _not_before_intake(on, case, field="on", what="介入日期")
        _not_future(on, today, field="on", what="介入日期")
        if goal_id is not None and not Goal.objects.filter(pk=goal_id, plan__case=case).exists():
            raise InvalidInput("目标不属于本个案", field="goal")
        log = InterventionLog.objects.create(
            case=case,
            goal_id=goal_id,
            on=on,
            form=form,
            content=content,
            duration_minutes=duration_minutes,
            by=actor,
        )
        audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=log, summary="介入记录")
    return log


# --- team ------------------------------------------------------------------------------


def _active_members(case: Case, today: date) -> models.QuerySet[CaseTeamMember]:
    return case.team.filter(selectors.serving_on(today))


def team_add(
    *,
    actor: User,
    case_id: int,
    user_id: int | None,
    role: str,
    ended_on: date | None = None,
    now: datetime | None = None,
) -> CaseTeamMember:
    now = now or timezone.now()
    today = timezone.localdate(now)
    access = case_access(actor=actor, case_id=case_id, now=now)
    require_case_role(access, CaseAction.ADD_MEMBER)
    _choice(role, TeamRole, "请选择团队角色", "role")
    if role == TeamRole.CASEWORKER:
        raise InvalidInput("个案社工只有一位；请选择协作社工或其他角色", field="role")
    member = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if member is None:
        raise InvalidInput("团队成员必须是平台的有效用户", field="user")
    if member.role == Role.RESIDENT:
        raise InvalidInput("居民账号不能加入个案团队", field="user")
    if role == TeamRole.COLLEAGUE and member.role not in (Role.SOCIAL_WORKER, Role.SUPERVISOR):
        raise InvalidInput("协作社工须是社工账号", field="role")
    if ended_on is not None and ended_on < today:
        raise InvalidInput("结束日期不能早于今天", field="ended_on")
    with transaction.atomic():
        case = _lock(access.case)
        require_case_state(case, CaseAction.ADD_MEMBER)
        if case.client.user_id == member.pk:
            raise InvalidInput("服务对象本人不能加入个案团队", field="user")
        if _active_members(case, today).filter(user=member).exists():
            raise Conflict("该用户已是本个案团队成员")
        tm = CaseTeamMember.objects.create(
            case=case, user=member, role=role, started_on=today, ended_on=ended_on, added_by=actor
        )
        audit.record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            obj=tm,
            summary=f"邀请团队成员（{tm.get_role_display()}）",
        )
    return tm


def team_end(
    *, actor: User, member_id: int, ended_on: date | None = None, now: datetime | None = None
) -> CaseTeamMember:
    now = now or timezone.now()
    today = timezone.localdate(now)
    access = _access_via(actor, CaseTeamMember, member_id, now)
    require_case_role(access, CaseAction.END_MEMBER)
    ended_on = ended_on or today
    with transaction.atomic():
        tm = CaseTeamMember.objects.select_for_update().get(pk=member_id)
        if tm.user_id == access.case.worker_id and tm.role == TeamRole.CASEWORKER:
            raise InvalidInput("不能移出个案社工本人", field="member")
        if ended_on < tm.started_on:
            raise InvalidInput("结束日期不能早于加入日期", field="ended_on")
        tm.ended_on = ended_on
        tm.save(update_fields=["ended_on"])
        audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=tm, summary="结束团队成员")
    return tm


def _access_via(actor: User, model: type[models.Model], pk: int, now: datetime) -> CaseAccess:
    """Access to the case a child row belongs to; a missing row is "not found" like a case."""
    try:
        case_id = model._default_manager.filter(pk=pk).values_list("case_id", flat=True).first()
    except (TypeError, ValueError):
        case_id = None
    if case_id is None:
        CaseAccessLog.objects.create(
            case_ref=0,
            user=actor,
            user_identity=identity_snapshot(actor),
            at=now,
            action=CaseAccessLog.Action.DENIED,
            part=str(pk)[:20],
        )
        raise NotFound(selectors.NOT_FOUND)
    return case_access(actor=actor, case_id=case_id, now=now)


# --- crisis intervention ----------------------------------------------------------------


def crisis_start(*, actor: User, case_id: int, now: datetime | None = None) -> CrisisIntervention:
    """Start the crisis protocol: the case becomes 紧急 and the supervisor line is told at
    once (the "通知督导" step is ticked when someone was told)."""
    now = now or timezone.now()
    access = case_access(actor=actor, case_id=case_id, now=now)
    require_case_role(access, CaseAction.START_CRISIS)
    with transaction.atomic():
        case = _lock(access.case)
        require_case_state(case, CaseAction.START_CRISIS)
        if case.crises.filter(ended_at__isnull=True).exists():
            raise Conflict("本个案已有进行中的危机干预")
        sups = list(supervisors_of(case.worker))
        steps = [
            {"code": c, "label": label, "optional": opt, "done_at": None, "by": None}
            for c, label, opt in CRISIS_STEPS
        ]
        if sups:
            for s in steps:
                if s["code"] == "supervisor":
                    s["done_at"], s["by"] = now.isoformat(), actor.pk
        crisis = CrisisIntervention.objects.create(
            case=case,
            started_at=now,
            started_by=actor,
            steps=steps,
            supervisor_notified_at=now if sups else None,
        )
        _notify(
            case,
            sups,
            kind=Notification.Kind.CASE_CRISIS,
            **_notice_text("case_crisis", number=case.pk),
            key=f"case-crisis:{crisis.pk}",  # a retried request does not page twice
        )
        _set_risk(case, RiskLevel.URGENT, timezone.localdate(now))
        audit.record(
            actor=actor, action=AuditEvent.Action.CREATE, obj=crisis, summary="启动危机干预"
        )
    return crisis


def _crisis_access(actor: User, crisis_id: int, now: datetime) -> None:
    # Outside the transaction, so that the log of a refused attempt survives the refusal.
    require_case_role(
        _access_via(actor, CrisisIntervention, crisis_id, now), CaseAction.WORK_CRISIS
    )


def _crisis_for_update(crisis_id: int) -> CrisisIntervention:
    crisis = CrisisIntervention.objects.select_for_update().get(pk=crisis_id)
    if crisis.ended_at is not None:
        raise Conflict("该危机干预已结束")
    return crisis


def crisis_step_done(
    *, actor: User, crisis_id: int, step: str, now: datetime | None = None
) -> CrisisIntervention:
    now = now or timezone.now()
    _crisis_access(actor, crisis_id, now)
    with transaction.atomic():
        crisis = _crisis_for_update(crisis_id)
        entry = next((s for s in crisis.steps if s["code"] == step), None)
        if entry is None:
            raise InvalidInput("没有这个处置步骤", field="step")
        if entry["done_at"]:
            raise Conflict("该步骤已完成")
        if step == "safety_plan" and not crisis.safety_plan:
            raise InvalidInput("请先填写安全计划", field="safety_plan")
        entry["done_at"], entry["by"] = now.isoformat(), actor.pk
        crisis.save(update_fields=["steps"])
        audit.record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=crisis,
            summary=f"危机干预步骤：{entry['label']}",
        )
    return crisis


def crisis_safety_plan(
    *, actor: User, crisis_id: int, text: str, now: datetime | None = None
) -> CrisisIntervention:
    now = now or timezone.now()
    text = clean_text(text, label="安全计划", field="safety_plan", max_length=5000)
    _crisis_access(actor, crisis_id, now)
    with transaction.atomic():
        crisis = _crisis_for_update(crisis_id)
        crisis.safety_plan = text
        for s in crisis.steps:
            if s["code"] == "safety_plan" and not s["done_at"]:
                s["done_at"], s["by"] = now.isoformat(), actor.pk
        crisis.save(update_fields=["safety_plan", "steps"])
        audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=crisis, summary="安全计划")
    return crisis


def crisis_end(*, actor: User, crisis_id: int, now: datetime | None = None) -> CrisisIntervention:
    now = now or timezone.now()
    _crisis_access(actor, crisis_id, now)
    with transaction.atomic():
        crisis = _crisis_for_update(crisis_id)
        missing = [s["label"] for s in crisis.steps if not s["done_at"] and not s["optional"]]
        if missing:
            raise InvalidInput("以下步骤尚未完成：" + "、".join(missing), field="steps")
        crisis.ended_at = now
        crisis.save(update_fields=["ended_at"])
        audit.record(
            actor=actor, action=AuditEvent.Action.TRANSITION, obj=crisis, summary="结束危机干预"
        )
    return crisis


# --- referrals -------------------------------------------------------------------------


def _referral_new(
    case: Case,
    *,
    actor: User,
    direction: str,
    data: ReferralIn,
    now: datetime,
    status: str = Referral.Status.SENT,
) -> Referral:
    _choice(data.institution_kind, Referral.InstitutionKind, "请选择机构类型", "institution_kind")
    name = clean_text(
        data.institution_name,
        label="转介机构名称",
        field="institution_name",
        max_length=100,
    )
    reason = clean_text(data.reason, label="转介原因", field="reason", max_length=500)
    contact = clean_text(data.contact, field="contact", max_length=100, required=False)
    referral = Referral.objects.create(
        case=case,
        direction=direction,
        institution_kind=data.institution_kind,
        institution_name=name,
        contact=contact,
        reason=reason,
        status=status,
        sent_at=now,
        received_at=now if status == Referral.Status.RECEIVED else None,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=referral,
        summary=f"转介{referral.get_direction_display()}：{name}",
    )
    return referral


def referral_create(
    *,
    actor: User,
    case_id: int,
    institution_kind: str,
    institution_name: str,
    reason: str,
    contact: str = "",
    direction: str = Referral.Direction.OUT,
    now: datetime | None = None,
) -> Referral:
    now = now or timezone.now()
    access = case_access(actor=actor, case_id=case_id, now=now)
    require_case_role(access, CaseAction.REFER)
    _choice(direction, Referral.Direction, "请选择转介方向", "direction")
    data = ReferralIn(institution_kind, institution_name, reason, contact)
    with transaction.atomic():
        case = _lock(access.case)
        require_case_state(case, CaseAction.REFER)
        return _referral_new(case, actor=actor, direction=direction, data=data, now=now)


REFERRAL_NEXT = {
    Referral.Status.SENT: Referral.Status.RECEIVED,
    Referral.Status.RECEIVED: Referral.Status.ANSWERED,
}


def referral_advance(
    *,
    actor: User,
    referral_id: int,
    to_status: str,
    answer: str = "",
    now: datetime | None = None,
) -> Referral:
    """发出 → 已接收 → 已回复; the answer is required when the institution replied."""
    now = now or timezone.now()
    access = _access_via(actor, Referral, referral_id, now)
    require_case_role(access, CaseAction.UPDATE_REFERRAL)
    answer = clean_text(answer, field="answer", max_length=500, required=False)
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral_id)
        if REFERRAL_NEXT.get(Referral.Status(referral.status)) != to_status:
            raise InvalidInput(
                f"转介当前为「{referral.get_status_display()}」，不能改为该状态", field="status"
            )
        if to_status == Referral.Status.ANSWERED:
            if not answer:
                raise InvalidInput("请填写对方机构的回复", field="answer")
            referral.answer, referral.answered_at = answer, now
        else:
            referral.received_at = now
        before = referral.status
        referral.status = to_status
        referral.save(update_fields=["status", "received_at", "answered_at", "answer"])
        audit.record(
            actor=actor,
            action=AuditEvent.Action.TRANSITION,
            obj=referral,
            summary="转介进展",
            changes={"status": [before, to_status]},
        )
    return referral


# --- benefits applications --------------------------------------------------------------


def benefit_tasks_start(
    *,
    actor: User,
    case_id: int,
    kinds: Sequence[str],
    visit_id: int | None = None,
    note: str = "",
    now: datetime | None = None,
) -> list[BenefitTask]:
    """Start several benefits applications at once (one visit often finds more than one)."""
    now = now or timezone.now()
    access = case_access(actor=actor, case_id=case_id, now=now)
    require_case_role(access, CaseAction.START_BENEFITS)
    kinds = list(dict.fromkeys(kinds))
    if not kinds:
        raise InvalidInput("请至少选择一项救助申请", field="kinds")
    for k in kinds:
        _choice(k, BenefitTask.Kind, "请选择有效的救助申请类型", "kinds")
    note = clean_text(note, field="note", max_length=300, required=False)
    visit: Visit | None = None
    if visit_id is not None:
        visit = Visit.objects.filter(pk=visit_id, resident_id=access.case.client_id).first()
        if visit is None:
            raise InvalidInput("未找到此服务对象的这次走访", field="visit")
    with transaction.atomic():
        case = _lock(access.case)
        require_case_state(case, CaseAction.START_BENEFITS)
        try:
            with transaction.atomic():
                tasks = [
                    BenefitTask.objects.create(
                        case=case, kind=k, visit=visit, note=note, created_by=actor
                    )
                    for k in kinds
                ]
        except IntegrityError:
            raise Conflict("已有同类型的救助申请在办理中") from None
        for t in tasks:
            audit.record(
                actor=actor,
                action=AuditEvent.Action.CREATE,
                obj=t,
                summary=f"救助申请：{t.get_kind_display()}",
            )
    return tasks


def benefit_task_set_status(
    *, actor: User, task_id: int, status: str, note: str = "", now: datetime | None = None
) -> BenefitTask:
    now = now or timezone.now()
    access = _access_via(actor, BenefitTask, task_id, now)
    require_case_role(access, CaseAction.UPDATE_BENEFIT)
    with transaction.atomic():
        task = BenefitTask.objects.select_for_update().get(pk=task_id)
        if status not in task.next_statuses():
            raise InvalidInput(
                f"申请当前为「{task.get_status_display()}」，不能改为该状态", field="status"
            )
        before = task.status
        task.status = status
        if note:
            task.note = clean_text(note, field="note", max_length=300, required=False)
        task.save(update_fields=["status", "note", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditEvent.Action.TRANSITION,
            obj=task,
            summary=f"救助申请：{task.get_kind_display()}",
            changes={"status": [before, status]},
        )
    return task


# --- supervision and emergency access ---------------------------------------------------


def supervision_note_add(
    *, actor: User, case_id: int, text: str, now: datetime | None = None
) -> SupervisionNote:
    now = now or timezone.now()
    access = case_access(actor=actor, case_id=case_id, now=now)
    require_case_role(access, CaseAction.SUPERVISE)
    text = clean_text(text, label="督导意见", field="text", max_length=5000)
    with transaction.atomic():
        note = SupervisionNote.objects.create(case=access.case, author=actor, text=text)
        audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=note, summary="督导记录")
    return note


def emergency_max_hours() -> int:
    """The longest emergency access an admin may ask for, in hours."""
    return int(settings.SHEZHI_CASE_EMERGENCY_MAX_HOURS)


def emergency_access_grant(
    *,
    actor: User,
    case_id: int,
    reason: str,
    hours: int = 4,
    now: datetime | None = None,
) -> EmergencyAccess:
    """An admin's time-limited access to a case in their units, with a stated reason; the
    supervisor line and the worker are told at once."""
    now = now or timezone.now()
    require(
        CaseDeskAction.EMERGENCY_ACCESS,
        case_desk_actions_for(actor),
        message="只有管理员可以申请紧急访问",
    )
    reason = clean_text(reason, missing="紧急访问须填写理由", field="reason", max_length=300)
    max_hours = emergency_max_hours()
    if not isinstance(hours, int) or not 1 <= hours <= max_hours:
        raise InvalidInput(f"紧急访问时长应为1至{max_hours}小时", field="hours")
    ref = selectors.parse_case_id(case_id)
    case = (
        Case.objects.filter(unit_scope(actor, community_field="community_id"))
        .select_related("worker__unit")
        .filter(pk=ref)
        .first()
    )
    if case is None:
        CaseAccessLog.objects.create(
            case_ref=max(ref, 0),
            user=actor,
            user_identity=identity_snapshot(actor),
            at=now,
            action=CaseAccessLog.Action.DENIED,
        )
        raise NotFound(selectors.NOT_FOUND)
    with transaction.atomic():
        grant = EmergencyAccess.objects.create(
            case=case,
            user=actor,
            reason=reason,
            granted_at=now,
            expires_at=now + timedelta(hours=hours),
        )
        recipients = [*supervisors_of(case.worker), case.worker]
        who = actor.display_name or actor.username
        # The reason is free text that may name the client: it stays on the access-log page.
        _notify(
            case,
            recipients,
            kind=Notification.Kind.CASE_EMERGENCY_ACCESS,
            **_notice_text("case_emergency_access", number=case.pk, who=who, hours=hours),
            key=f"case-emergency:{grant.pk}",
        )
        audit.record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            obj=grant,
            summary=f"紧急访问个案#{case.pk}：{reason}",
        )
    return grant


def _may_revoke(actor: User, grant: EmergencyAccess) -> bool:
    """The admin who holds the grant, or another admin over the case's community."""
    if grant.user_id == actor.pk:
        return True
    if not selectors.is_admin(actor) or not actor.is_active:
        return False
    scope = unit_scope(actor, community_field="community_id")
    return Case.objects.filter(scope, pk=grant.case_id).exists()


def emergency_access_revoke(
    *, actor: User, grant_id: int, now: datetime | None = None
) -> EmergencyAccess:
    now = now or timezone.now()
    with transaction.atomic():
        grant = EmergencyAccess.objects.select_for_update().filter(pk=grant_id).first()
        if grant is None or not _may_revoke(actor, grant):
            raise NotFound("未找到该紧急访问")
        if grant.revoked_at is None and grant.expires_at > now:
            grant.revoked_at = now
            grant.save(update_fields=["revoked_at"])
            audit.record(
                actor=actor, action=AuditEvent.Action.UPDATE, obj=grant, summary="撤销紧急访问"
            )
    return grant
