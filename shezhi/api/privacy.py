"""/api/v1/privacy: residents' data rights (PIPL arts. 44–47) — see and download what the
platform holds, ask for a correction or deletion, and (desk staff) answer within the deadline.

A resident acts for themself (resident_id is ignored); desk staff name a resident in their scope.
Each handler calls one service or selector (shezhi.privacy)."""

from datetime import date, datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema

from shezhi.api.errors import CHANGE, raises
from shezhi.api.schemas import ERRORS, MAX_ID, Clean, ErrorOut, In, StrictBool
from shezhi.core.downloads import PDF, private_download
from shezhi.core.errors import ErrorCode
from shezhi.privacy import selectors, services
from shezhi.privacy.errors import PrivacyError
from shezhi.privacy.export import resident_data, resident_data_pdf
from shezhi.privacy.models import RightsRequest
from shezhi.privacy.permissions import data_actions_for, request_actions_for

router = Router(tags=["个人信息权利"])

PathId = Annotated[int, Field(ge=1, le=MAX_ID)]
ResidentId = Annotated[
    int | None,
    Field(None, ge=1, le=MAX_ID, description="居民编号（工作人员代办时填写；居民本人不填）"),
]


class PrivacyResidentQuery(Clean):
    resident_id: ResidentId = None


class SectionOut(Schema):
    key: str
    title: str
    items: list[dict[str, str]]
    note: str


class DataOut(Schema):
    platform: str
    generated_at: str
    resident_id: int
    deleted: bool = Field(description="个人信息已删除（匿名化）")
    sections: list[SectionOut]
    allowed_actions: list[str] = Field(description="view / export / request")


class PlanItemOut(Schema):
    code: str
    label: str
    action: str = Field(description="删除时对这类信息的处理")
    period: str
    why: str
    kept_now: bool = Field(description="此时办理删除，这类信息是否保留")


class PlanOut(Schema):
    cases_in_retention: int
    note: str = Field(description="有在办或保存期内个案时，说明保留什么、为什么")
    items: list[PlanItemOut]


class RequestIn(In):
    kind: str = Field(
        description="access 查阅复制 / correction 更正 / deletion 删除", max_length=20
    )
    details: str = Field("", max_length=1000, description="更正请求须写明哪项有误、正确内容")
    resident_id: ResidentId = None


class AnswerIn(In):
    accept: StrictBool = Field(description="true 办理；false 不予办理（须写理由）")
    answer: str = Field("", max_length=1000)


class RequestOut(Schema):
    id: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    resident_id: int
    resident: str = Field(description="居民姓名（打码）")
    details: str
    on_behalf: bool
    created_at: datetime
    due_on: date
    overdue: bool
    answer: str
    answered_at: datetime | None
    outcome: dict[str, Any]
    allowed_actions: list[str] = Field(description="answer")


class PrivacyRequestQuery(Clean):
    open: bool = Field(False, description="只看待办理")
    resident_id: ResidentId = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10**9)


def _request_out(req: RightsRequest, actor) -> dict:
    return {
        "id": req.pk,
        "kind": req.kind,
        "kind_label": req.get_kind_display(),
        "status": req.status,
        "status_label": req.get_status_display(),
        "resident_id": req.resident_id,
        "resident": req.resident.masked_name,
        "details": req.details,
        "on_behalf": req.on_behalf,
        "created_at": req.created_at,
        "due_on": req.due_on,
        "overdue": req.status == RightsRequest.Status.OPEN and req.due_on < timezone.localdate(),
        "answer": req.answer,
        "answered_at": req.answered_at,
        "outcome": req.outcome,
        "allowed_actions": sorted(request_actions_for(actor, req)),
    }


@router.get("/data", response={200: DataOut, **ERRORS}, summary="个人信息汇总（查阅）")
@raises(ErrorCode.NOT_FOUND)
def data_view(request: HttpRequest, query: Query[PrivacyResidentQuery]):
    resident = selectors.rights_resident(actor=request.auth, resident_id=query.resident_id)
    data = resident_data(actor=request.auth, resident=resident)
    return {**data, "allowed_actions": sorted(data_actions_for(request.auth, resident))}


@router.get(
    "/data.pdf",
    response={200: None, **ERRORS, 503: ErrorOut},
    summary="下载个人信息副本 PDF",
    openapi_extra={
        "responses": {
            200: {
                "description": "PDF",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
@raises(ErrorCode.NOT_FOUND, PrivacyError.FONT_MISSING)
def data_pdf(request: HttpRequest, query: Query[PrivacyResidentQuery]):
    resident = selectors.rights_resident(actor=request.auth, resident_id=query.resident_id)
    content = resident_data_pdf(actor=request.auth, resident=resident)
    return private_download(content, "个人信息副本.pdf", PDF)


@router.get("/deletion-plan", response={200: PlanOut, **ERRORS}, summary="删除时保留什么、为什么")
@raises(ErrorCode.NOT_FOUND)
def deletion_plan(request: HttpRequest, query: Query[PrivacyResidentQuery]):
    resident = selectors.rights_resident(actor=request.auth, resident_id=query.resident_id)
    return selectors.deletion_plan(resident)


@router.get("/requests", response={200: list[RequestOut], **ERRORS}, summary="个人信息请求列表")
def request_list(request: HttpRequest, query: Query[PrivacyRequestQuery]):
    rows = selectors.requests_for_desk(actor=request.auth, only_open=query.open)
    if query.resident_id is not None:
        rows = rows.filter(resident_id=query.resident_id)
    return [_request_out(r, request.auth) for r in rows[query.offset : query.offset + query.limit]]


@router.post("/requests", response={201: RequestOut, **ERRORS}, summary="提出查阅、更正或删除请求")
@raises(ErrorCode.NOT_FOUND, PrivacyError.DUPLICATE)
def request_create(request: HttpRequest, payload: RequestIn):
    resident = selectors.rights_resident(actor=request.auth, resident_id=payload.resident_id)
    req = services.rights_request_create(
        actor=request.auth, resident=resident, kind=payload.kind, details=payload.details
    )
    return 201, _request_out(req, request.auth)


@router.get("/requests/{request_id}", response={200: RequestOut, **ERRORS}, summary="请求详情")
def request_detail(request: HttpRequest, request_id: Path[PathId]):
    req = selectors.request_get(actor=request.auth, request_id=request_id)
    return _request_out(req, request.auth)


@router.post(
    "/requests/{request_id}/answer", response={200: RequestOut, **ERRORS}, summary="办理请求"
)
@raises(*CHANGE, PrivacyError.ALREADY_DELETED)
def request_answer(request: HttpRequest, request_id: Path[PathId], payload: AnswerIn):
    req = selectors.request_get(actor=request.auth, request_id=request_id)
    req = services.rights_request_answer(
        actor=request.auth, request=req, accept=payload.accept, answer=payload.answer
    )
    return _request_out(req, request.auth)
