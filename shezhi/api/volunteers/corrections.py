"""/api/v1 corrections of service records: the volunteer files, the recording unit decides."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query

from shezhi.api.errors import CHANGE, raises
from shezhi.api.schemas import ERRORS, Id, In, StrictBool
from shezhi.api.volunteers.common import (
    RECORDS,
    Minutes,
    Page,
    PathId,
    router,
)
from shezhi.api.volunteers.records import CorrectionOut, RecordItemOut, record_item
from shezhi.volunteers import selectors, services
from shezhi.volunteers.models import (
    CorrectionRequest,
)


class CorrectionChangesIn(In):
    title: str | None = Field(None, max_length=100)
    service_date: date | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    place: str | None = Field(None, max_length=200)
    content: str | None = Field(None, max_length=2000)
    minutes: Minutes | None = None
    person_in_charge: str | None = Field(None, max_length=30)
    beneficiary: str | None = Field(None, max_length=60)


class CorrectionFileIn(In):
    record_id: Id
    changes: CorrectionChangesIn
    reason: str = Field(max_length=500)


class CorrectionDecideIn(In):
    approve: StrictBool
    reason: str = Field("", max_length=300)


class CorrectionItemOut(CorrectionOut):
    record: RecordItemOut


def _correction(c: CorrectionRequest) -> dict[str, Any]:
    return {
        "id": c.pk,
        "record_id": c.record_id,
        "changes": c.changes,
        "reason": c.reason,
        "status": c.status,
        "created_at": c.created_at,
        "decided_at": c.decided_at,
        "decision_reason": c.decision_reason,
        "record": record_item(c.record),
    }


@router.post(
    "/corrections",
    response={201: CorrectionItemOut, **ERRORS},
    summary="申请更正自己的服务记录",
    tags=RECORDS,
)
@raises(*CHANGE)
def correction_file(request: HttpRequest, payload: CorrectionFileIn):
    changes = payload.changes.model_dump(exclude_none=True)
    correction = services.correction_request_file(
        actor=request.auth, record_id=payload.record_id, changes=changes, reason=payload.reason
    )
    return 201, _correction(correction)


@router.get(
    "/corrections",
    response={200: list[CorrectionItemOut], **ERRORS},
    summary="待本单位核实的更正申请",
    tags=RECORDS,
)
def correction_list(request: HttpRequest, filters: Query[Page]):
    qs = selectors.corrections_to_verify(actor=request.auth)
    return [_correction(c) for c in qs[filters.offset : filters.offset + filters.limit]]


@router.get(
    "/me/corrections",
    response={200: list[CorrectionItemOut], **ERRORS},
    summary="我的更正申请",
    tags=RECORDS,
)
def my_corrections(request: HttpRequest, filters: Query[Page]):
    qs = selectors.my_corrections(actor=request.auth).select_related("record__volunteer")
    return [_correction(c) for c in qs[filters.offset : filters.offset + filters.limit]]


@router.post(
    "/corrections/{request_id}/decide",
    response={200: CorrectionItemOut, **ERRORS},
    summary="核实更正申请（同意则修改记录并保留版本；不同意须说明理由）",
    tags=RECORDS,
)
@raises(*CHANGE)
def correction_decide(request: HttpRequest, request_id: PathId, payload: CorrectionDecideIn):
    correction = services.correction_request_decide(
        actor=request.auth, request_id=request_id, approve=payload.approve, reason=payload.reason
    )
    correction.refresh_from_db()
    return _correction(correction)
