"""/api/v1/cases: casework (个案) for the case team and the supervisor line.

A case outside the caller's reach answers 404 exactly like a missing one, and the attempt is
written to the case's access log; every read is logged by `shezhi.cases.selectors`. The detail
carries only the parts the caller's team role may see (a counsellor gets the plan and their own
sessions, never the assessment); the client's name is in full only in the detail read by the case
team (a logged read), masked everywhere else."""

from datetime import date, datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from pydantic import Strict

from shezhi.api.errors import CHANGE, raises
from shezhi.api.schemas import ERRORS, MAX_ID, Id, In, StrictBool
from shezhi.cases import selectors, services
from shezhi.cases.models import (
    BenefitTask,
    Case,
    CaseClosure,
    CaseReview,
    CaseTeamMember,
    CrisisIntervention,
    EmergencyAccess,
    InterventionLog,
    Referral,
)
from shezhi.cases.permissions import CaseDeskAction, case_actions_for, case_desk_actions_for
from shezhi.core.errors import Forbidden, InvalidInput

router = Router(tags=["个案"])

PathId = Annotated[int, Field(ge=1, le=MAX_ID)]
Minutes = Annotated[int, Strict(), Field(ge=1, le=24 * 60)]


# --- schemas ----------------------------------------------------------------------------------


class CaseOut(Schema):
    id: int
    client: str = Field(description="服务对象（打码）")
    status: str
    status_label: str
    risk_level: str
    risk_label: str
    problem_type: str
    source: str
    worker: str
    opened_on: date
    next_review_on: date


class AssessmentOut(Schema):
    id: int
    assessed_on: date
    presenting_problem: str
    family_support: str
    health: str
    risks: str
    strengths: str
    narrative: str
    risk_level: str


class GoalOut(Schema):
    id: int
    description: str
    interventions: str
    responsible: str
    due_on: date
    status: str


class CasePlanOut(Schema):
    version: int
    summary: str
    goals: list[GoalOut]


class SessionOut(Schema):
    id: int
    on: date
    form: str
    form_label: str
    content: str
    duration_minutes: int
    by: str
    goal_id: int | None


class TeamMemberOut(Schema):
    id: int
    user: str
    role: str
    started_on: date
    ended_on: date | None


class StepOut(Schema):
    code: str
    label: str
    optional: bool
    done_at: str | None


class CrisisOut(Schema):
    id: int
    started_at: datetime
    ended_at: datetime | None
    supervisor_notified_at: datetime | None
    steps: list[StepOut]
    safety_plan: str


class ReferralOut(Schema):
    id: int
    direction: str
    institution_kind: str
    institution_name: str
    contact: str
    reason: str
    status: str
    status_label: str
    sent_at: datetime
    received_at: datetime | None
    answered_at: datetime | None
    answer: str


class InterventionIn(In):
    on: date = Field(description="介入日期，不早于接案、不晚于今天")
    form: str = Field(max_length=20, description="形式，如 office、phone、counselling")
    content: str = Field(min_length=1, max_length=10000)
    duration_minutes: Minutes
    goal_id: Id | None = None


class AdvanceIn(In):
    to_status: str = Field(max_length=20, description="assessment / planning / intervention …")
    note: str = Field("", max_length=300)


class ReferralIn(In):
    institution_kind: str = Field(
        max_length=20, description="hospital / police / legal_aid / school / civil_affairs / other"
    )
    institution_name: str = Field(max_length=100)
    reason: str = Field(max_length=500)
    contact: str = Field("", max_length=100)
    direction: str = Field("out", max_length=4, description="out 转出 / in 转入")


class ReferralStatusIn(In):
    to_status: str = Field(max_length=20, description="received / answered")
    answer: str = Field("", max_length=500)


class CrisisStepIn(In):
    step: str = Field(max_length=30, description="处置步骤代码，如 safety、risk、guardian")


class CaseOpenIn(In):
    source: str = Field(
        max_length=20,
        description="来源：crisis_alert（关联预警）/ need（关联需求）/ referral_in / …",
    )
    problem_type: str = Field(max_length=20, description="问题类型代码")
    risk_level: str = Field(max_length=10, description="urgent / high / medium / low")
    client_consent: StrictBool = False
    guardian_name: str = Field("", max_length=30)
    guardian_consent: StrictBool = False
    client_id: Id | None = Field(None, description="服务对象（居民）编号；来源为预警或需求时不填")
    alert_id: Id | None = Field(None, description="来源为 crisis_alert 时必填：关爱预警编号")
    need_id: Id | None = Field(None, description="来源为 need 时必填：需求编号")
    opened_on: date | None = Field(None, description="接案日期，默认今天")
    institution_kind: str = Field("", max_length=20, description="外部转介：转介机构类型")
    institution_name: str = Field("", max_length=100, description="外部转介：机构名称")
    referral_reason: str = Field("", max_length=500, description="外部转介：转介原因")
    contact: str = Field("", max_length=100, description="外部转介：联系人")


class CaseAssessmentIn(In):
    presenting_problem: str = Field(max_length=2000)
    risk_level: str = Field(max_length=10, description="urgent / high / medium / low")
    family_support: str = Field("", max_length=2000)
    health: str = Field("", max_length=2000)
    risks: str = Field("", max_length=5000)
    strengths: str = Field("", max_length=2000)
    narrative: str = Field("", max_length=10000)
    assessed_on: date | None = None


class CaseGoalIn(In):
    description: str = Field(max_length=300)
    interventions: str = Field(max_length=2000)
    responsible_id: Id = Field(description="负责人（本个案团队成员的用户编号）")
    due_on: date


class CasePlanIn(In):
    summary: str = Field("", max_length=500)
    goals: list[CaseGoalIn] = Field(max_length=50)


class CaseBenefitsIn(In):
    kinds: list[Annotated[str, Field(max_length=20)]] = Field(
        max_length=10, description="dibao / disability_card / tekun / temporary_relief / …"
    )
    visit_id: Id | None = None
    note: str = Field("", max_length=300)


class CaseBenefitStatusIn(In):
    status: str = Field(max_length=10, description="submitted / approved / rejected")
    note: str = Field("", max_length=300)


class CaseBenefitOut(Schema):
    id: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    note: str
    visit_id: int | None


class CaseReviewIn(In):
    risk_level: str = Field(max_length=10, description="urgent / high / medium / low")
    note: str = Field("", max_length=500)
    reviewed_on: date | None = None


class CaseReviewOut(Schema):
    id: int
    reviewed_on: date
    by: str
    risk_level: str
    note: str


class CaseGoalStatusIn(In):
    goal_id: Id
    status: str = Field(max_length=20)


class CaseCloseIn(In):
    reason: str = Field(max_length=20, description="goals_met / client_withdrew / referred / …")
    outcome: str = Field(max_length=20, description="achieved / partly / not_achieved")
    outcome_note: str = Field("", max_length=500)
    closed_on: date | None = None
    follow_up_on: date | None = None
    goal_statuses: list[CaseGoalStatusIn] = Field([], max_length=50)


class CaseClosureOut(Schema):
    id: int
    case_id: int
    closed_on: date
    reason: str
    outcome: str
    outcome_note: str
    follow_up_on: date | None


class CaseTeamAddIn(In):
    user_id: Id = Field(description="被邀请用户的编号")
    role: str = Field(max_length=20, description="colleague / counsellor / …（个案社工只有一位）")
    ended_on: date | None = None


class CaseTeamEndIn(In):
    ended_on: date | None = None


class CaseDetailOut(Schema):
    case: CaseOut
    relation: str = Field(description="访问身份：worker / supervisor / team:角色 / emergency")
    parts: list[str] = Field(description="调用者可见的部分")
    allowed_actions: list[str] = Field(
        description="调用者此刻可对本个案进行的操作（与页面按钮、服务校验同一规则）"
    )
    assessments: list[AssessmentOut] | None = None
    plan: CasePlanOut | None = None
    sessions: list[SessionOut] | None = None
    team: list[TeamMemberOut] | None = None
    crises: list[CrisisOut] | None = None
    referrals: list[ReferralOut] | None = None
    benefits: list[CaseBenefitOut] | None = None
    reviews: list[CaseReviewOut] | None = None


class CaseConsentIn(In):
    client_consent: StrictBool
    guardian_name: str = Field("", max_length=30)
    guardian_consent: StrictBool = False


class CaseReopenIn(In):
    reason: str = Field(max_length=300)


class CaseSupervisionNoteIn(In):
    text: str = Field(max_length=5000)


class CaseSupervisionNoteOut(Schema):
    id: int
    created_at: datetime


class CaseSafetyPlanIn(In):
    safety_plan: str = Field(max_length=5000)


class CaseEmergencyIn(In):
    case_id: Id = Field(description="个案编号")
    reason: str = Field(max_length=300)
    hours: Annotated[int, Strict(), Field(ge=1, le=24 * 7)] = 4


class CaseEmergencyOut(Schema):
    id: int
    case_id: int
    reason: str
    granted_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


class CaseloadOut(Schema):
    worker_id: int
    worker_name: str
    open_cases: int
    high_risk: int
    overdue_reviews: int


class CaseSupervisionOut(Schema):
    caseloads: list[CaseloadOut]
    overdue: list[CaseOut] = Field(description="复核逾期的个案")
    high_risk: list[CaseOut] = Field(description="紧急、高风险个案")


class CaseReportRowOut(Schema):
    key: str
    label: str
    total: int
    open: int
    closed: int


# --- rendering ----------------------------------------------------------------------------------


def _case(c: Case) -> dict[str, Any]:
    return {
        "id": c.pk,
        "client": c.client.masked_name,
        "status": c.status,
        "status_label": c.get_status_display(),
        "risk_level": c.risk_level,
        "risk_label": c.get_risk_level_display(),
        "problem_type": c.problem_type,
        "source": c.source,
        "worker": str(c.worker),
        "opened_on": c.opened_on,
        "next_review_on": c.next_review_on,
    }


def _session(s: InterventionLog) -> dict[str, Any]:
    return {
        "id": s.pk,
        "on": s.on,
        "form": s.form,
        "form_label": s.get_form_display(),
        "content": s.content,
        "duration_minutes": s.duration_minutes,
        "by": str(s.by),
        "goal_id": s.goal_id,
    }


def _crisis(c: CrisisIntervention) -> dict[str, Any]:
    return {
        "id": c.pk,
        "started_at": c.started_at,
        "ended_at": c.ended_at,
        "supervisor_notified_at": c.supervisor_notified_at,
        "steps": [
            {
                "code": s["code"],
                "label": s["label"],
                "optional": bool(s.get("optional")),
                "done_at": s.get("done_at"),
            }
            for s in c.steps
        ],
        "safety_plan": c.safety_plan,
    }


def _referral(r: Referral) -> dict[str, Any]:
    return {
        "id": r.pk,
        "direction": r.direction,
        "institution_kind": r.institution_kind,
        "institution_name": r.institution_name,
        "contact": r.contact,
        "reason": r.reason,
        "status": r.status,
        "status_label": r.get_status_display(),
        "sent_at": r.sent_at,
        "received_at": r.received_at,
        "answered_at": r.answered_at,
        "answer": r.answer,
    }


def _benefit(t: BenefitTask) -> dict[str, Any]:
    return {
        "id": t.pk,
        "kind": t.kind,
        "kind_label": t.get_kind_display(),
        "status": t.status,
        "status_label": t.get_status_display(),
        "note": t.note,
        "visit_id": t.visit_id,
    }


def _review(r: CaseReview) -> dict[str, Any]:
    return {
        "id": r.pk,
        "reviewed_on": r.reviewed_on,
        "by": str(r.by),
        "risk_level": r.risk_level,
        "note": r.note,
    }


def _member(m: CaseTeamMember) -> dict[str, Any]:
    return {
        "id": m.pk,
        "user": str(m.user),
        "role": m.role,
        "started_on": m.started_on,
        "ended_on": m.ended_on,
    }


def _closure(c: CaseClosure) -> dict[str, Any]:
    return {
        "id": c.pk,
        "case_id": c.case_id,
        "closed_on": c.closed_on,
        "reason": c.reason,
        "outcome": c.outcome,
        "outcome_note": c.outcome_note,
        "follow_up_on": c.follow_up_on,
    }


def _emergency(g: EmergencyAccess) -> dict[str, Any]:
    return {
        "id": g.pk,
        "case_id": g.case_id,
        "reason": g.reason,
        "granted_at": g.granted_at,
        "expires_at": g.expires_at,
        "revoked_at": g.revoked_at,
    }


def _require_admin(actor: Any) -> None:
    """The emergency-access page's role gate."""
    if CaseDeskAction.EMERGENCY_ACCESS not in case_desk_actions_for(actor):
        raise Forbidden(_("只有管理员可以申请紧急访问"))


def _open(actor: Any, p: CaseOpenIn) -> Case:
    """The same three ways in as the desk's intake form (a care alert, a need, or a resident)."""
    consent = {
        "client_consent": p.client_consent,
        "guardian_name": p.guardian_name,
        "guardian_consent": p.guardian_consent,
    }
    common = {"actor": actor, "problem_type": p.problem_type, "risk_level": p.risk_level}
    if p.source == Case.Source.CRISIS_ALERT:
        if p.alert_id is None:
            raise InvalidInput(_("请关联来源需求或预警"), field="alert_id")
        return services.case_open_from_alert(alert_id=p.alert_id, **common, **consent)
    if p.source == Case.Source.NEED:
        if p.need_id is None:
            raise InvalidInput(_("请关联来源需求或预警"), field="need_id")
        return services.case_open_from_need(need_id=p.need_id, **common, **consent)
    if p.client_id is None:
        raise InvalidInput(_("请选择服务对象"), field="client_id")
    referral = None
    if p.source == Case.Source.REFERRAL_IN:
        referral = services.ReferralIn(
            institution_kind=p.institution_kind,
            institution_name=p.institution_name,
            reason=p.referral_reason,
            contact=p.contact,
        )
    return services.case_open(
        client_id=p.client_id,
        source=p.source,
        opened_on=p.opened_on,
        referral_in=referral,
        **common,
        **consent,
    )


def _detail(actor: Any, case_id: int) -> dict[str, Any]:
    access = selectors.case_get(actor=actor, case_id=case_id)
    pk = access.case.pk
    out: dict[str, Any] = {
        "case": {
            **_case(access.case),
            "client": selectors.case_client_name(actor=actor, access=access),
        },
        "relation": access.relation,
        "parts": sorted(access.parts),
        "allowed_actions": sorted(case_actions_for(access)),
    }
    # Each part is read (and logged) only when the caller's role may see it.
    if access.can(selectors.ASSESSMENT):
        out["assessments"] = [
            {
                "id": a.pk,
                "assessed_on": a.assessed_on,
                "presenting_problem": a.presenting_problem,
                "family_support": a.family_support,
                "health": a.health,
                "risks": a.risks,
                "strengths": a.strengths,
                "narrative": a.narrative,
                "risk_level": a.risk_level,
            }
            for a in selectors.case_assessments(actor=actor, case_id=pk)
        ]
    if access.can(selectors.PLAN):
        plan = selectors.case_plan(actor=actor, case_id=pk)
        if plan is not None:
            out["plan"] = {
                "version": plan.version,
                "summary": plan.summary,
                "goals": [
                    {
                        "id": g.pk,
                        "description": g.description,
                        "interventions": g.interventions,
                        "responsible": str(g.responsible),
                        "due_on": g.due_on,
                        "status": g.status,
                    }
                    for g in plan.goals.all()
                ],
            }
    if access.can(selectors.SESSIONS):
        out["sessions"] = [
            _session(s) for s in selectors.case_interventions(actor=actor, case_id=pk)
        ]
    if access.can(selectors.TEAM):
        out["team"] = [_member(m) for m in selectors.case_team(actor=actor, case_id=pk)]
    if access.can(selectors.CRISIS):
        out["crises"] = [_crisis(c) for c in selectors.case_crises(actor=actor, case_id=pk)]
    if access.can(selectors.REFERRALS):
        out["referrals"] = [_referral(r) for r in selectors.case_referrals(actor=actor, case_id=pk)]
    if access.can(selectors.BENEFITS):
        out["benefits"] = [
            _benefit(t) for t in selectors.case_benefit_tasks(actor=actor, case_id=pk)
        ]
    if access.can(selectors.REVIEWS):
        out["reviews"] = [_review(r) for r in selectors.case_reviews(actor=actor, case_id=pk)]
    return out


# --- operations -------------------------------------------------------------------------------


@router.get("", response={200: list[CaseOut], **ERRORS}, summary="我的个案（个案社工或团队成员）")
def case_list(request: HttpRequest):
    return [_case(c) for c in selectors.my_cases(actor=request.auth)]


@router.post("", response={201: CaseOut, **ERRORS}, summary="开案（社工或督导）")
@raises(*CHANGE)
def case_open(request: HttpRequest, payload: CaseOpenIn):
    return 201, _case(_open(request.auth, payload))


@router.get(
    "/report",
    response={200: list[CaseReportRowOut], **ERRORS},
    summary="个案统计（按社工、社区、问题类型或结案成效；只有数字）",
)
def case_report(request: HttpRequest, by: str = "worker"):
    return selectors.case_report(actor=request.auth, by=by)


@router.get(
    "/supervision",
    response={200: CaseSupervisionOut, **ERRORS},
    summary="督导：所督导社工的个案量、复核逾期和高风险个案（查看均记录）",
)
def supervision(request: HttpRequest):
    actor = request.auth
    return {
        "caseloads": selectors.supervised_caseloads(actor=actor),
        "overdue": [_case(c) for c in selectors.overdue_reviews(actor=actor)],
        "high_risk": [_case(c) for c in selectors.high_risk_cases(actor=actor)],
    }


@router.get(
    "/emergency",
    response={200: list[CaseEmergencyOut], **ERRORS},
    summary="我的有效紧急访问（管理员）",
)
def emergency_list(request: HttpRequest):
    _require_admin(request.auth)
    return [_emergency(g) for g in selectors.emergency_grants_active(actor=request.auth)]


@router.post(
    "/emergency",
    response={201: CaseEmergencyOut, **ERRORS},
    summary="管理员紧急访问：按个案编号、写明理由、限时（督导和个案社工收到通知）",
)
@raises(*CHANGE)
def emergency_grant(request: HttpRequest, payload: CaseEmergencyIn):
    _require_admin(request.auth)
    grant = services.emergency_access_grant(
        actor=request.auth, case_id=payload.case_id, reason=payload.reason, hours=payload.hours
    )
    return 201, _emergency(grant)


@router.post(
    "/emergency/{grant_id}/revoke",
    response={200: CaseEmergencyOut, **ERRORS},
    summary="结束紧急访问",
)
@raises(*CHANGE)
def emergency_revoke(request: HttpRequest, grant_id: PathId):
    _require_admin(request.auth)
    return _emergency(services.emergency_access_revoke(actor=request.auth, grant_id=grant_id))


@router.get(
    "/{case_id}",
    response={200: CaseDetailOut, **ERRORS},
    summary="个案详情（只含调用者角色可见的部分；每次查看均记录）",
)
def case_detail(request: HttpRequest, case_id: PathId):
    return _detail(request.auth, case_id)


@router.post(
    "/{case_id}/interventions", response={201: SessionOut, **ERRORS}, summary="登记介入记录"
)
@raises(*CHANGE)
def intervention_create(request: HttpRequest, case_id: PathId, payload: InterventionIn):
    log = services.intervention_log(
        actor=request.auth,
        case_id=case_id,
        on=payload.on,
        form=payload.form,
        content=payload.content,
        duration_minutes=payload.duration_minutes,
        goal_id=payload.goal_id,
    )
    return 201, _session(log)


@router.post("/{case_id}/advance", response={200: CaseOut, **ERRORS}, summary="转入下一阶段")
@raises(*CHANGE)
def case_advance(request: HttpRequest, case_id: PathId, payload: AdvanceIn):
    case = services.case_advance(
        actor=request.auth, case_id=case_id, to_status=payload.to_status, note=payload.note
    )
    return _case(case)


@router.get("/{case_id}/referrals", response={200: list[ReferralOut], **ERRORS}, summary="转介列表")
def referral_list(request: HttpRequest, case_id: PathId):
    return [_referral(r) for r in selectors.case_referrals(actor=request.auth, case_id=case_id)]


@router.post(
    "/{case_id}/referrals", response={201: ReferralOut, **ERRORS}, summary="转介（转出或转入）"
)
@raises(*CHANGE)
def referral_create(request: HttpRequest, case_id: PathId, payload: ReferralIn):
    referral = services.referral_create(
        actor=request.auth,
        case_id=case_id,
        institution_kind=payload.institution_kind,
        institution_name=payload.institution_name,
        reason=payload.reason,
        contact=payload.contact,
        direction=payload.direction,
    )
    return 201, _referral(referral)


@router.post(
    "/referrals/{referral_id}/status",
    response={200: ReferralOut, **ERRORS},
    summary="转介进展：已发出 → 已接收 → 已回复",
)
@raises(*CHANGE)
def referral_status(request: HttpRequest, referral_id: PathId, payload: ReferralStatusIn):
    referral = services.referral_advance(
        actor=request.auth,
        referral_id=referral_id,
        to_status=payload.to_status,
        answer=payload.answer,
    )
    return _referral(referral)


@router.post(
    "/crises/{crisis_id}/steps",
    response={200: CrisisOut, **ERRORS},
    summary="危机干预：完成一个处置步骤（记录时间）",
)
@raises(*CHANGE)
def crisis_step(request: HttpRequest, crisis_id: PathId, payload: CrisisStepIn):
    crisis = services.crisis_step_done(actor=request.auth, crisis_id=crisis_id, step=payload.step)
    return _crisis(crisis)


@router.post("/{case_id}/assessments", response={201: AssessmentOut, **ERRORS}, summary="记录预估")
@raises(*CHANGE)
def assessment_create(request: HttpRequest, case_id: PathId, payload: CaseAssessmentIn):
    a = services.assessment_record(actor=request.auth, case_id=case_id, **payload.model_dump())
    return 201, {
        "id": a.pk,
        "assessed_on": a.assessed_on,
        "presenting_problem": a.presenting_problem,
        "family_support": a.family_support,
        "health": a.health,
        "risks": a.risks,
        "strengths": a.strengths,
        "narrative": a.narrative,
        "risk_level": a.risk_level,
    }


@router.post(
    "/{case_id}/plans",
    response={201: CasePlanOut, **ERRORS},
    summary="服务计划（新版本；至少一个目标，负责人须是团队成员）",
)
@raises(*CHANGE)
def plan_create(request: HttpRequest, case_id: PathId, payload: CasePlanIn):
    plan = services.plan_create(
        actor=request.auth,
        case_id=case_id,
        summary=payload.summary,
        goals=[services.GoalInput(**g.model_dump()) for g in payload.goals],
    )
    return 201, {
        "version": plan.version,
        "summary": plan.summary,
        "goals": [
            {
                "id": g.pk,
                "description": g.description,
                "interventions": g.interventions,
                "responsible": str(g.responsible),
                "due_on": g.due_on,
                "status": g.status,
            }
            for g in plan.goals.select_related("responsible")
        ],
    }


@router.post(
    "/{case_id}/benefits",
    response={201: list[CaseBenefitOut], **ERRORS},
    summary="登记救助申请事项（可一次多项）",
)
@raises(*CHANGE)
def benefits_create(request: HttpRequest, case_id: PathId, payload: CaseBenefitsIn):
    tasks = services.benefit_tasks_start(
        actor=request.auth,
        case_id=case_id,
        kinds=payload.kinds,
        visit_id=payload.visit_id,
        note=payload.note,
    )
    return 201, [_benefit(t) for t in tasks]


@router.post(
    "/benefits/{task_id}/status",
    response={200: CaseBenefitOut, **ERRORS},
    summary="救助申请进展：待办 → 已提交 → 已批准 / 未获批",
)
@raises(*CHANGE)
def benefit_status(request: HttpRequest, task_id: PathId, payload: CaseBenefitStatusIn):
    task = services.benefit_task_set_status(
        actor=request.auth, task_id=task_id, status=payload.status, note=payload.note
    )
    return _benefit(task)


@router.post(
    "/{case_id}/reviews", response={201: CaseReviewOut, **ERRORS}, summary="个案复核（定风险等级）"
)
@raises(*CHANGE)
def review_create(request: HttpRequest, case_id: PathId, payload: CaseReviewIn):
    review = services.case_review(actor=request.auth, case_id=case_id, **payload.model_dump())
    return 201, _review(review)


@router.post("/{case_id}/close", response={201: CaseClosureOut, **ERRORS}, summary="结案")
@raises(*CHANGE)
def case_close(request: HttpRequest, case_id: PathId, payload: CaseCloseIn):
    closure = services.case_close(
        actor=request.auth,
        case_id=case_id,
        reason=payload.reason,
        outcome=payload.outcome,
        outcome_note=payload.outcome_note,
        closed_on=payload.closed_on,
        follow_up_on=payload.follow_up_on,
        goal_statuses={g.goal_id: g.status for g in payload.goal_statuses},
    )
    return 201, _closure(closure)


@router.post(
    "/{case_id}/team", response={201: TeamMemberOut, **ERRORS}, summary="邀请团队成员（个案社工）"
)
@raises(*CHANGE)
def team_add(request: HttpRequest, case_id: PathId, payload: CaseTeamAddIn):
    member = services.team_add(
        actor=request.auth,
        case_id=case_id,
        user_id=payload.user_id,
        role=payload.role,
        ended_on=payload.ended_on,
    )
    return 201, _member(member)


@router.post(
    "/team/{member_id}/end", response={200: TeamMemberOut, **ERRORS}, summary="结束团队成员服务"
)
@raises(*CHANGE)
def team_end(request: HttpRequest, member_id: PathId, payload: CaseTeamEndIn):
    member = services.team_end(actor=request.auth, member_id=member_id, ended_on=payload.ended_on)
    return _member(member)


@router.post("/{case_id}/consent", response={200: CaseOut, **ERRORS}, summary="记录知情同意")
@raises(*CHANGE)
def consent_record(request: HttpRequest, case_id: PathId, payload: CaseConsentIn):
    case = services.case_record_consent(actor=request.auth, case_id=case_id, **payload.model_dump())
    return _case(case)


@router.post(
    "/{case_id}/reopen", response={200: CaseOut, **ERRORS}, summary="重开个案（原结案记录保留）"
)
@raises(*CHANGE)
def case_reopen(request: HttpRequest, case_id: PathId, payload: CaseReopenIn):
    return _case(services.case_reopen(actor=request.auth, case_id=case_id, reason=payload.reason))


@router.post(
    "/{case_id}/supervision-notes",
    response={201: CaseSupervisionNoteOut, **ERRORS},
    summary="督导记录（督导）",
)
@raises(*CHANGE)
def supervision_note_create(request: HttpRequest, case_id: PathId, payload: CaseSupervisionNoteIn):
    note = services.supervision_note_add(actor=request.auth, case_id=case_id, text=payload.text)
    return 201, {"id": note.pk, "created_at": note.created_at}


@router.post(
    "/{case_id}/crises",
    response={201: CrisisOut, **ERRORS},
    summary="启动危机干预（立即通知督导）",
)
@raises(*CHANGE)
def crisis_start(request: HttpRequest, case_id: PathId):
    return 201, _crisis(services.crisis_start(actor=request.auth, case_id=case_id))


@router.post(
    "/crises/{crisis_id}/safety-plan", response={200: CrisisOut, **ERRORS}, summary="安全计划"
)
@raises(*CHANGE)
def crisis_safety_plan(request: HttpRequest, crisis_id: PathId, payload: CaseSafetyPlanIn):
    crisis = services.crisis_safety_plan(
        actor=request.auth, crisis_id=crisis_id, text=payload.safety_plan
    )
    return _crisis(crisis)


@router.post(
    "/crises/{crisis_id}/end",
    response={200: CrisisOut, **ERRORS},
    summary="结束危机干预（必做步骤须已完成）",
)
@raises(*CHANGE)
def crisis_end(request: HttpRequest, crisis_id: PathId):
    return _crisis(services.crisis_end(actor=request.auth, crisis_id=crisis_id))
