"""Care alerts: acknowledging, reporting on and closing them."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.care.models import (
    CareAlert,
)
from shezhi.care.permissions import (
    CareAction,
    alert_role_actions,
    alert_state_actions,
    report_missing,
)
from shezhi.care.selectors import alert_get
from shezhi.core import audit
from shezhi.core.errors import Conflict, ErrorCode, InvalidInput
from shezhi.core.inputs import clean_text
from shezhi.core.models import AuditEvent
from shezhi.core.permissions import require


def alert_for_update(actor: User, alert_id: int) -> CareAlert:
    alert = alert_get(actor=actor, alert_id=alert_id)
    return CareAlert.objects.select_for_update().get(pk=alert.pk)


@transaction.atomic
def alert_acknowledge(*, actor: User, alert_id: int, now: datetime | None = None) -> CareAlert:
    now = now or timezone.now()
    alert = alert_for_update(actor, alert_id)
    action = CareAction.ACKNOWLEDGE
    require(action, alert_role_actions(actor, alert), message="您的角色无权确认预警")
    require(action, alert_state_actions(alert), message="该预警已确认或已关闭", state_refusal=True)
    before = alert.status
    alert.status = CareAlert.Status.ACKNOWLEDGED
    alert.acknowledged_by, alert.acknowledged_at = actor, now
    alert.save(update_fields=["status", "acknowledged_by", "acknowledged_at", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=alert,
        summary="确认预警",
        changes={"status": [before, alert.status]},
    )
    return alert


@transaction.atomic
def alert_record_report(
    *,
    actor: User,
    alert_id: int,
    reported_to: str,
    reported_at: datetime | None = None,
    now: datetime | None = None,
) -> CareAlert:
    """强制报告: record when and to whom a possible harm to a child was reported."""
    now = now or timezone.now()
    alert = alert_for_update(actor, alert_id)
    require(CareAction.REPORT, alert_role_actions(actor, alert), message="您的角色无权维护关爱档案")
    require(
        CareAction.REPORT,
        alert_state_actions(alert),
        message="该预警已登记强制报告或已关闭"
        if alert.mandatory_report
        else "该预警不涉及强制报告",
        state_refusal=True,
    )
    reported_to = clean_text(
        reported_to,
        field="reported_to",
        label="报告对象",
        max_length=100,
        missing="请填写报告对象（公安、民政、教育部门及经办人）",
    )
    reported_at = reported_at or now
    if reported_at > now:
        raise InvalidInput("报告时间不能晚于现在", field="reported_at")
    alert.reported_to, alert.reported_at, alert.reported_by = reported_to[:100], reported_at, actor
    alert.save(update_fields=["reported_to", "reported_at", "reported_by", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=alert,
        summary=f"强制报告：{timezone.localtime(reported_at):%Y-%m-%d %H:%M} 报告{reported_to}"[
            :300
        ],
    )
    return alert


@transaction.atomic
def alert_close(
    *, actor: User, alert_id: int, note: str, confirmed: bool, now: datetime | None = None
) -> CareAlert:
    """Close an alert: a deliberate second step (confirmed) with the reason it may be closed."""
    now = now or timezone.now()
    alert = alert_for_update(actor, alert_id)
    require(CareAction.CLOSE, alert_role_actions(actor, alert), message="您的角色无权维护关爱档案")
    require(
        CareAction.CLOSE, alert_state_actions(alert), message="该预警已关闭", state_refusal=True
    )
    note = clean_text(
        note, field="note", label="处置说明", max_length=500, missing="请填写关闭原因（处置说明）"
    )
    if not confirmed:
        raise InvalidInput("关闭预警须再次确认：请勾选“确认关闭”", field="confirm")
    if report_missing(alert):
        raise Conflict(
            "涉及儿童受害的预警须先登记强制报告的时间和对象",
            field="reported_to",
            code=ErrorCode.ILLEGAL_TRANSITION,
        )
    before = alert.status
    alert.status = CareAlert.Status.CLOSED
    alert.closed_by, alert.closed_at, alert.close_note = actor, now, note[:500]
    alert.save(update_fields=["status", "closed_by", "closed_at", "close_note", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=alert,
        summary=f"关闭预警：{note}"[:300],
        changes={"status": [before, alert.status]},
    )
    return alert
