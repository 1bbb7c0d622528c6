"""/api/v1 service teams: application, review, membership and roles."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Schema

from shezhi.api.errors import CHANGE, raises
from shezhi.api.render import masked_ref, ref
from shezhi.api.schemas import ERRORS, Clean, Id, In, StrictBool
from shezhi.api.volunteers.common import (
    TEAMS,
    PathId,
    router,
)
from shezhi.api.volunteers.volunteers import VolunteerItemOut, volunteer_item
from shezhi.volunteers import selectors, teams
from shezhi.volunteers.models import (
    Team,
    TeamMembership,
)
from shezhi.volunteers.permissions import TeamAction, team_actions_for


class TeamApplyIn(In):
    community_id: Id
    name: str = Field(max_length=60)
    kind: Literal[tuple(Team.Kind.values)]  # type: ignore[valid-type]
    charter: str = Field(max_length=5000)
    leader_id: Id | None = Field(None, description="社工申请时指定队长；志愿者申请时本人任队长")
    guide_id: Id | None = None


class TeamReviewIn(In):
    approve: StrictBool
    reason: str = Field("", max_length=300)


class TeamMemberIn(In):
    volunteer_id: Id | None = Field(None, description="不填为本人")


class TeamLeaveIn(In):
    volunteer_id: Id | None = Field(
        None, description="不填为本人退出；队长、副队长或社工可移出队员"
    )
    note: str = Field("", max_length=200)


class TeamRoleIn(In):
    volunteer_id: Id
    role: Literal[tuple(TeamMembership.TeamRole.values)]  # type: ignore[valid-type]


class TeamItemOut(Schema):
    id: int
    name: str
    kind: str
    status: str
    community: dict[str, Any] | None
    leader: dict[str, Any] | None = Field(description="队长（姓名打码）")
    guide: dict[str, Any] | None


class TeamFiguresOut(Schema):
    members: int
    services: int
    hours: Decimal
    rating: Decimal | None


class MemberOut(Schema):
    volunteer: VolunteerItemOut
    role: str
    joined_at: date


class TeamEventOut(Schema):
    volunteer_no: str
    kind: str
    role: str
    at: datetime
    note: str


class TeamOut(TeamItemOut):
    charter: str
    refusal_reason: str
    allowed_actions: list[str] = Field(
        description="当前用户可对该队执行的操作（review、join、leave、manage_members），与页面按钮一致"
    )
    figures: TeamFiguresOut
    members: list[MemberOut]
    history: list[TeamEventOut]


class TeamQuery(Clean):
    status: Literal[tuple(Team.Status.values)] | None = None  # type: ignore[valid-type]
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10**9)


def _team_item(t: Team) -> dict[str, Any]:
    return {
        "id": t.pk,
        "name": t.name,
        "kind": t.kind,
        "status": t.status,
        "community": ref(t.community),
        "leader": masked_ref(t.leader),
        "guide": ref(t.guide),
    }


def _team(request: HttpRequest, team_id: int) -> dict[str, Any]:
    t = selectors.team_get(actor=request.auth, team_id=team_id)
    figures = selectors.team_figures(t)
    return {
        **_team_item(t),
        "charter": t.charter,
        "refusal_reason": t.refusal_reason,
        "allowed_actions": [a.value for a in TeamAction if a in team_actions_for(request.auth, t)],
        "figures": figures.__dict__,
        "members": [
            {"volunteer": volunteer_item(m.volunteer), "role": m.role, "joined_at": m.joined_at}
            for m in selectors.team_members(t).select_related("volunteer__community")
        ],
        "history": [
            {
                "volunteer_no": e.volunteer.volunteer_no,
                "kind": e.kind,
                "role": e.role,
                "at": e.at,
                "note": e.note,
            }
            for e in selectors.team_history(t).order_by("at", "id")[:500]
        ],
    }


@router.post("/teams", response={201: TeamOut, **ERRORS}, summary="申请成立服务队", tags=TEAMS)
@raises(*CHANGE)
def team_apply(request: HttpRequest, payload: TeamApplyIn):
    team = teams.team_apply(actor=request.auth, **payload.model_dump())
    return 201, _team(request, team.pk)


@router.get("/teams", response={200: list[TeamItemOut], **ERRORS}, summary="服务队列表", tags=TEAMS)
def team_list(request: HttpRequest, filters: Query[TeamQuery]):
    qs = selectors.teams_in_scope(actor=request.auth, status=filters.status)
    return [_team_item(t) for t in qs[filters.offset : filters.offset + filters.limit]]


@router.get(
    "/teams/{team_id}",
    response={200: TeamOut, **ERRORS},
    summary="服务队详情（数据、队员、成员变动）",
    tags=TEAMS,
)
def team_detail(request: HttpRequest, team_id: PathId):
    return _team(request, team_id)


@router.post(
    "/teams/{team_id}/review",
    response={200: TeamOut, **ERRORS},
    summary="审核成立申请（不予成立须说明理由）",
    tags=TEAMS,
)
@raises(*CHANGE)
def team_review(request: HttpRequest, team_id: PathId, payload: TeamReviewIn):
    teams.team_review(actor=request.auth, team_id=team_id, **payload.model_dump())
    return _team(request, team_id)


@router.post(
    "/teams/{team_id}/join",
    response={200: TeamOut, **ERRORS},
    summary="加入 / 添加队员",
    tags=TEAMS,
)
@raises(*CHANGE)
def team_join(request: HttpRequest, team_id: PathId, payload: TeamMemberIn | None = None):
    volunteer_id = payload.volunteer_id if payload else None
    teams.team_join(actor=request.auth, team_id=team_id, volunteer_id=volunteer_id)
    return _team(request, team_id)


@router.post(
    "/teams/{team_id}/leave", response={204: None, **ERRORS}, summary="退出 / 移出队员", tags=TEAMS
)
@raises(*CHANGE)
def team_leave(request: HttpRequest, team_id: PathId, payload: TeamLeaveIn | None = None):
    data = payload.model_dump() if payload else {}
    teams.team_leave(actor=request.auth, team_id=team_id, **data)
    return 204, None


@router.post(
    "/teams/{team_id}/role", response={200: TeamOut, **ERRORS}, summary="调整队内角色", tags=TEAMS
)
@raises(*CHANGE)
def team_set_role(request: HttpRequest, team_id: PathId, payload: TeamRoleIn):
    teams.team_set_role(actor=request.auth, team_id=team_id, **payload.model_dump())
    return _team(request, team_id)
