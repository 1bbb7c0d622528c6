"""Crisis intervention (危机干预): the protocol's steps, safety plan, end."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.cases.models import CrisisIntervention, RiskLevel
from shezhi.cases.permissions import CaseAction, require_case_role, require_case_state
from shezhi.cases.selectors import case_access, supervisors_of
from shezhi.cases.services.common import access_via, lock_case, notice_text, notify_case, set_risk
from shezhi.core import audit
from shezhi.core.errors import Conflict, InvalidInput
from shezhi.core.inputs import clean_text
from shezhi.core.models import AuditEvent
from shezhi.notifications.models import Notification

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


def crisis_start(*, actor: User, case_id: int, now: datetime | None = None) -> CrisisIntervention:
    """Start the crisis protocol: the case becomes 紧急 and the supervisor line is told at
    once (the "通知督导" step is ticked when someone was told)."""
    now = now or timezone.now()
    access = case_access(actor=actor, case_id=case_id, now=now)
    require_case_role(access, CaseAction.START_CRISIS)
    with transaction.atomic():
        case = lock_case(access.case)
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
        notify_case(
            case,
            sups,
            kind=Notification.Kind.CASE_CRISIS,
            **notice_text("case_crisis", number=case.pk),
            key=f"case-crisis:{crisis.pk}",  # a retried request does not page twice
        )
        set_risk(case, RiskLevel.URGENT, timezone.localdate(now))
        audit.record(
            actor=actor, action=AuditEvent.Action.CREATE, obj=crisis, summary="启动危机干预"
        )
    return crisis


def _crisis_access(actor: User, crisis_id: int, now: datetime) -> None:
    # Outside the transaction, so that the log of a refused attempt survives the refusal.
    require_case_role(access_via(actor, CrisisIntervention, crisis_id, now), CaseAction.WORK_CRISIS)


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
