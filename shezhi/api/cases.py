"""/api/v1/cases: casework (个案) for the case team and the supervisor line.

A case outside the caller's reach answers 404 exactly like a missing one, and the attempt is
written to the case's access log; every read is logged by `shezhi.cases.selectors`. The detail
carries only the parts the caller's team role may see (a counsellor gets the plan and their own
sessions, never the assessment); the client's name is in full only in the detail read by the case
team (a logged read), masked everywhere else."""

from datetime import date, datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic import Strict

from shezhi.api.schemas import ERRORS, MAX_ID, Id, In
from shezhi.cases import selectors, services
from shezhi.cases.models import Case, CrisisIntervention, InterventionLog, Referral

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


class CaseDetailOut(Schema):
    case: CaseOut
    relation: str = Field(description="访问身份：worker / supervisor / team:角色 / emergency")
    parts: list[str] = Field(description="调用者可见的部分")
    assessments: list[AssessmentOut] | None = None
    plan: CasePlanOut | None = None
    sessions: list[SessionOut] | None = None
    team: list[TeamMemberOut] | None = None
    crises: list[CrisisOut] | None = None
    referrals: list[ReferralOut] | None = None


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
        out["team"] = [
            {
                "id": m.pk,
                "user": str(m.user),
                "role": m.role,
                "started_on": m.started_on,
                "ended_on": m.ended_on,
            }
            for m in selectors.case_team(actor=actor, case_id=pk)
        ]
    if access.can(selectors.CRISIS):
        out["crises"] = [_crisis(c) for c in selectors.case_crises(actor=actor, case_id=pk)]
    if access.can(selectors.REFERRALS):
        out["referrals"] = [_referral(r) for r in selectors.case_referrals(actor=actor, case_id=pk)]
    return out


# --- operations -------------------------------------------------------------------------------


@router.get("", response={200: list[CaseOut], **ERRORS}, summary="我的个案（个案社工或团队成员）")
def case_list(request: HttpRequest):
    return [_case(c) for c in selectors.my_cases(actor=request.auth)]


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
def crisis_step(request: HttpRequest, crisis_id: PathId, payload: CrisisStepIn):
    crisis = services.crisis_step_done(actor=request.auth, crisis_id=crisis_id, step=payload.step)
    return _crisis(crisis)
