"""/api/v1/cases: casework (个案) for the case team and the supervisor line.

A case outside the caller's reach answers 404 exactly like a missing one, and the attempt is
written to the case's access log; every read is logged by `shezhi.cases.selectors`. The detail
carries only the parts the caller's team role may see (a counsellor gets the plan and their own
sessions, never the assessment); the client's name is in full only in the detail read by the case
team (a logged read), masked everywhere else.

The request and response schemas are in `cases_schemas`, the dicts the responses are built from
in `cases_render`; the operations stay here (their module names their OpenAPI operation ids).
"""

from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router

from shezhi.api.cases_render import (
    benefit_dict,
    case_dict,
    closure_dict,
    crisis_dict,
    emergency_dict,
    member_dict,
    referral_dict,
    review_dict,
    session_dict,
)
from shezhi.api.cases_schemas import (
    AdvanceIn,
    AssessmentOut,
    CaseAssessmentIn,
    CaseBenefitOut,
    CaseBenefitsIn,
    CaseBenefitStatusIn,
    CaseCloseIn,
    CaseClosureOut,
    CaseConsentIn,
    CaseDetailOut,
    CaseEmergencyIn,
    CaseEmergencyOut,
    CaseOpenIn,
    CaseOut,
    CasePlanIn,
    CasePlanOut,
    CaseReopenIn,
    CaseReportRowOut,
    CaseReviewIn,
    CaseReviewOut,
    CaseSafetyPlanIn,
    CaseSupervisionNoteIn,
    CaseSupervisionNoteOut,
    CaseSupervisionOut,
    CaseTeamAddIn,
    CaseTeamEndIn,
    CrisisOut,
    CrisisStepIn,
    InterventionIn,
    ReferralIn,
    ReferralOut,
    ReferralStatusIn,
    SessionOut,
    TeamMemberOut,
)
from shezhi.api.errors import CHANGE, raises
from shezhi.api.schemas import ERRORS, MAX_ID
from shezhi.cases import selectors, services
from shezhi.cases.models import Case
from shezhi.cases.permissions import CaseDeskAction, case_actions_for, case_desk_actions_for
from shezhi.core.errors import Forbidden, InvalidInput

router = Router(tags=["个案"])


PathId = Annotated[int, Field(ge=1, le=MAX_ID)]


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
            **case_dict(access.case),
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
            session_dict(s) for s in selectors.case_interventions(actor=actor, case_id=pk)
        ]
    if access.can(selectors.TEAM):
        out["team"] = [member_dict(m) for m in selectors.case_team(actor=actor, case_id=pk)]
    if access.can(selectors.CRISIS):
        out["crises"] = [crisis_dict(c) for c in selectors.case_crises(actor=actor, case_id=pk)]
    if access.can(selectors.REFERRALS):
        out["referrals"] = [
            referral_dict(r) for r in selectors.case_referrals(actor=actor, case_id=pk)
        ]
    if access.can(selectors.BENEFITS):
        out["benefits"] = [
            benefit_dict(t) for t in selectors.case_benefit_tasks(actor=actor, case_id=pk)
        ]
    if access.can(selectors.REVIEWS):
        out["reviews"] = [review_dict(r) for r in selectors.case_reviews(actor=actor, case_id=pk)]
    return out


@router.get("", response={200: list[CaseOut], **ERRORS}, summary="我的个案（个案社工或团队成员）")
def case_list(request: HttpRequest):
    return [case_dict(c) for c in selectors.my_cases(actor=request.auth)]


@router.post("", response={201: CaseOut, **ERRORS}, summary="开案（社工或督导）")
@raises(*CHANGE)
def case_open(request: HttpRequest, payload: CaseOpenIn):
    return 201, case_dict(_open(request.auth, payload))


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
        "overdue": [case_dict(c) for c in selectors.overdue_reviews(actor=actor)],
        "high_risk": [case_dict(c) for c in selectors.high_risk_cases(actor=actor)],
    }


@router.get(
    "/emergency",
    response={200: list[CaseEmergencyOut], **ERRORS},
    summary="我的有效紧急访问（管理员）",
)
def emergency_list(request: HttpRequest):
    _require_admin(request.auth)
    return [emergency_dict(g) for g in selectors.emergency_grants_active(actor=request.auth)]


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
    return 201, emergency_dict(grant)


@router.post(
    "/emergency/{grant_id}/revoke",
    response={200: CaseEmergencyOut, **ERRORS},
    summary="结束紧急访问",
)
@raises(*CHANGE)
def emergency_revoke(request: HttpRequest, grant_id: PathId):
    _require_admin(request.auth)
    return emergency_dict(services.emergency_access_revoke(actor=request.auth, grant_id=grant_id))


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
    return 201, session_dict(log)


@router.post("/{case_id}/advance", response={200: CaseOut, **ERRORS}, summary="转入下一阶段")
@raises(*CHANGE)
def case_advance(request: HttpRequest, case_id: PathId, payload: AdvanceIn):
    case = services.case_advance(
        actor=request.auth, case_id=case_id, to_status=payload.to_status, note=payload.note
    )
    return case_dict(case)


@router.get("/{case_id}/referrals", response={200: list[ReferralOut], **ERRORS}, summary="转介列表")
def referral_list(request: HttpRequest, case_id: PathId):
    return [referral_dict(r) for r in selectors.case_referrals(actor=request.auth, case_id=case_id)]


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
    return 201, referral_dict(referral)


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
    return referral_dict(referral)


@router.post(
    "/crises/{crisis_id}/steps",
    response={200: CrisisOut, **ERRORS},
    summary="危机干预：完成一个处置步骤（记录时间）",
)
@raises(*CHANGE)
def crisis_step(request: HttpRequest, crisis_id: PathId, payload: CrisisStepIn):
    crisis = services.crisis_step_done(actor=request.auth, crisis_id=crisis_id, step=payload.step)
    return crisis_dict(crisis)


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
    return 201, [benefit_dict(t) for t in tasks]


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
    return benefit_dict(task)


@router.post(
    "/{case_id}/reviews", response={201: CaseReviewOut, **ERRORS}, summary="个案复核（定风险等级）"
)
@raises(*CHANGE)
def review_create(request: HttpRequest, case_id: PathId, payload: CaseReviewIn):
    review = services.case_review(actor=request.auth, case_id=case_id, **payload.model_dump())
    return 201, review_dict(review)


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
    return 201, closure_dict(closure)


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
    return 201, member_dict(member)


@router.post(
    "/team/{member_id}/end", response={200: TeamMemberOut, **ERRORS}, summary="结束团队成员服务"
)
@raises(*CHANGE)
def team_end(request: HttpRequest, member_id: PathId, payload: CaseTeamEndIn):
    member = services.team_end(actor=request.auth, member_id=member_id, ended_on=payload.ended_on)
    return member_dict(member)


@router.post("/{case_id}/consent", response={200: CaseOut, **ERRORS}, summary="记录知情同意")
@raises(*CHANGE)
def consent_record(request: HttpRequest, case_id: PathId, payload: CaseConsentIn):
    case = services.case_record_consent(actor=request.auth, case_id=case_id, **payload.model_dump())
    return case_dict(case)


@router.post(
    "/{case_id}/reopen", response={200: CaseOut, **ERRORS}, summary="重开个案（原结案记录保留）"
)
@raises(*CHANGE)
def case_reopen(request: HttpRequest, case_id: PathId, payload: CaseReopenIn):
    return case_dict(
        services.case_reopen(actor=request.auth, case_id=case_id, reason=payload.reason)
    )


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
    return 201, crisis_dict(services.crisis_start(actor=request.auth, case_id=case_id))


@router.post(
    "/crises/{crisis_id}/safety-plan", response={200: CrisisOut, **ERRORS}, summary="安全计划"
)
@raises(*CHANGE)
def crisis_safety_plan(request: HttpRequest, crisis_id: PathId, payload: CaseSafetyPlanIn):
    crisis = services.crisis_safety_plan(
        actor=request.auth, crisis_id=crisis_id, text=payload.safety_plan
    )
    return crisis_dict(crisis)


@router.post(
    "/crises/{crisis_id}/end",
    response={200: CrisisOut, **ERRORS},
    summary="结束危机干预（必做步骤须已完成）",
)
@raises(*CHANGE)
def crisis_end(request: HttpRequest, crisis_id: PathId):
    return crisis_dict(services.crisis_end(actor=request.auth, crisis_id=crisis_id))
