"""Service records: creation ("谁组织谁记录"), periods and day totals, late-record approval."""

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.core import audit
from shezhi.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from shezhi.core.hours import service_hours
from shezhi.core.inputs import clean_text, save_validated
from shezhi.core.models import AuditEvent
from shezhi.core.workdays import due_date
from shezhi.org.models import OrgUnit
from shezhi.volunteers.models import (
    RECORD_VERSIONED_FIELDS,
    ServiceRecord,
    ServiceRecordVersion,
    Team,
    Volunteer,
)
from shezhi.volunteers.policy import calendar_for, policy_for
from shezhi.volunteers.services.scope import may_approve_late, may_record_for, unit_in_scope
from shezhi.volunteers.trust import Hold, HoldCode
from shezhi.volunteers.trust import hold as trust_hold

MAX_MINUTES = 24 * 60
# A stated end may lie this far after the server's clock (phones and PCs drift).
CLOCK_TOLERANCE = timedelta(minutes=5)


def record_snapshot(record: ServiceRecord) -> dict[str, Any]:
    return {f: audit.jsonable(getattr(record, f)) for f in RECORD_VERSIONED_FIELDS}


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def _live_records(volunteer: Volunteer):
    return ServiceRecord.objects.filter(volunteer=volunteer).exclude(
        status=ServiceRecord.Status.FALSIFIED
    )


def check_day_total(volunteer: Volunteer, day: date, minutes: int, exclude: int | None) -> None:
    from django.db.models import Sum

    qs = _live_records(volunteer).filter(service_date=day)
    if exclude:
        qs = qs.exclude(pk=exclude)
    served = qs.aggregate(m=Sum("minutes"))["m"] or 0
    if served + minutes > MAX_MINUTES:
        raise InvalidInput(
            f"该志愿者{day:%Y-%m-%d}已记录{served}分钟，再加{minutes}分钟将超过24小时，"
            "与已有服务时段重叠",
            field="minutes",
        )


def place_period(
    *,
    volunteer: Volunteer,
    service_date: date,
    minutes: int,
    started_at: datetime | None,
    ended_at: datetime | None,
    now: datetime,
    exclude: int | None = None,
    clashes: list[ServiceRecord] | None = None,
) -> tuple[datetime, datetime, bool]:
    """The service period: as stated (checked against the volunteer's other stated periods), or
    estimated from the minutes by placing them, back to back, before the volunteer's other
    records of that day and no later than now. With `clashes` given, a stated period that
    overlaps other records is accepted and the records it overlaps are appended to it (the
    caller holds the record for a social worker) instead of being refused."""
    day_start, day_end = _day_bounds(service_date)
    others = _live_records(volunteer).filter(started_at__lt=day_end, ended_at__gt=day_start)
    if exclude:
        others = others.exclude(pk=exclude)
    if started_at is not None and ended_at is not None:
        clash = (
            others.filter(period_estimated=False, started_at__lt=ended_at, ended_at__gt=started_at)
            .order_by("started_at")
            .first()
        )
        if clash and clashes is not None:
            clashes.extend(
                others.filter(
                    period_estimated=False, started_at__lt=ended_at, ended_at__gt=started_at
                ).order_by("started_at")[:5]
            )
        elif clash:
            local = timezone.localtime
            raise InvalidInput(
                f"与该志愿者已有的服务记录“{clash.title}”"
                f"（{local(clash.started_at):%m-%d %H:%M}–{local(clash.ended_at):%H:%M}）时间重叠",
                field="started_at",
            )
        return started_at, ended_at, False
    end = min(now, day_end)
    periods = sorted(others.values_list("started_at", "ended_at"), reverse=True)
    for s, e in periods:  # latest first
        if s < end and e > end - timedelta(minutes=minutes):
            end = min(end, s)
    start = end - timedelta(minutes=minutes)
    if start < day_start:
        raise InvalidInput(
            f"该志愿者{service_date:%Y-%m-%d}的服务时段已排满，{minutes}分钟与已有记录重叠",
            field="minutes",
        )
    return start, end, True


def check_record_fields(
    *,
    service_date: date,
    minutes: int | None,
    started_at: datetime | None,
    ended_at: datetime | None,
    now: datetime,
    quality_rating: int | None,
    claim_over_span: bool = False,
) -> tuple[date, int]:
    if (started_at is None) != (ended_at is None):
        raise InvalidInput("请同时填写开始和结束时间", field="started_at")
    if started_at is not None and ended_at is not None:
        if timezone.is_naive(started_at) or timezone.is_naive(ended_at):
            raise InvalidInput("起止时间须带时区", field="started_at")
        if ended_at <= started_at:
            raise InvalidInput("结束时间应晚于开始时间", field="ended_at")
        if ended_at > now + CLOCK_TOLERANCE:
            raise InvalidInput("不能记录尚未结束的服务", field="ended_at")
        span = int((ended_at - started_at).total_seconds() // 60)
        if span > MAX_MINUTES:
            raise InvalidInput("一次服务不能超过24小时", field="ended_at")
        local_day = timezone.localdate(started_at)
        if service_date is None:
            service_date = local_day
        elif service_date != local_day:
            raise InvalidInput("服务日期与开始时间不一致", field="service_date")
        if minutes is None:
            minutes = span
        elif minutes > span and not claim_over_span:
            raise InvalidInput("服务时长不能超过起止时间之间的时长", field="minutes")
    if not isinstance(service_date, date) or isinstance(service_date, datetime):
        raise InvalidInput("请填写服务日期", field="service_date")
    if service_date > timezone.localdate(now):
        raise InvalidInput("服务日期不能晚于今天", field="service_date")
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= MAX_MINUTES:
        raise InvalidInput(f"服务时长应为1到{MAX_MINUTES}之间的整数分钟", field="minutes")
    if quality_rating is not None and (
        not isinstance(quality_rating, int) or not 1 <= quality_rating <= 5
    ):
        raise InvalidInput("服务质量评价应为1到5", field="quality_rating")
    return service_date, minutes


def record_due_date(record_unit: OrgUnit | None, service_date: date) -> date:
    policy = policy_for(record_unit)
    # Long holidays (春节) add at most ~9 rest days to the 10 working days: look 60 days ahead.
    cal = calendar_for(record_unit, service_date, service_date + timedelta(days=60))
    return due_date(service_date, policy.due_working_days, cal)


def _check_recorder(
    recorder: User, volunteer: Volunteer, organiser_unit: OrgUnit, source: str
) -> None:
    """Staff of the organising unit record; a workflow records a volunteer's own order."""
    own_order = bool(source) and volunteer.user_id == recorder.pk
    if not own_order and not may_record_for(recorder, organiser_unit):
        if recorder.is_staff_role:
            raise NotFound("未找到该组织单元", field="organiser_unit")
        raise Forbidden("只有组织单位的社工可以记录志愿服务", field="organiser_unit")


def _check_team(recorder: User, team: Team | None, organiser_unit: OrgUnit) -> None:
    """The team belongs to the organising unit or lies in the recorder's scope."""
    if (
        team is not None
        and team.community_id != organiser_unit.pk
        and not unit_in_scope(recorder, OrgUnit.objects.get(pk=team.community_id))
    ):
        raise NotFound("未找到该服务队", field="team")


def _hold_reasons(holds: Sequence[Hold], clashing: list[ServiceRecord] | None) -> list[dict]:
    """The caller's hold reasons, plus an overlap reason naming the clashing records."""
    reasons = [h.as_dict() for h in holds]
    if clashing:
        local = timezone.localtime
        detail = "、".join(
            f"“{c.title[:20]}”{local(c.started_at):%m-%d %H:%M}–{local(c.ended_at):%H:%M}"
            for c in clashing
        )
        reasons.append(trust_hold(HoldCode.OVERLAP, detail).as_dict())
    return reasons


def _record_texts(
    *,
    title: str,
    place: str,
    content: str,
    category: str,
    organiser: str,
    organiser_unit: OrgUnit,
    person_in_charge: str,
    beneficiary: str,
) -> dict[str, str]:
    """The record's free-text fields, cleaned and cut to the columns' lengths."""
    return {
        "title": clean_text(title, field="title", label="活动名称", max_length=200)[:100],
        "place": clean_text(place, field="place", label="服务地点", max_length=400)[:200],
        "content": clean_text(content, field="content", label="服务内容", max_length=2000),
        "category": (category or "").strip()[:30],
        "organiser": (organiser.strip() or organiser_unit.name)[:100],
        "person_in_charge": clean_text(
            person_in_charge, field="person_in_charge", label="活动负责人", max_length=60
        )[:30],
        "beneficiary": (beneficiary or "").strip()[:60],
    }


def _new_status(late: bool, reasons: list[dict]) -> str:
    """Late records wait for a supervisor, held ones for a social worker; the rest count."""
    if late:
        return ServiceRecord.Status.PENDING
    return ServiceRecord.Status.HELD if reasons else ServiceRecord.Status.COUNTED


def _audit_created(
    recorder: User, record: ServiceRecord, *, source: str, late: bool, reasons: list[dict]
) -> None:
    audit.record(
        actor=recorder,
        action=AuditEvent.Action.CREATE,
        obj=record,
        summary=f"记录志愿服务 {record.hours} 小时"
        + ("（逾期，待审批）" if late else "（待社工确认）" if reasons else ""),
        changes={
            "source": source,
            "late": late,
            "due_date": str(record.due_date),
            "holds": [r["code"] for r in reasons],
        },
    )


@transaction.atomic
def service_record_create(
    *,
    recorder: User,
    volunteer: Volunteer,
    title: str,
    service_date: date | None,
    place: str,
    content: str,
    minutes: int | None,
    organiser_unit: OrgUnit,
    person_in_charge: str,
    beneficiary: str = "",
    source: str = "",
    category: str = "",
    started_at: datetime | None = None,
    ended_at: datetime | None = None,
    quality_rating: int | None = None,
    team: Team | None = None,
    organiser: str = "",
    now: datetime | None = None,
    holds: Sequence[Hold] = (),
    hold_clashes: bool = False,
) -> ServiceRecord:
    """Record a service ("谁组织谁记录"). Hours follow the region's rounding rule.

    The recorder is staff of the organising unit (or above); the need workflow records a completed
    order as its taker (then `source` names the order). Give either `started_at`/`ended_at`
    (aware datetimes; minutes default to the span) or `service_date` + `minutes` (the period is
    then estimated). Refused: future dates, durations outside 1–1440 minutes, a period overlapping
    the volunteer's other records. A record made more than the region's due working days (default
    10) after the service is created pending and counts only once a supervisor approves it.

    Held records (status HELD, reasons in `hold_reasons`) wait for a social worker of the
    organising unit (volunteers/holds.py): `holds` are the caller's reasons (an OVER_ELAPSED
    reason lets the claim exceed the stated period); with `hold_clashes` a stated period that
    overlaps the volunteer's other records is held instead of refused (workflow records: orders,
    attendance).
    """
    now = now or timezone.now()
    _check_recorder(recorder, volunteer, organiser_unit, source)
    service_date, minutes = check_record_fields(
        service_date=service_date,  # type: ignore[arg-type]
        minutes=minutes,
        started_at=started_at,
        ended_at=ended_at,
        now=now,
        quality_rating=quality_rating,
        claim_over_span=any(h.code == HoldCode.OVER_ELAPSED for h in holds),
    )
    _check_team(recorder, team, organiser_unit)
    check_day_total(volunteer, service_date, minutes, None)
    clashing: list[ServiceRecord] | None = [] if hold_clashes else None
    start, end, estimated = place_period(
        volunteer=volunteer,
        service_date=service_date,
        minutes=minutes,
        started_at=started_at,
        ended_at=ended_at,
        now=now,
        clashes=clashing,
    )
    reasons = _hold_reasons(holds, clashing)
    policy = policy_for(organiser_unit)
    due = record_due_date(organiser_unit, service_date)
    late = timezone.localdate(now) > due
    texts = _record_texts(
        title=title,
        place=place,
        content=content,
        category=category,
        organiser=organiser,
        organiser_unit=organiser_unit,
        person_in_charge=person_in_charge,
        beneficiary=beneficiary,
    )
    record = ServiceRecord(
        volunteer=volunteer,
        service_date=service_date,
        started_at=start,
        ended_at=end,
        period_estimated=estimated,
        minutes=minutes,
        hours=service_hours(minutes, policy.rounding),
        organiser_unit=organiser_unit,
        recorded_by=recorder,
        quality_rating=quality_rating,
        team=team,
        source=source,
        status=_new_status(late, reasons),
        due_date=due,
        hold_reasons=reasons,
        **texts,
    )
    save_validated(record)
    ServiceRecordVersion.objects.create(
        record=record, version=1, data=record_snapshot(record), changed_by=recorder, reason="新建"
    )
    _audit_created(recorder, record, source=source, late=late, reasons=reasons)
    return record


def record_for_update(record_id: int) -> ServiceRecord:
    record = (
        # Lock the record only: PostgreSQL cannot lock the nullable side of the unit's outer join.
        ServiceRecord.objects.select_for_update(of=("self",))
        .filter(pk=record_id)
        .select_related("organiser_unit", "volunteer")
        .first()
    )
    if record is None:
        raise NotFound("未找到该服务记录")
    return record


def record_new_version(
    record: ServiceRecord, *, actor: User, reason: str, before: dict[str, Any]
) -> None:
    """Keep the amended record as a new version (records from before versioning first get their
    original kept as version 1)."""
    if not ServiceRecordVersion.objects.filter(record=record).exists():
        ServiceRecordVersion.objects.create(
            record=record, version=record.version, data=before, changed_by=None, reason="原始记录"
        )
    record.version += 1
    ServiceRecordVersion.objects.create(
        record=record,
        version=record.version,
        data=record_snapshot(record),
        changed_by=actor,
        reason=reason[:300],
    )


def _decide_late(actor: User, record_id: int, approve: bool, note: str) -> ServiceRecord:
    record = record_for_update(record_id)
    if not may_record_for(actor, record.organiser_unit):
        raise NotFound("未找到该服务记录")
    if not may_approve_late(actor, record.organiser_unit):
        raise Forbidden("只有督导可以审批逾期记录")
    if record.status != ServiceRecord.Status.PENDING:
        raise Conflict("该记录不是待审批的逾期记录", field="status")
    note = clean_text(note, field="note", label="审批意见", max_length=300, required=not approve)
    before = record_snapshot(record)
    # An approved late record that is also held still waits for a social worker's confirmation.
    counted = ServiceRecord.Status.HELD if record.hold_reasons else ServiceRecord.Status.COUNTED
    record.status = counted if approve else ServiceRecord.Status.REJECTED
    record.approved_by = actor
    record.approved_at = timezone.now()
    record.decision_note = note
    record_new_version(
        record, actor=actor, reason=("批准逾期记录" if approve else "驳回逾期记录"), before=before
    )
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
        summary=("批准" if approve else "驳回") + f"逾期服务记录 {record.hours} 小时",
        changes={"status": ["pending", record.status], "note": note},
    )
    return record


@transaction.atomic
def service_record_approve_late(*, actor: User, record_id: int, note: str = "") -> ServiceRecord:
    """A supervisor of the organising unit lets a late record count."""
    return _decide_late(actor, record_id, True, note)


@transaction.atomic
def service_record_reject_late(*, actor: User, record_id: int, note: str) -> ServiceRecord:
    """A supervisor refuses a late record (with a reason); it stays, never counting."""
    return _decide_late(actor, record_id, False, note)


def hours_of(minutes: int, unit: OrgUnit | None) -> Decimal:
    """Hours credited for `minutes` under the region's rounding rule."""
    return service_hours(minutes, policy_for(unit).rounding)
