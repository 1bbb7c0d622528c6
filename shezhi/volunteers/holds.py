"""Records held for a social worker's confirmation (待社工确认): confirm (possibly with adjusted
minutes), reject, and the resident's rating that clears the "unconfirmed" reason.

Why records are held and the rule for ratings are in `trust.py`. A held record counts for nothing
(hours, stars, proofs, the time bank all take COUNTED records only) until it is confirmed. Two
workers deciding one record at once: the record row is locked and its status re-read under the
lock, so exactly one decision wins; the other gets a Conflict.
"""

from django.db import transaction
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.core import audit
from shezhi.core.errors import Conflict, ErrorCode, InvalidInput, NotFound
from shezhi.core.hours import service_hours
from shezhi.core.inputs import clean_text
from shezhi.core.models import AuditEvent
from shezhi.notifications.models import Notification
from shezhi.notifications.services import notify
from shezhi.volunteers.models import ServiceRecord, Volunteer
from shezhi.volunteers.policy import policy_for
from shezhi.volunteers.services import (
    MAX_MINUTES,
    may_record_for,
    record_for_update,
    record_new_version,
    record_snapshot,
)
from shezhi.volunteers.stars import stars_recompute
from shezhi.volunteers.trust import HoldCode, hold, holds_after_rating

HELD = ServiceRecord.Status.HELD


def hold_codes(record: ServiceRecord) -> list[str]:
    return [r.get("code", "") for r in record.hold_reasons or []]


def _held_for_decision(actor: User, record_id: int) -> ServiceRecord:
    record = record_for_update(record_id)
    if not may_record_for(actor, record.organiser_unit):
        raise NotFound("未找到该服务记录")
    if record.status != HELD:
        raise Conflict(
            f"该记录当前为“{record.get_status_display()}”，不是待确认的记录（可能已被他人处理）",
            field="status",
            code=ErrorCode.STALE,
        )
    return record


def _tell_volunteer(record: ServiceRecord, title: str, body: str) -> None:
    notify(
        recipient=record.volunteer.user,
        kind=Notification.Kind.GENERAL,
        title=title,
        body=body[:500],
        link="/m/me/",
        dedupe_key=f"record-decided:{record.pk}:{record.version}",
    )


def _recount(volunteer: Volunteer) -> None:
    stars_recompute(volunteers=Volunteer.objects.filter(pk=volunteer.pk))


@transaction.atomic
def service_record_confirm(
    *, actor: User, record_id: int, minutes: int | None = None, note: str = ""
) -> ServiceRecord:
    """A social worker of the organising unit confirms a held record; it counts from now on.
    `minutes` adjusts the time credited (the claim stays in the record's versions); a reason is
    required when the minutes change."""
    record = _held_for_decision(actor, record_id)
    adjusted = minutes is not None and minutes != record.minutes
    if minutes is not None and (
        not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= MAX_MINUTES
    ):
        raise InvalidInput(f"确认的服务时长应为1到{MAX_MINUTES}之间的整数分钟", field="minutes")
    note = clean_text(note, field="note", label="确认意见", max_length=300, required=adjusted)
    before = record_snapshot(record)
    if minutes is not None and adjusted:
        record.minutes = minutes
        record.hours = service_hours(minutes, policy_for(record.organiser_unit).rounding)
    record.status = ServiceRecord.Status.COUNTED
    record.approved_by = actor
    record.approved_at = timezone.now()
    record.decision_note = note
    record_new_version(
        record, actor=actor, reason="社工确认" + (f"：{note}" if note else ""), before=before
    )
    record.save(
        update_fields=[
            "status",
            "minutes",
            "hours",
            "approved_by",
            "approved_at",
            "decision_note",
            "version",
            "updated_at",
        ]
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=record,
        summary=f"确认待确认服务记录 {record.hours} 小时"[:300],
        changes={
            "status": [HELD.value, record.status],
            "minutes": [before["minutes"], record.minutes],
            "holds": hold_codes(record),
            "note": note,
        },
    )
    _recount(record.volunteer)
    _tell_volunteer(
        record,
        "您的服务时长已确认",
        f"“{record.title[:30]}”（{record.service_date:%m月%d日}）已确认，计入{record.hours}小时。"
        + (f"社工说明：{note}" if note else ""),
    )
    return record


@transaction.atomic
def service_record_reject(*, actor: User, record_id: int, reason: str) -> ServiceRecord:
    """A social worker refuses a held record (with a reason); it is kept and never counts."""
    record = _held_for_decision(actor, record_id)
    reason = clean_text(reason, field="reason", label="不予确认的理由", max_length=300)
    before = record_snapshot(record)
    record.status = ServiceRecord.Status.REJECTED
    record.approved_by = actor
    record.approved_at = timezone.now()
    record.decision_note = reason
    record_new_version(record, actor=actor, reason=f"社工不予确认：{reason}", before=before)
    record.save(
        update_fields=[
            "status",
            "approved_by",
            "approved_at",
            "decision_note",
            "version",
            "updated_at",
        ]
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=record,
        summary=f"不予确认服务记录 {record.hours} 小时"[:300],
        changes={
            "status": [HELD.value, record.status],
            "holds": hold_codes(record),
            "note": reason,
        },
    )
    _tell_volunteer(
        record,
        "您的一条服务记录未被确认",
        f"“{record.title[:30]}”（{record.service_date:%m月%d日}）未计入服务时长。理由：{reason}",
    )
    return record


def service_record_rated(*, actor: User, source: str, score: int) -> ServiceRecord | None:
    """The resident rated the order that made the record `source` (e.g. "need:12"): a confirming
    rating clears the "unconfirmed" reason, and the record counts when no other reason is left;
    a low rating leaves it for a social worker. Runs inside the caller's transaction."""
    record = (
        ServiceRecord.objects.select_for_update(of=("self",))
        .filter(source=source, status__in=[HELD, ServiceRecord.Status.PENDING])
        .select_related("volunteer")
        .first()
    )
    if record is None:
        return None
    codes, changed = holds_after_rating(hold_codes(record), score)
    if not changed:
        return record
    before = record_snapshot(record)
    by_code = {r.get("code"): r for r in record.hold_reasons}
    record.hold_reasons = [
        by_code.get(c) or hold(HoldCode(c), f"{score}分").as_dict() for c in codes
    ]
    if record.status == HELD and not codes:
        record.status = ServiceRecord.Status.COUNTED
    record_new_version(record, actor=actor, reason=f"服务对象评价{score}分", before=before)
    record.save(update_fields=["hold_reasons", "status", "version", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=record,
        summary=f"服务对象评价{score}分，"
        + ("服务记录生效" if record.status == ServiceRecord.Status.COUNTED else "仍待社工确认"),
        changes={"holds": [before["hold_reasons"], record.hold_reasons]},
    )
    if record.status == ServiceRecord.Status.COUNTED:
        _recount(record.volunteer)
    return record
