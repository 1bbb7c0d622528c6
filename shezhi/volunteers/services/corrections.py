"""Corrections of service records: the volunteer files, the recording unit decides."""

from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.core import audit
from shezhi.core.errors import Conflict, InvalidInput, NotFound
from shezhi.core.hours import service_hours
from shezhi.core.inputs import clean_text, save_validated
from shezhi.core.models import AuditEvent
from shezhi.volunteers.models import (
    CorrectionRequest,
    ServiceRecord,
)
from shezhi.volunteers.policy import policy_for
from shezhi.volunteers.scope import may_record_for
from shezhi.volunteers.services.records import (
    check_day_total,
    check_record_fields,
    place_period,
    record_for_update,
    record_new_version,
    record_snapshot,
)

CORRECTABLE = {
    "title": ("活动名称", 100),
    "service_date": ("服务日期", None),
    "started_at": ("开始时间", None),
    "ended_at": ("结束时间", None),
    "place": ("服务地点", 200),
    "content": ("服务内容", 2000),
    "minutes": ("服务时长", None),
    "person_in_charge": ("活动负责人", 30),
    "beneficiary": ("服务对象", 60),
}


def _parse_change(field: str, value: Any) -> Any:
    label, limit = CORRECTABLE[field]
    if field == "minutes":
        try:
            minutes = int(value)
        except (TypeError, ValueError):
            raise InvalidInput("服务时长应为整数分钟", field="minutes") from None
        return minutes
    if field == "service_date":
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise InvalidInput("服务日期格式应为 YYYY-MM-DD", field=field) from None
    if field in ("started_at", "ended_at"):
        if isinstance(value, datetime):
            parsed = value
        else:
            try:
                parsed = datetime.fromisoformat(str(value))
            except ValueError:
                raise InvalidInput(f"{label}格式不正确", field=field) from None
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        return parsed
    return clean_text(
        value, field=field, label=label, max_length=limit or 2000, required=field != "beneficiary"
    )


def _json_changes(changes: dict[str, Any]) -> dict[str, Any]:
    return {k: audit.jsonable(v) for k, v in changes.items()}


@transaction.atomic
def correction_request_file(
    *, actor: User, record_id: int, changes: dict[str, Any], reason: str
) -> CorrectionRequest:
    """The volunteer asks the recording unit to correct one of their records."""
    record = record_for_update(record_id)
    if record.volunteer.user_id != actor.pk:
        raise NotFound("未找到该服务记录")
    if record.status == ServiceRecord.Status.FALSIFIED:
        raise Conflict("该记录已被认定弄虚作假，不能申请更正", field="record")
    reason = clean_text(reason, field="reason", label="申请理由", max_length=500)
    unknown = [f for f in changes or {} if f not in CORRECTABLE]
    if unknown:
        raise InvalidInput(f"不能申请更正的字段：{'、'.join(unknown)}", field="changes")
    parsed = {f: _parse_change(f, v) for f, v in (changes or {}).items() if v not in (None, "")}
    parsed = {f: v for f, v in parsed.items() if getattr(record, f) != v}
    if not parsed:
        raise InvalidInput("请填写需要更正的内容（与原记录不同）", field="changes")
    if CorrectionRequest.objects.filter(
        record=record, status=CorrectionRequest.Status.PENDING
    ).exists():
        raise Conflict("该记录已有待核实的更正申请", field="record")
    request = CorrectionRequest(
        record=record, requested_by=actor, changes=_json_changes(parsed), reason=reason
    )
    try:
        with transaction.atomic():
            save_validated(request)
    except IntegrityError:
        raise Conflict("该记录已有待核实的更正申请", field="record") from None
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=request,
        summary=f"申请更正服务记录 #{record.pk}",
        changes=request.changes,
    )
    return request


def _apply_correction(record: ServiceRecord, changes: dict[str, Any]) -> None:
    """Apply the requested values with the same checks as a new record (dates, durations,
    overlap with the volunteer's other records)."""
    values = {f: _parse_change(f, v) for f, v in changes.items()}
    period_changed = "started_at" in values or "ended_at" in values
    stated = period_changed or not record.period_estimated
    day = values.get("service_date", record.service_date)
    started, ended = (
        values.get("started_at", record.started_at),
        values.get("ended_at", record.ended_at),
    )
    if stated and not period_changed and "service_date" in values and started and ended:
        shift = day - record.service_date
        started, ended = started + shift, ended + shift
    if period_changed and "service_date" not in values and started is not None:
        day = timezone.localdate(started)
    minutes = values.get("minutes", None if period_changed else record.minutes)
    now = timezone.now()
    day, minutes = check_record_fields(
        service_date=day,
        minutes=minutes,
        started_at=started if stated else None,
        ended_at=ended if stated else None,
        now=now,
        quality_rating=record.quality_rating,
    )
    check_day_total(record.volunteer, day, minutes, record.pk)
    start, end, estimated = place_period(
        volunteer=record.volunteer,
        service_date=day,
        minutes=minutes,
        started_at=started if stated else None,
        ended_at=ended if stated else None,
        now=now,
        exclude=record.pk,
    )
    for f in ("title", "place", "content", "person_in_charge", "beneficiary"):
        if f in values:
            setattr(record, f, values[f])
    record.service_date, record.minutes = day, minutes
    record.started_at, record.ended_at, record.period_estimated = start, end, estimated
    record.hours = service_hours(minutes, policy_for(record.organiser_unit).rounding)


@transaction.atomic
def correction_request_decide(
    *, actor: User, request_id: int, approve: bool, reason: str = ""
) -> CorrectionRequest:
    """The recording unit verifies a correction: approve (the record is amended and a new version
    kept) or reject with a reason."""
    request = (
        CorrectionRequest.objects.select_for_update(of=("self",))
        .filter(pk=request_id)
        .select_related("record__organiser_unit")
        .first()
    )
    if request is None or not may_record_for(actor, request.record.organiser_unit):
        raise NotFound("未找到该更正申请")
    if request.status != CorrectionRequest.Status.PENDING:
        raise Conflict("该更正申请已处理", field="status")
    reason = clean_text(
        reason, field="reason", label="不予更正的理由", max_length=300, required=not approve
    )
    record = record_for_update(request.record_id)
    if approve:
        before = record_snapshot(record)
        _apply_correction(record, request.changes)
        record_new_version(
            record, actor=actor, reason=f"更正申请 #{request.pk}：{request.reason}", before=before
        )
        save_validated(record)
        audit.record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=record,
            summary=f"依更正申请 #{request.pk} 修改服务记录",
            changes=audit.diff(before, record_snapshot(record)),
        )
    request.status = (
        CorrectionRequest.Status.APPROVED if approve else CorrectionRequest.Status.REJECTED
    )
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_reason = reason
    request.save(
        update_fields=["status", "decided_by", "decided_at", "decision_reason", "updated_at"]
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=request,
        summary=("同意" if approve else "不予") + f"更正服务记录 #{record.pk}",
        changes={"status": ["pending", request.status], "reason": reason},
    )
    return request
