"""/api/v1/dispatch: 一键派单 — the matching engine's proposals for a community or street, and
the confirmation of the reviewed (possibly edited) proposals. Each handler calls one service."""

from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from shezhi.api.errors import CHANGE, raises
from shezhi.api.schemas import ERRORS, MAX_ID, Id, In, Version
from shezhi.core.errors import ErrorCode
from shezhi.needs import selectors, services
from shezhi.needs.models import DispatchBatch
from shezhi.volunteers.errors import VolunteerError

router = Router(tags=["一键派单"])

PathId = Annotated[int, Field(ge=1, le=MAX_ID)]
TargetKind = Literal["volunteer", "team", "social_worker", "partner", "pool"]


class ProposalsIn(In):
    unit_id: Id


class ProposalOut(Schema):
    need_id: int
    need_title: str
    urgency: str
    expected_version: int
    target_kind: str
    target_id: int
    target_name: str
    score: float
    distance_m: float | None
    explanation: str


class UnmatchedOut(Schema):
    need_id: int
    need_title: str
    reason: str
    explanation: str


class DispatchPlanOut(Schema):
    unit_id: int
    unit_name: str
    total_score: float
    proposals: list[ProposalOut]
    unmatched: list[UnmatchedOut]


class ConfirmItemIn(In):
    need_id: Id
    target_kind: TargetKind
    target_id: Id | None = None
    expected_version: Version


class DispatchConfirmIn(In):
    items: list[ConfirmItemIn] = Field(..., min_length=1, max_length=services.MAX_CONFIRM_ITEMS)


class FailedOut(Schema):
    need_id: int
    message: str


class DispatchBatchOut(Schema):
    batch_id: int
    status: Literal["queued", "done"] = Field(
        ..., description="queued：派单中（稍后查询本批次）；done：已完成"
    )
    dispatched: list[int]
    failed: list[FailedOut]


def _batch_out(batch: DispatchBatch) -> dict:
    return {
        "batch_id": batch.pk,
        "status": batch.status,
        "dispatched": list(batch.dispatched),
        "failed": [{"need_id": nid, "message": msg} for nid, msg in batch.failed],
    }


@router.post(
    "/proposals", response={200: DispatchPlanOut, **ERRORS}, summary="一键派单：生成派单建议"
)
@raises(*CHANGE)
def dispatch_proposals(request: HttpRequest, payload: ProposalsIn):
    plan = services.needs_propose_dispatch(actor=request.auth, unit_id=payload.unit_id)
    return {
        "unit_id": plan.unit.pk,
        "unit_name": plan.unit.name,
        "total_score": plan.total_score,
        "proposals": [
            {
                "need_id": p.need.pk,
                "need_title": p.need.title,
                "urgency": p.need.urgency.code,
                "expected_version": p.need.version,
                "target_kind": p.target_kind,
                "target_id": p.target_id,
                "target_name": p.target_name,
                "score": p.score,
                "distance_m": p.distance_m,
                "explanation": p.explanation,
            }
            for p in plan.proposals
        ],
        "unmatched": [
            {
                "need_id": u.need.pk,
                "need_title": u.need.title,
                "reason": u.reason,
                "explanation": u.explanation,
            }
            for u in plan.unmatched
        ],
    }


@router.post(
    "/confirm",
    response={202: DispatchBatchOut, **ERRORS},
    summary="一键派单：确认（可修改）派单建议；后台逐条派单，过期的条目单独失败，结果见本批次",
)
@raises(*CHANGE, ErrorCode.STALE, VolunteerError.CLASH)
def dispatch_confirm(request: HttpRequest, payload: DispatchConfirmIn):
    batch = services.needs_dispatch_batch_create(
        actor=request.auth,
        proposals=[
            services.ConfirmItem(
                need_id=i.need_id,
                target_kind=i.target_kind,
                target_id=i.target_id,
                expected_version=i.expected_version,
            )
            for i in payload.items
        ],
    )
    batch.refresh_from_db()  # the queue may have dispatched it already
    return 202, _batch_out(batch)


@router.get(
    "/batches/{batch_id}",
    response={200: DispatchBatchOut, **ERRORS},
    summary="一键派单：查看本人确认的一批派单的结果",
)
@raises(ErrorCode.NOT_FOUND)
def dispatch_batch(request: HttpRequest, batch_id: PathId):
    return _batch_out(selectors.dispatch_batch_of(actor=request.auth, batch_id=batch_id))
