"""Creating, editing and cancelling activities (staff of the unit, or a leader of the team)."""

from datetime import datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Schema
from pydantic import Strict

from shezhi.accounts.models import User
from shezhi.activities import editing, services
from shezhi.activities.errors import ActivityError
from shezhi.activities.models import Activity
from shezhi.activities.permissions import activity_actions_for
from shezhi.api.activities.common import PathId, router
from shezhi.api.errors import CHANGE, raises
from shezhi.api.render import actions_list
from shezhi.api.schemas import ERRORS, Id, In, StrictBool


class PositionIn(In):
    name: str = Field(min_length=1, max_length=60)
    quota: Annotated[int, Strict(), Field(ge=1, le=1000)]
    duties: str = Field("", max_length=300)
    skills: list[Annotated[str, Field(max_length=40)]] = Field([], max_length=20)
    certificates: list[Annotated[str, Field(max_length=40)]] = Field([], max_length=20)
    min_age: Annotated[int, Strict(), Field(ge=0, le=120)] | None = None
    max_age: Annotated[int, Strict(), Field(ge=0, le=120)] | None = None
    hazardous: StrictBool = False


class ActivityCreateIn(In):
    title: str = Field(min_length=1, max_length=100)
    category: str = Field(max_length=30)
    description: str = Field(max_length=2000)
    venue: str = Field(max_length=200)
    starts_at: datetime
    ends_at: datetime
    person_in_charge: str = Field(max_length=30)
    positions: list[PositionIn] = Field(min_length=1, max_length=20, description="一个或多个岗位")
    organiser_unit_id: Id | None = Field(None, description="社工：组织单位（街道或社区）")
    team_id: Id | None = Field(None, description="服务队队长：所带的服务队")
    station_id: Id | None = None
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    checkin_radius_m: Annotated[int, Strict(), Field(ge=20, le=5000)] | None = None
    risk_statement: str = Field("", max_length=2000)
    scope: str = Field("unit", max_length=20, description="unit、everyone 或 team")
    scope_unit_id: Id | None = None
    scope_team_id: Id | None = None
    requires_approval: StrictBool = False
    cancel_cutoff_hours: Annotated[int, Strict(), Field(ge=0, le=720)] = 24
    beneficiaries_headcount: Annotated[int, Strict(), Field(ge=0, le=100000)] = 0


class PositionEditIn(In):
    id: Id | None = Field(None, description="已有岗位的编号；不填为新增")
    name: str = Field(min_length=1, max_length=60)
    quota: Annotated[int, Strict(), Field(ge=1, le=1000)]
    duties: str = Field("", max_length=300)
    min_age: Annotated[int, Strict(), Field(ge=0, le=120)] | None = None
    max_age: Annotated[int, Strict(), Field(ge=0, le=120)] | None = None
    hazardous: StrictBool = False
    delete: StrictBool = False


class ActivityUpdateIn(In):
    title: str = Field(min_length=1, max_length=100)
    description: str = Field(max_length=2000)
    venue: str = Field(max_length=200)
    starts_at: datetime
    ends_at: datetime
    positions: list[PositionEditIn] = Field(min_length=1, max_length=20)


class ActivityCancelIn(In):
    reason: str = Field(min_length=1, max_length=300)


class ActivityPositionOut(Schema):
    id: int
    name: str
    quota: int
    hazardous: bool


class ActivityOut(Schema):
    id: int
    title: str
    status: str
    organiser_unit_id: int
    team_id: int | None
    starts_at: datetime
    ends_at: datetime
    positions: list[ActivityPositionOut]
    allowed_actions: list[str] = Field(
        description="当前用户此刻可对该活动执行的操作（activities/permissions.py），与页面按钮一致"
    )


def render_activity(activity: Activity, actor: User) -> dict:
    return {
        "id": activity.pk,
        "title": activity.title,
        "status": activity.status,
        "organiser_unit_id": activity.organiser_unit_id,
        "team_id": activity.team_id,
        "starts_at": activity.starts_at,
        "ends_at": activity.ends_at,
        "positions": [
            {"id": p.pk, "name": p.name, "quota": p.quota, "hazardous": p.hazardous}
            for p in activity.positions.order_by("id")
        ],
        "allowed_actions": actions_list(activity_actions_for(actor, activity)),
    }


@router.post("", response={201: ActivityOut, **ERRORS}, summary="发起活动（草稿，可设多个岗位）")
@raises(*CHANGE)
def activity_create(request: HttpRequest, payload: ActivityCreateIn):
    fields = payload.model_dump()
    positions = [services.PositionSpec(**p) for p in fields.pop("positions")]
    spec = services.ActivitySpec(positions=positions, **fields)
    activity = services.activity_create(actor=request.auth, spec=spec)
    return 201, render_activity(activity, request.auth)


@router.patch(
    "/{activity_id}", response={200: ActivityOut, **ERRORS}, summary="修改活动及其岗位（组织者）"
)
@raises(*CHANGE, ActivityError.BELOW_HELD)
def activity_update(request: HttpRequest, activity_id: PathId, payload: ActivityUpdateIn):
    fields = payload.model_dump()
    positions = [editing.PositionEdit(**p) for p in fields.pop("positions")]
    activity = editing.activity_update(
        actor=request.auth, activity_id=activity_id, positions=positions, **fields
    )
    return render_activity(activity, request.auth)


@router.post(
    "/{activity_id}/cancel", response={200: ActivityOut, **ERRORS}, summary="取消活动（组织者）"
)
@raises(*CHANGE)
def activity_cancel(request: HttpRequest, activity_id: PathId, payload: ActivityCancelIn):
    activity = services.activity_cancel(
        actor=request.auth, activity_id=activity_id, reason=payload.reason
    )
    return render_activity(activity, request.auth)
