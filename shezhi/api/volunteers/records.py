"""/api/v1 service records: recording, lists, held-record review, late approval."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Schema

from shezhi.api.errors import CHANGE, raises
from shezhi.api.render import more_page, ref
from shezhi.api.schemas import ERRORS, Id, In
from shezhi.api.volunteers.common import (
    RECORDS,
    Minutes,
    Page,
    PathId,
    router,
)
from shezhi.api.volunteers.volunteers import VolunteerItemOut, volunteer_item
from shezhi.core.errors import ErrorCode, NotFound
from shezhi.volunteers import holds, selectors, services
from shezhi.volunteers.models import (
    ServiceRecord,
)


class RecordCreateIn(In):
    volunteer_id: Id
    organiser_unit_id: Id
    title: str = Field(max_length=100)
    place: str = Field(max_length=200)
    content: str = Field(max_length=2000)
    person_in_charge: str = Field(max_length=30)
    service_date: date | None = None
    minutes: Minutes | None = None
    started_at: datetime | None = Field(None, description="带时区，如 2026-11-16T09:00:00+08:00")
    ended_at: datetime | None = None
    beneficiary: str = Field("", max_length=60)
    quality_rating: Annotated[int, Field(strict=True, ge=1, le=5)] | None = None
    team_id: Id | None = None


class HoldReasonOut(Schema):
    code: str = Field(
        description="over_elapsed / over_category_max / no_start / overlap / "
        "unconfirmed / low_rating"
    )
    text: str


class RecordItemOut(Schema):
    id: int
    volunteer: VolunteerItemOut
    title: str
    service_date: date
    place: str
    minutes: int
    hours: Decimal
    organiser: str
    status: str
    due_date: date | None
    version: int
    hold_reasons: list[HoldReasonOut]


class RecordPageOut(Schema):
    limit: int
    offset: int
    has_more: bool
    items: list[RecordItemOut]


class VersionOut(Schema):
    version: int
    data: dict[str, Any]
    changed_at: datetime
    reason: str


class CorrectionOut(Schema):
    id: int
    record_id: int
    changes: dict[str, Any]
    reason: str
    status: str
    created_at: datetime
    decided_at: datetime | None
    decision_reason: str


class RecordOut(RecordItemOut):
    content: str
    started_at: datetime | None
    ended_at: datetime | None
    period_estimated: bool
    person_in_charge: str
    beneficiary: str
    quality_rating: int | None
    team: dict[str, Any] | None
    decision_note: str
    versions: list[VersionOut]
    corrections: list[CorrectionOut]


class RecordQuery(Page):
    status: Literal[tuple(ServiceRecord.Status.values)] | None = None  # type: ignore[valid-type]
    q: str | None = Field(None, max_length=30, description="姓名、志愿者编号或活动名称")


class NoteIn(In):
    note: str = Field("", max_length=300)


def record_item(r: ServiceRecord) -> dict[str, Any]:
    return {
        "id": r.pk,
        "volunteer": volunteer_item(r.volunteer),
        "title": r.title,
        "service_date": r.service_date,
        "place": r.place,
        "minutes": r.minutes,
        "hours": r.hours,
        "organiser": r.organiser,
        "status": r.status,
        "due_date": r.due_date,
        "version": r.version,
        "hold_reasons": r.hold_reasons or [],
    }


def _record(r: ServiceRecord) -> dict[str, Any]:
    return {
        **record_item(r),
        "content": r.content,
        "started_at": r.started_at,
        "ended_at": r.ended_at,
        "period_estimated": r.period_estimated,
        "person_in_charge": r.person_in_charge,
        "beneficiary": r.beneficiary,
        "quality_rating": r.quality_rating,
        "team": ref(r.team),
        "decision_note": r.decision_note,
        "versions": list(r.versions.order_by("version")),
        "corrections": list(r.corrections.order_by("created_at", "id")),
    }


def _unit_for(request: HttpRequest, unit_id: int):
    unit = selectors.recording_units(actor=request.auth).filter(pk=unit_id).first()
    if unit is None:
        raise NotFound("未找到该组织单元", field="organiser_unit_id")
    return unit


@router.post(
    "/service-records",
    response={201: RecordOut, **ERRORS},
    summary="记录志愿服务（谁组织谁记录；逾期记录待督导审批）",
    tags=RECORDS,
)
@raises(*CHANGE)
def record_create(request: HttpRequest, payload: RecordCreateIn):
    data = payload.model_dump()
    volunteer = selectors.volunteer_get(actor=request.auth, volunteer_id=data.pop("volunteer_id"))
    unit = _unit_for(request, data.pop("organiser_unit_id"))
    team_id = data.pop("team_id")
    team = selectors.team_get(actor=request.auth, team_id=team_id) if team_id else None
    record = services.service_record_create(
        recorder=request.auth, volunteer=volunteer, organiser_unit=unit, team=team, **data
    )
    return 201, _record(selectors.record_get(actor=request.auth, record_id=record.pk))


@router.get(
    "/service-records",
    response={200: RecordPageOut, **ERRORS},
    summary="本单位组织的服务记录",
    tags=RECORDS,
)
def record_list(request: HttpRequest, filters: Query[RecordQuery]):
    qs = selectors.records_in_scope(
        actor=request.auth, status=filters.status, query=filters.q or ""
    )
    return more_page(qs, limit=filters.limit, offset=filters.offset, item=record_item)


@router.get(
    "/service-records/held",
    response={200: RecordPageOut, **ERRORS},
    summary="待社工确认的服务记录（本单位组织的，含待确认原因）",
    tags=RECORDS,
)
def record_held_list(request: HttpRequest, filters: Query[Page]):
    qs = selectors.records_awaiting_confirmation(actor=request.auth)
    return more_page(qs, limit=filters.limit, offset=filters.offset, item=record_item)


class HeldRecordConfirmIn(In):
    minutes: Minutes | None = Field(None, description="调整后的服务分钟数；不填则按申报时长")
    note: str = Field("", max_length=300, description="说明；调整时长时必填")


class RejectIn(In):
    reason: str = Field(..., max_length=300)


@router.post(
    "/service-records/{record_id}/confirm",
    response={200: RecordOut, **ERRORS},
    summary="社工确认待确认的服务记录（可调整时长）",
    tags=RECORDS,
)
@raises(*CHANGE, ErrorCode.STALE)
def record_confirm(request: HttpRequest, record_id: PathId, payload: HeldRecordConfirmIn):
    holds.service_record_confirm(
        actor=request.auth, record_id=record_id, minutes=payload.minutes, note=payload.note
    )
    return _record(selectors.record_get(actor=request.auth, record_id=record_id))


@router.post(
    "/service-records/{record_id}/reject",
    response={200: RecordOut, **ERRORS},
    summary="社工不予确认待确认的服务记录（须说明理由）",
    tags=RECORDS,
)
@raises(*CHANGE, ErrorCode.STALE)
def record_reject(request: HttpRequest, record_id: PathId, payload: RejectIn):
    holds.service_record_reject(actor=request.auth, record_id=record_id, reason=payload.reason)
    return _record(selectors.record_get(actor=request.auth, record_id=record_id))


@router.get(
    "/service-records/{record_id}",
    response={200: RecordOut, **ERRORS},
    summary="服务记录详情（含版本历史和更正申请）",
    tags=RECORDS,
)
def record_detail(request: HttpRequest, record_id: PathId):
    return _record(selectors.record_get(actor=request.auth, record_id=record_id))


@router.post(
    "/service-records/{record_id}/approve-late",
    response={200: RecordOut, **ERRORS},
    summary="督导批准逾期记录",
    tags=RECORDS,
)
@raises(*CHANGE)
def record_approve_late(request: HttpRequest, record_id: PathId, payload: NoteIn):
    record = services.service_record_approve_late(
        actor=request.auth, record_id=record_id, note=payload.note
    )
    return _record(record)


@router.post(
    "/service-records/{record_id}/reject-late",
    response={200: RecordOut, **ERRORS},
    summary="督导驳回逾期记录（须说明理由）",
    tags=RECORDS,
)
@raises(*CHANGE)
def record_reject_late(request: HttpRequest, record_id: PathId, payload: NoteIn):
    record = services.service_record_reject_late(
        actor=request.auth, record_id=record_id, note=payload.note
    )
    return _record(record)
