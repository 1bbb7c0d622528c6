"""Service records: creation ("谁组织谁记录"), periods and day totals, late-record approval."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.core import audit
from shezhi.core.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    each_item,
)
from shezhi.core.hours import service_hours
from shezhi.core.inputs import clean_text, validate_model
from shezhi.core.models import AuditEvent
from shezhi.core.rollups import rollups_touch_rows
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


@dataclass
class _Period:
    """A live record's period, as the day-total and overlap rules see it."""

    service_date: date
    started_at: datetime
    ended_at: datetime
    estimated: bool
    minutes: int
    title: str


class RecordedDays:
    """The live (not falsified) records of some volunteers around some days, read with one query;
    a batch adds each record it places, so that later entries see the earlier ones."""

    def __init__(self, wanted: Iterable[tuple[int, date]], *, exclude: int | None = None):
        wanted = set(wanted)
        self.periods: dict[int, list[_Period]] = defaultdict(list)
        if not wanted:
            return
        # A record overlapping day D's window was served on D, or began the evening before.
        days = {d for _, d in wanted} | {d - timedelta(days=1) for _, d in wanted}
        live = ServiceRecord.objects.filter(
            volunteer_id__in={v for v, _ in wanted}, service_date__in=days
        ).exclude(status=ServiceRecord.Status.FALSIFIED)
        if exclude is not None:
            live = live.exclude(pk=exclude)
        rows = live.values_list(
            "volunteer_id",
            "service_date",
            "started_at",
            "ended_at",
            "period_estimated",
            "minutes",
            "title",
        )
        for volunteer_id, *fields in rows:
            self.periods[volunteer_id].append(_Period(*fields))

    def add(self, volunteer_id: int, period: _Period) -> None:
        self.periods[volunteer_id].append(period)

    def served(self, volunteer_id: int, day: date) -> int:
        return sum(p.minutes for p in self.periods[volunteer_id] if p.service_date == day)

    def within(self, volunteer_id: int, start: datetime, end: datetime) -> list[_Period]:
        """The volunteer's periods overlapping [start, end), earliest first."""
        return sorted(
            (p for p in self.periods[volunteer_id] if p.started_at < end and p.ended_at > start),
            key=lambda p: p.started_at,
        )


def _check_day_total(days: RecordedDays, volunteer_id: int, day: date, minutes: int) -> None:
    served = days.served(volunteer_id, day)
    if served + minutes > MAX_MINUTES:
        raise InvalidInput(
            f"该志愿者{day:%Y-%m-%d}已记录{served}分钟，再加{minutes}分钟将超过24小时，"
            "与已有服务时段重叠",
            field="minutes",
        )


def check_day_total(volunteer: Volunteer, day: date, minutes: int, exclude: int | None) -> None:
    """At most 24 hours of records per volunteer and day (`exclude`: the record being amended)."""
    days = RecordedDays({(volunteer.pk, day)}, exclude=exclude)
    _check_day_total(days, volunteer.pk, day, minutes)


def _placed(
    days: RecordedDays,
    volunteer_id: int,
    *,
    service_date: date,
    minutes: int,
    started_at: datetime | None,
    ended_at: datetime | None,
    now: datetime,
    clashes: list[_Period] | None,
) -> tuple[datetime, datetime, bool]:
    """place_period() on records already read."""
    day_start, day_end = _day_bounds(service_date)
    if started_at is not None and ended_at is not None:
        stated = [p for p in days.within(volunteer_id, started_at, ended_at) if not p.estimated]
        if stated and clashes is not None:
            clashes.extend(stated[:5])
        elif stated:
            clash, local = stated[0], timezone.localtime
            raise InvalidInput(
                f"与该志愿者已有的服务记录“{clash.title}”"
                f"（{local(clash.started_at):%m-%d %H:%M}–{local(clash.ended_at):%H:%M}）时间重叠",
                field="started_at",
            )
        return started_at, ended_at, False
    end = min(now, day_end)
    others = days.within(volunteer_id, day_start, day_end)
    for p in sorted(others, key=lambda p: (p.started_at, p.ended_at), reverse=True):
        if p.started_at < end and p.ended_at > end - timedelta(minutes=minutes):
            end = min(end, p.started_at)
    start = end - timedelta(minutes=minutes)
    if start < day_start:
        raise InvalidInput(
            f"该志愿者{service_date:%Y-%m-%d}的服务时段已排满，{minutes}分钟与已有记录重叠",
            field="minutes",
        )
    return start, end, True


def place_period(
    *,
    volunteer: Volunteer,
    service_date: date,
    minutes: int,
    started_at: datetime | None,
    ended_at: datetime | None,
    now: datetime,
    exclude: int | None = None,
) -> tuple[datetime, datetime, bool]:
    """The service period: as stated (checked against the volunteer's other stated periods), or
    estimated from the minutes by placing them, back to back, before the volunteer's other
    records of that day and no later than now."""
    return _placed(
        RecordedDays({(volunteer.pk, service_date)}, exclude=exclude),
        volunteer.pk,
        service_date=service_date,
        minutes=minutes,
        started_at=started_at,
        ended_at=ended_at,
        now=now,
        clashes=None,
    )


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
    return _Dues(record_unit).of(service_date)


class _Dues:
    """The region's policy, and the due date of each service date asked about, looked up once."""

    def __init__(self, unit: OrgUnit | None):
        self.unit, self.policy = unit, policy_for(unit)
        self.dates: dict[date, date] = {}

    def of(self, service_date: date) -> date:
        if service_date not in self.dates:
            # Long holidays (春节) add at most ~9 rest days to the 10 working days: look 60 days on.
            cal = calendar_for(self.unit, service_date, service_date + timedelta(days=60))
            self.dates[service_date] = due_date(service_date, self.policy.due_working_days, cal)
        return self.dates[service_date]


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


def _hold_reasons(holds: Sequence[Hold], clashing: list[_Period] | None) -> list[dict]:
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


@dataclass(frozen=True)
class RecordEntry:
    """One service to record, as given. Either `started_at`/`ended_at` (aware datetimes; minutes
    default to the span) or `service_date` + `minutes` (the period is then estimated). `source`
    names the order of a workflow record; `holds` are the caller's hold reasons (an OVER_ELAPSED
    reason lets the claim exceed the stated period); with `hold_clashes` a stated period that
    overlaps the volunteer's other records is held instead of refused."""

    volunteer: Volunteer
    title: str
    service_date: date | None
    place: str
    content: str
    minutes: int | None
    person_in_charge: str
    beneficiary: str = ""
    source: str = ""
    category: str = ""
    started_at: datetime | None = None
    ended_at: datetime | None = None
    quality_rating: int | None = None
    team: Team | None = None
    organiser: str = ""
    holds: Sequence[Hold] = ()
    hold_clashes: bool = False


def _days_of(e: RecordEntry) -> set[date]:
    """The service days whose records the entry could overlap: its own, and the next day's when
    a stated period runs past midnight."""
    moments = [m for m in (e.started_at, e.ended_at) if m is not None and timezone.is_aware(m)]
    days = {timezone.localdate(m) for m in moments}
    if isinstance(e.service_date, date):
        days.add(e.service_date)
    return days


def _record_texts(e: RecordEntry, organiser_unit: OrgUnit) -> dict[str, str]:
    """The record's free-text fields, cleaned and cut to the columns' lengths."""
    return {
        "title": clean_text(e.title, field="title", label="活动名称", max_length=200)[:100],
        "place": clean_text(e.place, field="place", label="服务地点", max_length=400)[:200],
        "content": clean_text(e.content, field="content", label="服务内容", max_length=2000),
        "category": (e.category or "").strip()[:30],
        "organiser": (e.organiser.strip() or organiser_unit.name)[:100],
        "person_in_charge": clean_text(
            e.person_in_charge, field="person_in_charge", label="活动负责人", max_length=60
        )[:30],
        "beneficiary": (e.beneficiary or "").strip()[:60],
    }


def _new_status(late: bool, reasons: list[dict]) -> str:
    """Late records wait for a supervisor, held ones for a social worker; the rest count."""
    if late:
        return ServiceRecord.Status.PENDING
    return ServiceRecord.Status.HELD if reasons else ServiceRecord.Status.COUNTED


def _audit_item(record: ServiceRecord) -> tuple[ServiceRecord, str, dict[str, Any]]:
    late, held = record.status == ServiceRecord.Status.PENDING, bool(record.hold_reasons)
    return (
        record,
        f"记录志愿服务 {record.hours} 小时"
        + ("（逾期，待审批）" if late else "（待社工确认）" if held else ""),
        {
            "source": record.source,
            "late": late,
            "due_date": str(record.due_date),
            "holds": [r["code"] for r in record.hold_reasons],
        },
    )


def _build(
    recorder: User, unit: OrgUnit, e: RecordEntry, *, now: datetime, days: RecordedDays, dues: _Dues
) -> ServiceRecord:
    """Check one entry against every rule and the records already read; the unsaved record."""
    _check_recorder(recorder, e.volunteer, unit, e.source)
    service_date, minutes = check_record_fields(
        service_date=e.service_date,  # type: ignore[arg-type]
        minutes=e.minutes,
        started_at=e.started_at,
        ended_at=e.ended_at,
        now=now,
        quality_rating=e.quality_rating,
        claim_over_span=any(h.code == HoldCode.OVER_ELAPSED for h in e.holds),
    )
    _check_team(recorder, e.team, unit)
    _check_day_total(days, e.volunteer.pk, service_date, minutes)
    clashing: list[_Period] | None = [] if e.hold_clashes else None
    start, end, estimated = _placed(
        days,
        e.volunteer.pk,
        service_date=service_date,
        minutes=minutes,
        started_at=e.started_at,
        ended_at=e.ended_at,
        now=now,
        clashes=clashing,
    )
    reasons = _hold_reasons(e.holds, clashing)
    due = dues.of(service_date)
    record = ServiceRecord(
        volunteer=e.volunteer,
        service_date=service_date,
        started_at=start,
        ended_at=end,
        period_estimated=estimated,
        minutes=minutes,
        hours=service_hours(minutes, dues.policy.rounding),
        organiser_unit=unit,
        recorded_by=recorder,
        quality_rating=e.quality_rating,
        team=e.team,
        source=e.source,
        status=_new_status(timezone.localdate(now) > due, reasons),
        due_date=due,
        hold_reasons=reasons,
        **_record_texts(e, unit),
    )
    # Field rules; "one record per order" for workflow records. The related objects were given
    # loaded, other uniqueness is the database's: each of those checks costs a query per row.
    validate_model(record, constraints=bool(e.source), unique=False, relations=False)
    period = _Period(service_date, start, end, estimated, minutes, record.title)
    days.add(e.volunteer.pk, period)
    return record


def _save(recorder: User, records: list[ServiceRecord]) -> list[ServiceRecord]:
    """Insert the records, their first versions and audit events, one insert per table."""
    ServiceRecord.objects.bulk_create(records)
    rollups_touch_rows("volunteers.ServiceRecord", records, created=True)
    ServiceRecordVersion.objects.bulk_create(
        ServiceRecordVersion(
            record=r, version=1, data=record_snapshot(r), changed_by=recorder, reason="新建"
        )
        for r in records
    )
    audit.record_many(
        actor=recorder, action=AuditEvent.Action.CREATE, items=[_audit_item(r) for r in records]
    )
    return records


@transaction.atomic
def service_record_create(
    *, recorder: User, organiser_unit: OrgUnit, now: datetime | None = None, **fields: Any
) -> ServiceRecord:
    """Record a service ("谁组织谁记录"); `fields` are those of `RecordEntry`. Hours follow the
    region's rounding rule.

    The recorder is staff of the organising unit (or above); the need workflow records a completed
    order as its taker (then `source` names the order). Refused: future dates, durations outside
    1–1440 minutes, a period overlapping the volunteer's other records. A record made more than
    the region's due working days (default 10) after the service is created pending and counts
    only once a supervisor approves it. Held records (status HELD, reasons in `hold_reasons`)
    wait for a social worker of the organising unit (volunteers/holds.py).
    """
    entry = RecordEntry(**fields)
    days = RecordedDays({(entry.volunteer.pk, day) for day in _days_of(entry)})
    record = _build(
        recorder,
        organiser_unit,
        entry,
        now=now or timezone.now(),
        days=days,
        dues=_Dues(organiser_unit),
    )
    return _save(recorder, [record])[0]


@transaction.atomic
def service_records_create_many(
    *,
    recorder: User,
    organiser_unit: OrgUnit,
    entries: Sequence[RecordEntry],
    now: datetime | None = None,
) -> list[ServiceRecord]:
    """Record many services of one organising unit at once (e.g. an Excel import) under the same
    rules as `service_record_create`, each entry also checked against the entries before it, with
    a few queries per batch. All or none: the first refused entry raises ItemRefused naming its
    index."""
    now = now or timezone.now()
    wanted = {(e.volunteer.pk, day) for e in entries for day in _days_of(e)}
    days, dues = RecordedDays(wanted), _Dues(organiser_unit)
    records = each_item(
        entries, lambda e: _build(recorder, organiser_unit, e, now=now, days=days, dues=dues)
    )
    return _save(recorder, records)


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
    # Imported here: permissions reads this package's scope helpers.
    from shezhi.volunteers.permissions import RecordAction, record_actions_for

    record = record_for_update(record_id)
    if not may_record_for(actor, record.organiser_unit):
        raise NotFound("未找到该服务记录")
    if RecordAction.APPROVE_LATE not in record_actions_for(actor, record):
        if not may_approve_late(actor, record.organiser_unit):
            raise Forbidden("只有督导可以审批逾期记录")
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
