"""Assessment, service plan with goals, and the interventions log of a case."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import models, transaction
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.cases.models import (
    STAGE_ORDER,
    Assessment,
    Goal,
    InterventionLog,
    RiskLevel,
    ServicePlan,
    Stage,
)
from shezhi.cases.permissions import CaseAction, require_case_role, require_case_state
from shezhi.cases.selectors import case_access
from shezhi.cases.services.common import (
    active_members,
    checked_choice,
    lock_case,
    not_before_intake,
    not_future,
    set_risk,
)
from shezhi.core import audit
from shezhi.core.errors import InvalidInput
from shezhi.core.inputs import clean_text
from shezhi.core.models import AuditEvent


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
    checked_choice(risk_level, RiskLevel, "请选择有效的风险等级（紧急、高、中、低）", "risk_level")
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
        case = lock_case(access.case)
        require_case_state(case, CaseAction.ASSESS)
        if case.status == Stage.INTAKE:
            raise InvalidInput("请先将个案转入预估阶段", field="status")
        not_before_intake(assessed_on, case, field="assessed_on", what="预估日期")
        not_future(assessed_on, today, field="assessed_on", what="预估日期")
        assessment = Assessment.objects.create(
            case=case, assessed_on=assessed_on, assessed_by=actor, risk_level=risk_level, **fields
        )
        set_risk(case, risk_level, assessed_on)
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
        case = lock_case(access.case)
        require_case_state(case, CaseAction.PLAN)
        if STAGE_ORDER.index(case.status) < STAGE_ORDER.index(Stage.PLANNING):
            raise InvalidInput("请先完成预估并转入计划阶段", field="status")
        members = set(active_members(case, today).values_list("user_id", flat=True))
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
    checked_choice(form, InterventionLog.Form, "请选择介入形式", "form")
    content = clean_text(content, label="介入内容", field="content", max_length=10000)
    if not isinstance(duration_minutes, int) or not 1 <= duration_minutes <= 24 * 60:
        raise InvalidInput("时长应为1至1440分钟", field="duration_minutes")
    with transaction.atomic():
        case = lock_case(access.case)
        require_case_state(case, CaseAction.LOG_SESSION)
        if case.status != Stage.INTERVENTION:
            raise InvalidInput("个案处于介入阶段时才能登记介入记录", field="status")
        not_before_intake(on, case, field="on", what="介入日期")
        not_future(on, today, field="on", what="介入日期")
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
