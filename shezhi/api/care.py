"""/api/v1/care: the contact person's "today" list, a resident's care card, logging a visit
(which may raise a need in the ledger), open alerts and their acknowledgement, and coverage.
Scoping and masking are those of the care pages: outside the actor's units is 404; phones are
masked except on the card of the resident's own contact person (an audited read)."""

from datetime import date, datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from shezhi.api.errors import CHANGE, raises
from shezhi.api.schemas import ERRORS, MAX_ID, Clean, In, StrictBool
from shezhi.care import campaigns, cards, selectors, services
from shezhi.care.cadence import days_overdue
from shezhi.care.models import (
    CHECKLIST,
    Campaign,
    CampaignStop,
    CareAlert,
    CareProfile,
    ContactAssignment,
    Visit,
)
from shezhi.care.permissions import (
    CareAction,
    alert_actions_for,
    campaign_actions_for,
    care_actions_for,
    stop_actions_for,
)
from shezhi.cases import selectors as case_selectors
from shezhi.core.permissions import require

router = Router(tags=["关爱走访"])

PathId = Annotated[int, Field(ge=1, le=MAX_ID)]
Text = Annotated[str, Field(max_length=200)]


# --- schemas ----------------------------------------------------------------------------------


class TodayItemOut(Schema):
    resident_id: int
    name: str
    risk_level: str
    risk_label: str
    risk_reasons: str
    grid: str
    address: str
    phone: str = Field(description="打码")
    next_visit_due: date
    days_overdue: int
    urgent_visit_by: datetime | None


class ProfileOut(Schema):
    risk_level: str
    risk_label: str
    risk_reasons: str
    cadence: str = Field(description="走访周期，如 7天、1个月")
    registered_on: date
    next_visit_due: date
    last_visit_on: date | None
    last_seen_on: date | None
    urgent_visit_by: datetime | None
    major_change: str


class ContactOut(Schema):
    id: int
    contact_id: int
    contact_name: str
    kind: str
    kind_label: str
    started_on: date
    ended_on: date | None
    end_reason: str


class VisitOut(Schema):
    id: int
    visited_on: date
    mode: str
    contact_made: bool
    visitor: str
    checklist: dict[str, str]
    notes: dict[str, str]
    note: str
    suggested_risk_level: str
    raised_need_id: int | None


class CardResidentOut(Schema):
    id: int
    name: str
    phone: str = Field(description="一对一联系人可见完整号码（记入审计日志），其他人打码")
    phone_full: bool
    address: str


class CareCardOut(Schema):
    resident: CardResidentOut
    profile: ProfileOut | None
    contacts: list[ContactOut]
    recent_visits: list[VisitOut]


class NeedDraftIn(In):
    category: str = Field(max_length=20, description="需求类别，如 daily_care")
    urgency: str = Field(max_length=20, description="紧急程度，如 caring")
    description: str = Field(min_length=1, max_length=2000)
    title: str = Field("", max_length=60)


class VisitIn(In):
    visited_on: date = Field(description="不能晚于今天")
    contact_made: StrictBool = Field(description="是否见到本人；false 即无人应答")
    mode: Literal["home", "phone", "video", "third_party"] = "home"
    checklist: dict[str, Literal["ok", "concern", "urgent", "unknown"]] = Field(
        default_factory=dict, description="health/meals/safety/mood/living/needs → 情况"
    )
    notes: dict[str, Text] = Field(default_factory=dict, description="各检查项的说明")
    note: str = Field("", max_length=1000)
    risk_level: Literal["", "high", "key", "general"] = Field(
        "", description="风险等级变化：社工、网格员直接调整，志愿者仅作建议"
    )
    risk_reasons: str = Field("", max_length=300)
    need: NeedDraftIn | None = Field(None, description="登记为需求（预填该居民），进入民情台账")


class AlertOut(Schema):
    id: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    summary: str
    category: str
    resident_id: int | None
    resident_name: str
    community: str
    grid: str | None
    assigned_to: str | None
    due_by: datetime | None
    mandatory_report: bool
    reported_at: datetime | None
    reported_to: str
    allowed_actions: list[str] = Field(
        description="调用者此刻可进行的操作（与页面按钮、服务校验同一规则）"
    )
    created_at: datetime
    case_id: int | None = Field(None, description="由该预警开的个案（本人可见时）")
    has_case: bool = Field(False, description="已开案：不再提供“开案”")


class AlertCloseIn(In):
    note: str = Field(min_length=1, max_length=500, description="关闭原因（处置说明）")
    confirm: StrictBool = Field(description="必须为 true：关闭是有意的第二步")


class CareProfileIn(In):
    risk_level: Literal["high", "key", "general"] = Field(
        description="high 高风险 / key 重点 / general 一般"
    )
    risk_reasons: str = Field(max_length=300, description="如：80岁以上独居；刚出院")
    major_change: str = Field("", max_length=200, description="出院、丧亲等：须在24小时内走访")


class CareContactIn(In):
    contact_id: Annotated[int, Field(ge=1, le=MAX_ID)] = Field(description="联系人的用户编号")
    started_on: date | None = None


class CareContactEndIn(In):
    reason: str = Field(max_length=200)


class CareAlertReportIn(In):
    reported_to: str = Field(max_length=100, description="报告对象（公安、民政、教育部门及经办人）")
    reported_at: datetime | None = None


class CareCampaignIn(In):
    unit_id: Annotated[int, Field(ge=1, le=MAX_ID)] = Field(description="社区或网格编号")
    name: str = Field(max_length=60)
    reason: str = Field("", max_length=200)
    tags: list[Annotated[str, Field(max_length=30)]] = Field(
        default_factory=list, max_length=20, description="只走访带这些关爱标签的居民；空为全部"
    )
    risk_levels: list[Literal["high", "key", "general"]] = Field(
        default_factory=list, max_length=3, description="只走访这些风险等级；空为全部"
    )


class CareCampaignOut(Schema):
    id: int
    name: str
    reason: str
    unit_id: int
    unit: str
    target_tags: list[str]
    target_risk_levels: list[str]
    status: str
    status_label: str
    created_at: datetime
    allowed_actions: list[str] = Field(
        description="调用者此刻可进行的操作（与页面按钮、服务校验同一规则）"
    )


class CareCampaignGridOut(Schema):
    grid: str
    done: int
    total: int


class CareCampaignProgressOut(Schema):
    campaign: CareCampaignOut
    total: int
    done: int
    by_outcome: dict[str, int]
    by_grid: list[CareCampaignGridOut]


class CareStopOut(Schema):
    id: int
    campaign_id: int
    position: int
    resident_id: int
    name: str = Field(description="打码")
    address: str = Field(description="走访人自己的门：完整地址")
    outcome: str
    outcome_label: str
    note: str
    allowed_actions: list[str] = Field(
        description="调用者此刻可进行的操作（与页面按钮、服务校验同一规则）"
    )


class CareStopIn(In):
    outcome: Literal["visited", "not_home", "refused", "concern"]
    note: str = Field("", max_length=500)


class AlertQuery(Clean):
    kind: Literal["no_contact_person", "nobody_home_twice", "overdue", "crisis"] | None = None
    limit: int = Field(100, ge=1, le=500)


class CoverageQuery(Clean):
    by: Literal["grid", "compound", "community"] = "grid"


class CoverageRowOut(Schema):
    unit_id: int
    unit_name: str
    registered: int
    covered: int
    share: float = Field(description="按周期走访的比例，0–1")


class OverdueOut(Schema):
    resident_id: int
    name: str
    risk_level: str
    grid: str
    next_visit_due: date
    days_overdue: int
    last_seen_on: date | None


class CoverageOut(Schema):
    by: str
    registered: int
    covered: int
    rows: list[CoverageRowOut]
    overdue_longest: list[OverdueOut]


# --- rendering --------------------------------------------------------------------------------


def _profile(p: CareProfile) -> dict:
    return {
        "risk_level": p.risk_level,
        "risk_label": p.get_risk_level_display(),
        "risk_reasons": p.risk_reasons,
        "cadence": services.rules().interval(p.risk_level).describe(),
        "registered_on": p.registered_on,
        "next_visit_due": p.next_visit_due,
        "last_visit_on": p.last_visit_on,
        "last_seen_on": p.last_seen_on,
        "urgent_visit_by": p.urgent_visit_by,
        "major_change": p.major_change_note,
    }


def _contact(a: ContactAssignment) -> dict:
    return {
        "id": a.pk,
        "contact_id": a.contact_id,
        "contact_name": str(a.contact),
        "kind": a.kind,
        "kind_label": a.get_kind_display(),
        "started_on": a.started_on,
        "ended_on": a.ended_on,
        "end_reason": a.end_reason,
    }


def _visit(v: Visit) -> dict:
    return {
        "id": v.pk,
        "visited_on": v.visited_on,
        "mode": v.mode,
        "contact_made": v.contact_made,
        "visitor": str(v.visitor),
        "checklist": {i: getattr(v, i) for i in CHECKLIST},
        "notes": {i: getattr(v, f"{i}_note") for i in CHECKLIST},
        "note": v.note,
        "suggested_risk_level": v.suggested_risk_level,
        "raised_need_id": v.raised_need_id,
    }


def _alert(a: CareAlert, actor, cases: tuple[dict[int, int], set[int]] | None = None) -> dict:
    case_of, with_case = cases or _cases_of(actor, [a.pk])
    name = ""
    if a.resident is not None:
        name = (
            a.resident.name if actor.is_staff_role or actor.is_superuser else a.resident.masked_name
        )
    return {
        "id": a.pk,
        "kind": a.kind,
        "kind_label": a.get_kind_display(),
        "status": a.status,
        "status_label": a.get_status_display(),
        "summary": a.summary,
        "category": a.category,
        "resident_id": a.resident_id,
        "resident_name": name,
        "community": a.community.name,
        "grid": a.grid.name if a.grid_id else None,
        "assigned_to": str(a.assigned_to) if a.assigned_to_id else None,
        "due_by": a.due_by,
        "mandatory_report": a.mandatory_report,
        "reported_at": a.reported_at,
        "reported_to": a.reported_to,
        "created_at": a.created_at,
        "case_id": case_of.get(a.pk),
        "has_case": a.pk in with_case,
        "allowed_actions": sorted(alert_actions_for(actor, a)),
    }


def _cases_of(actor, alert_ids: list[int]) -> tuple[dict[int, int], set[int]]:
    return (
        case_selectors.cases_of_alerts(actor=actor, alert_ids=alert_ids),
        case_selectors.alerts_with_case(alert_ids=alert_ids),
    )


def _campaign(c: Campaign, actor) -> dict:
    return {
        "id": c.pk,
        "name": c.name,
        "reason": c.reason,
        "unit_id": c.unit_id,
        "unit": c.unit.name,
        "target_tags": c.target_tags,
        "target_risk_levels": c.target_risk_levels,
        "status": c.status,
        "status_label": c.get_status_display(),
        "created_at": c.created_at,
        "allowed_actions": sorted(campaign_actions_for(actor, c)),
    }


def _stop(s: CampaignStop, actor, *, mine: bool | None = None) -> dict:
    return {
        "id": s.pk,
        "campaign_id": s.campaign_id,
        "position": s.position,
        "resident_id": s.resident_id,
        "name": s.resident.masked_name,
        "address": cards.shown_address(actor, s.resident, is_contact=True),
        "outcome": s.outcome,
        "outcome_label": s.get_outcome_display(),
        "note": s.note,
        "allowed_actions": sorted(stop_actions_for(actor, s, mine=mine)),
    }


def _card(actor, resident_id: int) -> dict:
    c = cards.care_card(actor=actor, resident_id=resident_id)
    return {
        "resident": {
            "id": c.resident.pk,
            "name": c.resident.name,
            "phone": c.phone,
            "phone_full": c.phone_full,
            "address": c.address,
        },
        "profile": _profile(c.profile) if c.profile else None,
        "contacts": [_contact(a) for a in c.contacts],
        "recent_visits": [_visit(v) for v in c.visits],
    }


# --- operations -------------------------------------------------------------------------------


@router.get("/today", response={200: list[TodayItemOut], **ERRORS}, summary="我今天要走访的人")
def today(request: HttpRequest):
    actor = request.auth
    day = timezone.localdate()
    return [
        {
            "resident_id": p.resident_id,
            "name": p.resident.name,
            "risk_level": p.risk_level,
            "risk_label": p.get_risk_level_display(),
            "risk_reasons": p.risk_reasons,
            "grid": p.grid.name,
            "address": cards.shown_address(actor, p.resident, is_contact=True),
            "phone": cards.listed_phone(p.resident),
            "next_visit_due": p.next_visit_due,
            "days_overdue": days_overdue(p.next_visit_due, day),
            "urgent_visit_by": p.urgent_visit_by,
        }
        for p in selectors.today_list(actor=actor, today=day)[:500]
    ]


@router.get(
    "/residents/{resident_id}",
    response={200: CareCardOut, **ERRORS},
    summary="关爱卡：风险、走访周期、联系人和最近走访",
)
def card(request: HttpRequest, resident_id: PathId):
    return _card(request.auth, resident_id)


@router.post(
    "/residents/{resident_id}/visits",
    response={201: VisitOut, **ERRORS},
    summary="登记走访（可登记需求、调整风险等级）",
)
@raises(*CHANGE)
def visit_create(request: HttpRequest, resident_id: PathId, payload: VisitIn):
    need = payload.need
    visit = services.visit_log(
        actor=request.auth,
        resident_id=resident_id,
        visited_on=payload.visited_on,
        contact_made=payload.contact_made,
        mode=payload.mode,
        checklist=payload.checklist,
        notes=payload.notes,
        note=payload.note,
        risk_level=payload.risk_level,
        risk_reasons=payload.risk_reasons,
        need=services.NeedDraft(
            category=need.category,
            urgency=need.urgency,
            description=need.description,
            title=need.title,
        )
        if need is not None
        else None,
    )
    return 201, _visit(visit)


@router.get("/alerts", response={200: list[AlertOut], **ERRORS}, summary="待处理的关爱预警")
def alert_list(request: HttpRequest, filters: Query[AlertQuery]):
    qs = selectors.alerts_open(actor=request.auth, kind=filters.kind).select_related("grid")
    alerts = list(qs[: filters.limit])
    cases = _cases_of(request.auth, [a.pk for a in alerts])
    return [_alert(a, request.auth, cases) for a in alerts]


@router.post(
    "/alerts/{alert_id}/acknowledge", response={200: AlertOut, **ERRORS}, summary="确认预警"
)
@raises(*CHANGE)
def alert_acknowledge(request: HttpRequest, alert_id: PathId):
    alert = services.alert_acknowledge(actor=request.auth, alert_id=alert_id)
    return _alert(selectors.alert_get(actor=request.auth, alert_id=alert.pk), request.auth)


@router.post(
    "/alerts/{alert_id}/close",
    response={200: AlertOut, **ERRORS},
    summary="关闭预警（须填写原因并确认 confirm=true）",
)
@raises(*CHANGE)
def alert_close(request: HttpRequest, alert_id: PathId, payload: AlertCloseIn):
    alert = services.alert_close(
        actor=request.auth, alert_id=alert_id, note=payload.note, confirmed=payload.confirm
    )
    return _alert(selectors.alert_get(actor=request.auth, alert_id=alert.pk), request.auth)


@router.get(
    "/coverage",
    response={200: CoverageOut, **ERRORS},
    summary="走访覆盖率（按网格、小区或社区）和逾期最久名单",
)
def coverage(request: HttpRequest, filters: Query[CoverageQuery]):
    actor = request.auth
    # The overview page's gate (a grid worker has their own list instead).
    require(CareAction.VIEW_COVERAGE, care_actions_for(actor), message="您的角色无权查看走访覆盖率")
    rows = selectors.coverage(actor=actor, by=filters.by)
    day = timezone.localdate()
    return {
        "by": filters.by,
        "registered": sum(r.registered for r in rows),
        "covered": sum(r.covered for r in rows),
        "rows": [
            {
                "unit_id": r.unit_id,
                "unit_name": r.unit_name,
                "registered": r.registered,
                "covered": r.covered,
                "share": round(r.share, 4),
            }
            for r in rows
        ],
        "overdue_longest": [
            {
                "resident_id": p.resident_id,
                "name": p.resident.name,
                "risk_level": p.risk_level,
                "grid": p.grid.name,
                "next_visit_due": p.next_visit_due,
                "days_overdue": days_overdue(p.next_visit_due, day),
                "last_seen_on": p.last_seen_on,
            }
            for p in selectors.overdue_longest(actor=actor, today=day)
        ],
    }


@router.post(
    "/residents/{resident_id}/profile",
    response={200: ProfileOut, **ERRORS},
    summary="登记关爱对象或调整风险等级（社工、网格员、督导）",
)
@raises(*CHANGE)
def profile_set(request: HttpRequest, resident_id: PathId, payload: CareProfileIn):
    profile = services.care_profile_set(
        actor=request.auth, resident_id=resident_id, **payload.model_dump()
    )
    return _profile(profile)


@router.post(
    "/residents/{resident_id}/contacts",
    response={201: ContactOut, **ERRORS},
    summary="指派一对一联系人",
)
@raises(*CHANGE)
def contact_assign(request: HttpRequest, resident_id: PathId, payload: CareContactIn):
    a = services.contact_assign(
        actor=request.auth,
        resident_id=resident_id,
        contact_id=payload.contact_id,
        started_on=payload.started_on,
    )
    return 201, _contact(a)


@router.post(
    "/contacts/{assignment_id}/end",
    response={200: ContactOut, **ERRORS},
    summary="结束一对一联系人（记录保留）",
)
@raises(*CHANGE)
def contact_end(request: HttpRequest, assignment_id: PathId, payload: CareContactEndIn):
    a = services.contact_end(actor=request.auth, assignment_id=assignment_id, reason=payload.reason)
    return _contact(a)


@router.post(
    "/alerts/{alert_id}/report",
    response={200: AlertOut, **ERRORS},
    summary="登记强制报告",
)
@raises(*CHANGE)
def alert_report(request: HttpRequest, alert_id: PathId, payload: CareAlertReportIn):
    services.alert_record_report(
        actor=request.auth,
        alert_id=alert_id,
        reported_to=payload.reported_to,
        reported_at=payload.reported_at,
    )
    return _alert(selectors.alert_get(actor=request.auth, alert_id=alert_id), request.auth)


@router.get("/campaigns", response={200: list[CareCampaignOut], **ERRORS}, summary="敲门行动")
def campaign_list(request: HttpRequest):
    return [_campaign(c, request.auth) for c in selectors.campaign_list(actor=request.auth)]


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
    return 201, _campaign(c, request.auth)


@router.get(
    "/campaigns/{campaign_id}",
    response={200: CareCampaignProgressOut, **ERRORS},
    summary="敲门行动进度（按结果、按网格）",
)
def campaign_progress(request: HttpRequest, campaign_id: PathId):
    p = selectors.campaign_progress(actor=request.auth, campaign_id=campaign_id)
    c = selectors.campaign_get(actor=request.auth, campaign_id=campaign_id)
    return {
        "campaign": _campaign(c, request.auth),
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
    return [_stop(s, request.auth, mine=True) for s in stops]


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
    return _stop(stop, request.auth)
