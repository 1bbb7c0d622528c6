"""Moving a case through its stages: advance, close, reopen, periodic review."""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.cases.models import STAGE_ORDER, Case, CaseClosure, CaseReview, Goal, RiskLevel, Stage
from shezhi.cases.permissions import CaseAction, require_case_role, require_case_state
from shezhi.cases.selectors import case_access
from shezhi.cases.services.common import (
    checked_choice,
    is_minor,
    lock_case,
    next_review,
    not_before_intake,
    not_future,
    record_transition,
    set_risk,
    stage_label,
)
from shezhi.core import audit
from shezhi.core.errors import InvalidInput
from shezhi.core.inputs import clean_text
from shezhi.core.models import AuditEvent
from shezhi.core.rollups import rollups_touch_rows

# The stage a case may move to by `case_advance`; closing and reopening have their own services.
NEXT_STAGES = {
    Stage.INTAKE: {Stage.ASSESSMENT},
    Stage.ASSESSMENT: {Stage.PLANNING},
    Stage.PLANNING: {Stage.INTERVENTION},
    Stage.INTERVENTION: {Stage.EVALUATION},
    Stage.EVALUATION: {Stage.INTERVENTION},  # the evaluation finds more work to do
    Stage.CLOSED: set(),
}


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
        case = lock_case(access.case)
        require_case_state(case, CaseAction.ADVANCE)
        before = case.status
        if to_status == Stage.CLOSED:
            raise InvalidInput("结案请使用结案操作并填写结案原因与成效", field="to_status")
        if to_status not in STAGE_ORDER:
            raise InvalidInput("请选择有效的个案阶段", field="to_status")
        if to_status not in NEXT_STAGES[Stage(before)]:
            raise InvalidInput(
                f"个案当前处于「{stage_label(before)}」阶段，不能转到「{stage_label(to_status)}」阶段",
                field="to_status",
            )
        _check_stage_work(case, to_status)
        case.status = to_status
        case.save(update_fields=["status", "updated_at"])
        record_transition(case, to=to_status, before=before, actor=actor, now=now, note=note)
    return case


def _check_stage_work(case: Case, to_status: str) -> None:
    if to_status == Stage.ASSESSMENT:
        if case.client_consent_at is None:
            raise InvalidInput("进入预估前须取得服务对象本人同意", field="client_consent")
        if is_minor(case.client, case.opened_on) and case.guardian_consent_at is None:
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
    checked_choice(reason, CaseClosure.Reason, "请选择结案原因", "reason")
    checked_choice(outcome, CaseClosure.Outcome, "请选择结案成效", "outcome")
    outcome_note = clean_text(outcome_note, field="outcome_note", max_length=500, required=False)
    closed_on = closed_on or today
    with transaction.atomic():
        case = lock_case(access.case)
        require_case_state(case, CaseAction.CLOSE)
        not_before_intake(closed_on, case, field="closed_on", what="结案日期")
        not_future(closed_on, today, field="closed_on", what="结案日期")
        if follow_up_on is not None and follow_up_on < closed_on:
            raise InvalidInput("跟进回访日期不能早于结案日期", field="follow_up_on")
        if reason == CaseClosure.Reason.GOALS_MET and case.status != Stage.EVALUATION:
            raise InvalidInput("以「目标达成」结案须先完成评估阶段", field="reason")
        for goal_id, status in (goal_statuses or {}).items():
            checked_choice(status, Goal.Status, "请选择有效的目标达成情况", "goal_statuses")
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
        record_transition(
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
        case = lock_case(access.case)
        require_case_state(case, CaseAction.REOPEN)
        closures = case.closures.filter(reopened_at__isnull=True)
        rollups_touch_rows("cases.CaseClosure", closures.values_list("pk", flat=True))
        closures.update(reopened_at=now, reopened_by=actor, reopen_reason=reason)
        case.status = Stage.ASSESSMENT
        case.next_review_on = next_review(case.risk_level, timezone.localdate(now))
        case.save(update_fields=["status", "next_review_on", "updated_at"])
        record_transition(
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
    checked_choice(risk_level, RiskLevel, "请选择有效的风险等级（紧急、高、中、低）", "risk_level")
    note = clean_text(note, field="note", max_length=500, required=False)
    reviewed_on = reviewed_on or today
    with transaction.atomic():
        case = lock_case(access.case)
        require_case_state(case, CaseAction.REVIEW)
        not_before_intake(reviewed_on, case, field="reviewed_on", what="复核日期")
        not_future(reviewed_on, today, field="reviewed_on", what="复核日期")
        review = CaseReview.objects.create(
            case=case, reviewed_on=reviewed_on, by=actor, risk_level=risk_level, note=note
        )
        set_risk(case, risk_level, reviewed_on)
        audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=case, summary="个案复核")
    return review
