"""Benefits applications handled for a client (政策申请任务)."""

from collections.abc import Sequence
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.care.models import Visit
from shezhi.cases.models import BenefitTask
from shezhi.cases.permissions import CaseAction, require_case_role, require_case_state
from shezhi.cases.selectors import case_access
from shezhi.cases.services.common import access_via, checked_choice, lock_case
from shezhi.core import audit
from shezhi.core.errors import Conflict, InvalidInput
from shezhi.core.inputs import clean_text
from shezhi.core.models import AuditEvent


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
        checked_choice(k, BenefitTask.Kind, "请选择有效的救助申请类型", "kinds")
    note = clean_text(note, field="note", max_length=300, required=False)
    visit: Visit | None = None
    if visit_id is not None:
        visit = Visit.objects.filter(pk=visit_id, resident_id=access.case.client_id).first()
        if visit is None:
            raise InvalidInput("未找到此服务对象的这次走访", field="visit")
    with transaction.atomic():
        case = lock_case(access.case)
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
    access = access_via(actor, BenefitTask, task_id, now)
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
