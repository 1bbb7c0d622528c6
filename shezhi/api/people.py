"""/api/v1/residents: masked everywhere except the audited reveal."""

from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from shezhi.api import render
from shezhi.api.errors import CHANGE, raises
from shezhi.api.schemas import (
    ERRORS,
    MAX_ID,
    Clean,
    ResidentCreateIn,
    ResidentOut,
    ResidentPageOut,
    ResidentRevealOut,
    ResidentUpdateIn,
)
from shezhi.people import selectors, services

router = Router(tags=["居民"])

PathId = Annotated[int, Field(ge=1, le=MAX_ID)]


class ResidentQuery(Clean):
    q: str | None = Field(None, max_length=30, description="姓名或地址包含；或完整身份证号、手机号")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10**9)


@router.get("", response={200: ResidentPageOut, **ERRORS}, summary="居民列表（打码）")
def resident_list(request: HttpRequest, filters: Query[ResidentQuery]):
    qs = selectors.residents_search(actor=request.auth, query=filters.q or "")
    qs = qs.prefetch_related("tags")
    return render.counted_page(qs, limit=filters.limit, offset=filters.offset, item=render.resident)


class PickQuery(Clean):
    q: str = Field(max_length=30, description="姓名包含")


class PickedOut(Schema):
    id: int
    name: str = Field(description="打码")
    compound: str
    grid: str
    label: str


@router.get("/pick", response={200: list[PickedOut], **ERRORS}, summary="按姓名选居民（打码）")
def resident_pick(request: HttpRequest, filters: Query[PickQuery]):
    picked = selectors.residents_pick(actor=request.auth, query=filters.q)
    return [{**p.__dict__, "label": p.label} for p in picked]


@router.post("", response={201: ResidentOut, **ERRORS}, summary="登记居民")
@raises(*CHANGE)
def resident_create(request: HttpRequest, payload: ResidentCreateIn):
    resident = services.resident_create(actor=request.auth, **payload.model_dump())
    return 201, render.resident(resident)


@router.get("/{resident_id}", response={200: ResidentOut, **ERRORS}, summary="居民详情（打码）")
def resident_detail(request: HttpRequest, resident_id: PathId):
    return render.resident(selectors.resident_get(actor=request.auth, resident_id=resident_id))


@router.patch("/{resident_id}", response={200: ResidentOut, **ERRORS}, summary="修改居民信息")
@raises(*CHANGE)
def resident_update(request: HttpRequest, resident_id: PathId, payload: ResidentUpdateIn):
    changes = payload.model_dump(exclude_unset=True, exclude_none=True)
    resident = services.resident_update(actor=request.auth, resident_id=resident_id, **changes)
    return render.resident(resident)


@router.post(
    "/{resident_id}/reveal",
    response={200: ResidentRevealOut, **ERRORS},
    summary="查看完整身份证号和手机号（记入审计日志）",
)
@raises(*CHANGE)
def resident_reveal(request: HttpRequest, resident_id: PathId):
    resident = selectors.resident_reveal(actor=request.auth, resident_id=resident_id)
    return {
        "id": resident.pk,
        "name": resident.name,
        "id_number": resident.id_number,
        "phone": resident.phone,
    }
