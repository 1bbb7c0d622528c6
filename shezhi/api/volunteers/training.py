"""/api/v1 a volunteer's training records and honours."""

from datetime import date

from django.http import HttpRequest
from ninja import Field, Schema

from shezhi.api.errors import CHANGE, raises
from shezhi.api.schemas import ERRORS, In
from shezhi.api.volunteers.common import Minutes, PathId, router
from shezhi.volunteers import selectors, services


class TrainingIn(In):
    name: str = Field(max_length=100)
    content: str = Field(max_length=2000)
    minutes: Minutes
    organiser: str = Field(max_length=100)
    day: date


class TrainingOut(Schema):
    id: int
    name: str
    content: str
    minutes: int
    organiser: str
    day: date


class HonourIn(In):
    name: str = Field(max_length=100)
    day: date
    grantor: str = Field(max_length=100)


class HonourOut(Schema):
    id: int
    name: str
    day: date
    grantor: str


@router.post(
    "/volunteers/{volunteer_id}/trainings",
    response={201: TrainingOut, **ERRORS},
    summary="记录培训",
)
@raises(*CHANGE)
def training_create(request: HttpRequest, volunteer_id: PathId, payload: TrainingIn):
    training = services.training_record_create(
        actor=request.auth, volunteer_id=volunteer_id, **payload.model_dump()
    )
    return 201, training


@router.get(
    "/volunteers/{volunteer_id}/trainings",
    response={200: list[TrainingOut], **ERRORS},
    summary="培训记录",
)
def training_list(request: HttpRequest, volunteer_id: PathId):
    volunteer = selectors.volunteer_get(actor=request.auth, volunteer_id=volunteer_id)
    return list(volunteer.trainings.order_by("-day", "-id")[:500])


@router.post(
    "/volunteers/{volunteer_id}/honours", response={201: HonourOut, **ERRORS}, summary="记录荣誉"
)
@raises(*CHANGE)
def honour_create(request: HttpRequest, volunteer_id: PathId, payload: HonourIn):
    honour = services.honour_create(
        actor=request.auth, volunteer_id=volunteer_id, **payload.model_dump()
    )
    return 201, honour


@router.get(
    "/volunteers/{volunteer_id}/honours",
    response={200: list[HonourOut], **ERRORS},
    summary="荣誉记录",
)
def honour_list(request: HttpRequest, volunteer_id: PathId):
    volunteer = selectors.volunteer_get(actor=request.auth, volunteer_id=volunteer_id)
    return list(volunteer.honours.order_by("-day", "-id")[:500])
