"""Door-knocking campaigns: the list, launching one, its progress and the stops."""

from django.http import HttpRequest

from shezhi.api.care.common import PathId, router
from shezhi.api.care.rendering import (
    render_campaign,
    render_stop,
)
from shezhi.api.care.schemas import (
    CareCampaignIn,
    CareCampaignOut,
    CareCampaignProgressOut,
    CareStopIn,
    CareStopOut,
)
from shezhi.api.errors import CHANGE, raises
from shezhi.api.schemas import ERRORS
from shezhi.care import campaigns, selectors


@router.get("/campaigns", response={200: list[CareCampaignOut], **ERRORS}, summary="敲门行动")
def campaign_list(request: HttpRequest):
    return [render_campaign(c, request.auth) for c in selectors.campaign_list(actor=request.auth)]


@router.post(
    "/campaigns",
    response={201: CareCampaignOut, **ERRORS},
    summary="发起敲门行动（社工、督导）：范围内每户关爱对象一站，按走访顺序分给网格员",
)
@raises(*CHANGE)
def campaign_launch(request: HttpRequest, payload: CareCampaignIn):
    c = campaigns.campaign_launch(
        actor=request.auth,
        unit_id=payload.unit_id,
        name=payload.name,
        reason=payload.reason,
        tags=payload.tags,
        risk_levels=payload.risk_levels,
    )
    return 201, render_campaign(c, request.auth)


@router.get(
    "/campaigns/{campaign_id}",
    response={200: CareCampaignProgressOut, **ERRORS},
    summary="敲门行动进度（按结果、按网格）",
)
def campaign_progress(request: HttpRequest, campaign_id: PathId):
    p = selectors.campaign_progress(actor=request.auth, campaign_id=campaign_id)
    c = selectors.campaign_get(actor=request.auth, campaign_id=campaign_id)
    return {
        "campaign": render_campaign(c, request.auth),
        "total": p.total,
        "done": p.done,
        "by_outcome": p.by_outcome,
        "by_grid": [{"grid": g, "done": d, "total": t} for g, d, t in p.by_grid],
    }


@router.get(
    "/campaigns/{campaign_id}/stops",
    response={200: list[CareStopOut], **ERRORS},
    summary="我负责的门（按走访顺序）",
)
def campaign_my_stops(request: HttpRequest, campaign_id: PathId):
    stops = selectors.campaign_my_stops(actor=request.auth, campaign_id=campaign_id)
    stops = stops.select_related("resident__compound", "campaign")[:500]
    return [render_stop(s, request.auth, mine=True) for s in stops]


@router.post(
    "/stops/{stop_id}",
    response={200: CareStopOut, **ERRORS},
    summary="登记一户的敲门结果（发现问题须写说明）",
)
@raises(*CHANGE)
def stop_record(request: HttpRequest, stop_id: PathId, payload: CareStopIn):
    stop = campaigns.campaign_stop_record(
        actor=request.auth, stop_id=stop_id, outcome=payload.outcome, note=payload.note
    )
    return render_stop(stop, request.auth)
