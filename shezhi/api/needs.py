"""/api/v1/needs: the ledger and the four orders. Each handler calls one service or selector."""

from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router

from shezhi.api import render
from shezhi.api.errors import CHANGE, raises
from shezhi.api.schemas import (
    ERRORS,
    MAX_ID,
    AcceptIn,
    CandidateOut,
    Clean,
    CompleteIn,
    DispatchIn,
    NeedCreateIn,
    NeedNoticeOut,
    NeedOut,
    NeedPageOut,
    NeedReviewIn,
    NeedUpdateIn,
    RateIn,
    ReasonIn,
)
from shezhi.core.errors import ErrorCode
from shezhi.needs import selectors, services
from shezhi.needs.errors import NeedError
from shezhi.needs.models import Need
from shezhi.volunteers.errors import VolunteerError

router = Router(tags=["民情台账"])

PathId = Annotated[int, Field(ge=1, le=MAX_ID)]


class LedgerQuery(Clean):
    status: str | None = Field(None, max_length=20)
    urgency: str | None = Field(None, max_length=20)
    category: str | None = Field(None, max_length=30)
    overdue: bool = False
    needs_review: bool = False
    q: str | None = Field(None, max_length=100)
    sort: str | None = Field(
        None, max_length=20, description="attention（默认）、deadline、urgency 或 newest"
    )
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10**9)


def _detail(request: HttpRequest, need: Need) -> dict:
    return render.need_detail(need, timezone.now(), actor=request.auth)


@router.get("", response={200: NeedPageOut, **ERRORS}, summary="需求台账（分页、筛选）")
def need_list(request: HttpRequest, filters: Query[LedgerQuery]):
    qs = selectors.ledger(
        actor=request.auth,
        filters=selectors.LedgerFilter(
            status=filters.status,
            urgency=filters.urgency,
            category=filters.category,
            overdue=filters.overdue,
            needs_review=filters.needs_review,
            query=filters.q,
            sort=selectors.ledger_sort_of(filters.sort),
        ),
    )
    now = timezone.now()
    return render.counted_page(
        qs, limit=filters.limit, offset=filters.offset, item=lambda n: render.need_item(n, now)
    )


@router.get(
    "/counts", response={200: dict[str, int], **ERRORS}, summary="台账计数（按状态、逾期、待复核）"
)
def need_counts(request: HttpRequest):
    return selectors.ledger_counts(actor=request.auth)


@router.post("", response={201: NeedOut, **ERRORS}, summary="点单 / 登记需求")
@raises(*CHANGE)
def need_create(request: HttpRequest, payload: NeedCreateIn):
    need = services.need_create(actor=request.auth, **payload.model_dump())
    return 201, _detail(request, need)


@router.get("/{need_id}", response={200: NeedOut, **ERRORS}, summary="需求详情与流转记录")
def need_detail(request: HttpRequest, need_id: PathId):
    return _detail(request, selectors.need_get(actor=request.auth, need_id=need_id))


@router.get(
    "/{need_id}/notices", response={200: list[NeedNoticeOut], **ERRORS}, summary="已发出的通知"
)
def need_notices(request: HttpRequest, need_id: PathId):
    need = selectors.need_get(actor=request.auth, need_id=need_id)
    return [render.need_notice(n) for n in selectors.need_notices(actor=request.auth, need=need)]


@router.patch("/{need_id}", response={200: NeedOut, **ERRORS}, summary="修改需求")
@raises(*CHANGE, ErrorCode.STALE)
def need_update(request: HttpRequest, need_id: PathId, payload: NeedUpdateIn):
    # null clears the wanted time; elsewhere it means "leave as it is".
    changes = {
        k: v
        for k, v in payload.model_dump(exclude_unset=True).items()
        if v is not None or k in ("wanted_from", "wanted_until")
    }
    need = services.need_update(actor=request.auth, need_id=need_id, **changes)
    return _detail(request, need)


@router.post("/{need_id}/dispatch", response={200: NeedOut, **ERRORS}, summary="派单 / 重新派单")
@raises(*CHANGE, ErrorCode.STALE, VolunteerError.CLASH)
def need_dispatch(request: HttpRequest, need_id: PathId, payload: DispatchIn):
    need = services.need_dispatch(actor=request.auth, need_id=need_id, **payload.model_dump())
    return _detail(request, need)


@router.post("/{need_id}/accept", response={200: NeedOut, **ERRORS}, summary="接单")
@raises(*CHANGE, ErrorCode.STALE, NeedError.TAKEN, VolunteerError.CLASH)
def need_accept(request: HttpRequest, need_id: PathId, payload: AcceptIn | None = None):
    version = payload.expected_version if payload else None
    need = services.need_accept(actor=request.auth, need_id=need_id, expected_version=version)
    return _detail(request, need)


@router.post("/{need_id}/start", response={200: NeedOut, **ERRORS}, summary="开始服务")
@raises(*CHANGE, ErrorCode.STALE, NeedError.TOO_EARLY, NeedError.TOO_LATE)
def need_start(request: HttpRequest, need_id: PathId):
    return _detail(request, services.need_start(actor=request.auth, need_id=need_id))


@router.post(
    "/{need_id}/waive-start-window",
    response={200: NeedOut, **ERRORS},
    summary="社工准许接单人不按预约时间开始服务（须说明原因）",
)
@raises(*CHANGE, ErrorCode.STALE, NeedError.NO_BOOKED_TIME)
def need_waive_start_window(request: HttpRequest, need_id: PathId, payload: ReasonIn):
    need = services.need_waive_start_window(
        actor=request.auth, need_id=need_id, reason=payload.reason
    )
    return _detail(request, need)


@router.post("/{need_id}/complete", response={200: NeedOut, **ERRORS}, summary="办结")
@raises(*CHANGE, ErrorCode.STALE)
def need_complete(request: HttpRequest, need_id: PathId, payload: CompleteIn):
    need = services.need_complete(actor=request.auth, need_id=need_id, **payload.model_dump())
    return _detail(request, need)


@router.post("/{need_id}/rate", response={200: NeedOut, **ERRORS}, summary="评单")
@raises(*CHANGE, ErrorCode.STALE)
def need_rate(request: HttpRequest, need_id: PathId, payload: RateIn):
    need = services.need_rate(actor=request.auth, need_id=need_id, **payload.model_dump())
    return _detail(request, need)


@router.post("/{need_id}/return", response={200: NeedOut, **ERRORS}, summary="退回")
@raises(*CHANGE, ErrorCode.STALE)
def need_return(request: HttpRequest, need_id: PathId, payload: ReasonIn):
    need = services.need_return(actor=request.auth, need_id=need_id, reason=payload.reason)
    return _detail(request, need)


@router.post("/{need_id}/cancel", response={200: NeedOut, **ERRORS}, summary="取消")
@raises(*CHANGE, ErrorCode.STALE)
def need_cancel(request: HttpRequest, need_id: PathId, payload: ReasonIn):
    need = services.need_cancel(actor=request.auth, need_id=need_id, reason=payload.reason)
    return _detail(request, need)


@router.post("/{need_id}/unresolvable", response={200: NeedOut, **ERRORS}, summary="无法办理")
@raises(*CHANGE, ErrorCode.STALE)
def need_unresolvable(request: HttpRequest, need_id: PathId, payload: ReasonIn):
    need = services.need_mark_unresolvable(
        actor=request.auth, need_id=need_id, reason=payload.reason
    )
    return _detail(request, need)


@router.post("/{need_id}/review", response={200: NeedOut, **ERRORS}, summary="复核低分评价")
@raises(*CHANGE, ErrorCode.STALE)
def need_review(request: HttpRequest, need_id: PathId, payload: NeedReviewIn):
    need = services.need_review(actor=request.auth, need_id=need_id, **payload.model_dump())
    return _detail(request, need)


@router.get(
    "/{need_id}/candidates",
    response={200: list[CandidateOut], **ERRORS},
    summary="派单候选人（匹配引擎排序，附推荐理由）",
)
def need_candidates(request: HttpRequest, need_id: PathId):
    need = selectors.need_get(actor=request.auth, need_id=need_id)
    return [
        {
            "kind": r.candidate.kind,
            "id": r.candidate.id,
            "name": r.candidate.name,
            "skill_fit": r.skill_fit,
            "distance_m": r.distance_m,
            "open_orders": r.candidate.open_orders,
            "explanation": r.explanation,
        }
        for r in selectors.dispatch_candidates(actor=request.auth, need=need)
    ]
