"""/api/v1 volunteers, service records, corrections, teams, training and honours, and the
volunteer's own summary. Each handler parses input, calls one service or selector and renders;
ID numbers and phones are always masked; out-of-scope objects answer 404."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from shezhi.api.errors import CHANGE, raises
from shezhi.api.render import ref
from shezhi.api.schemas import ERRORS, MAX_ID, Clean, ClockTime, Id, In, StrictBool
from shezhi.core.errors import ErrorCode, NotFound
from shezhi.timebank.selectors import balance_of
from shezhi.volunteers import holds, selectors, services, teams
from shezhi.volunteers.models import (
    Certificate,
    CorrectionRequest,
    PoliticalStatus,
    ServiceCategory,
    ServiceRecord,
    Team,
    TeamMembership,
    Volunteer,
)
from shezhi.volunteers.permissions import TeamAction, team_actions_for

router = Router(tags=["志愿者与服务记录"])

PathId = Annotated[int, Field(ge=1, le=MAX_ID)]
Minutes = Annotated[int, Field(strict=True, ge=1, le=24 * 60)]
Text30 = Annotated[str, Field(max_length=30)]
Text20 = Annotated[str, Field(max_length=20)]
Level = Annotated[int, Field(strict=True)]  # the range 1–5 is the service's rule
TEAMS = ["服务队"]
RECORDS = ["志愿服务记录"]


class Page(Clean):
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10**9)


# --- volunteers -------------------------------------------------------------------------------


class AvailabilityIn(In):
    weekday: int = Field(strict=True, ge=0, le=6, description="0=星期一 … 6=星期日")
    start: ClockTime
    end: ClockTime


class CertificateIn(In):
    kind: Literal[tuple(Certificate.Kind.values)]  # type: ignore[valid-type]
    number: str = Field(min_length=1, max_length=40)
    expires_on: date | None = None


class VolunteerRegisterIn(In):
    name: str = Field(max_length=30)
    id_number: str = Field(max_length=18)
    phone: str = Field(max_length=11)
    community_id: Id
    consent_version: str = Field(max_length=20, description="同意的协议文本版本")
    gender: Literal["M", "F"] | None = None
    birth_date: date | None = None
    compound_id: Id | None = None
    address: str = Field("", max_length=100)
    skills: list[Text30] = Field([], max_length=30, description="技能编码或名称")
    skill_levels: dict[Text30, Level] = Field(
        {}, max_length=30, description="所选技能的等级 {技能编码或名称: 1-5}，未给出的为3级"
    )
    service_categories: list[Literal[tuple(ServiceCategory.values)]] = Field(  # type: ignore[valid-type]
        [], max_length=20
    )
    languages: list[Text20] = Field([], max_length=10)
    political_status: Literal[tuple(PoliticalStatus.values)] = PoliticalStatus.MASSES  # type: ignore[valid-type]
    dual_report_community_id: Id | None = None
    availability: list[AvailabilityIn] = Field([], max_length=21)
    certificates: list[CertificateIn] = Field([], max_length=20)
    guardian_consent: StrictBool = False
    guardian_name: str = Field("", max_length=30)
    guardian_phone: str = Field("", max_length=11)
    guardian_relation: str = Field("", max_length=10)


class VolunteerItemOut(Schema):
    id: int
    volunteer_no: str = Field(description="统一编号（公开标识）")
    name: str = Field(description="姓名（打码）")
    gender: str
    community: dict[str, Any] | None
    star: int
    is_active: bool


class VolunteerPageOut(Schema):
    limit: int
    offset: int
    has_more: bool
    items: list[VolunteerItemOut]


class AvailabilityOut(Schema):
    weekday: int
    start: ClockTime
    end: ClockTime


class CertificateOut(Schema):
    kind: str
    number: str
    expires_on: date | None


class VolunteerOut(VolunteerItemOut):
    id_number: str = Field(description="打码，如 110***********123X")
    phone: str = Field(description="打码，如 138****5678")
    birth_date: date
    is_sensitive: bool = Field(description="未满14周岁：个人信息按敏感信息处理")
    compound: dict[str, Any] | None
    address: str
    skills: list[str]
    skill_levels: dict[str, int] = Field(description="技能编码 → 等级1（入门）至5（专家）")
    service_categories: list[str]
    languages: list[str]
    political_status: str
    dual_report_community: dict[str, Any] | None
    availability: list[AvailabilityOut]
    certificates: list[CertificateOut]
    consent_versions: list[str]
    star_barred_until: date | None


class VolunteerQuery(Page):
    q: str | None = Field(None, max_length=30, description="姓名包含，或完整志愿者编号")


def _volunteer_item(v: Volunteer) -> dict[str, Any]:
    return {
        "id": v.pk,
        "volunteer_no": v.volunteer_no,
        "name": v.masked_name,
        "gender": v.gender,
        "community": ref(v.community),
        "star": v.star,
        "is_active": v.is_active,
    }


def _volunteer(v: Volunteer) -> dict[str, Any]:
    return {
        **_volunteer_item(v),
        "id_number": v.masked_id_number,
        "phone": v.masked_phone,
        "birth_date": v.birth_date,
        "is_sensitive": v.is_sensitive,
        "compound": ref(v.compound),
        "address": v.address,
        "skills": [s.code for s in v.skills.all()],
        "skill_levels": {r.skill.code: r.level for r in v.skill_levels.select_related("skill")},
        "service_categories": list(v.service_categories),
        "languages": list(v.languages),
        "political_status": v.political_status,
        "dual_report_community": ref(v.dual_report_community),
        "availability": list(v.availability.all()),
        "certificates": list(v.certificates.all()),
        "consent_versions": [c.text_version for c in v.consents.all()],
        "star_barred_until": v.star_barred_until,
    }


@router.post("/volunteers", response={201: VolunteerOut, **ERRORS}, summary="登记志愿者")
@raises(*CHANGE)
def volunteer_register(request: HttpRequest, payload: VolunteerRegisterIn):
    data = payload.model_dump()
    data["availability"] = [(a["weekday"], a["start"], a["end"]) for a in data["availability"]]
    data["gender"] = data["gender"] or ""
    return 201, _volunteer(services.volunteer_register(actor=request.auth, **data))


@router.get("/volunteers", response={200: VolunteerPageOut, **ERRORS}, summary="志愿者列表（打码）")
def volunteer_list(request: HttpRequest, filters: Query[VolunteerQuery]):
    qs = selectors.volunteers_in_scope(actor=request.auth, query=filters.q or "")
    rows = list(qs[filters.offset : filters.offset + filters.limit + 1])
    return {
        "limit": filters.limit,
        "offset": filters.offset,
        "has_more": len(rows) > filters.limit,
        "items": [_volunteer_item(v) for v in rows[: filters.limit]],
    }


@router.get(
    "/volunteers/{volunteer_id}",
    response={200: VolunteerOut, **ERRORS},
    summary="志愿者详情（打码）",
)
def volunteer_detail(request: HttpRequest, volunteer_id: PathId):
    return _volunteer(selectors.volunteer_get(actor=request.auth, volunteer_id=volunteer_id))


class VolunteerSkillsIn(In):
    skills: list[Text30] = Field([], max_length=30, description="技能编码或名称（替换原有技能）")
    skill_levels: dict[Text30, Level] = Field(
        {}, max_length=30, description="所选技能的等级 {技能编码或名称: 1-5}，未给出的为3级"
    )


@router.put(
    "/volunteers/{volunteer_id}/skills",
    response={200: VolunteerOut, **ERRORS},
    summary="修改志愿者专业技能及等级",
)
@raises(*CHANGE)
def volunteer_skills_set(request: HttpRequest, volunteer_id: PathId, payload: VolunteerSkillsIn):
    return _volunteer(
        services.volunteer_skills_set(
            actor=request.auth, volunteer_id=volunteer_id, **payload.model_dump()
        )
    )


# --- training and honours ---------------------------------------------------------------------


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


# --- the volunteer's own summary ----------------------------------------------------------------


class MembershipOut(Schema):
    team: dict[str, Any] | None
    role: str


class VolunteerSummaryOut(Schema):
    volunteer_no: str
    hours_this_year: Decimal
    hours_total: Decimal
    records_count: int
    pending_count: int = Field(description="逾期待审批的记录数")
    star: int
    barred_until: date | None = Field(description="因弄虚作假禁止评星至")
    balance: Decimal | None = Field(description="时间银行余额；未开户为 null")
    teams: list[MembershipOut]


@router.get(
    "/me/volunteer",
    response={200: VolunteerSummaryOut, **ERRORS},
    summary="我的志愿服务概况（时长、星级、时间币余额）",
)
@raises(ErrorCode.NOT_FOUND)
def my_summary(request: HttpRequest):
    page = selectors.my_page(actor=request.auth, limit=0)
    return {
        "volunteer_no": page.volunteer.volunteer_no,
        "hours_this_year": page.hours_this_year,
        "hours_total": page.hours_total,
        "records_count": page.records_count,
        "pending_count": page.pending_count,
        "star": page.star,
        "barred_until": page.barred_until,
        "balance": balance_of(volunteer=page.volunteer),
        "teams": [
            {"team": ref(m.team), "role": m.role}
            for m in selectors.teams_of(volunteer=page.volunteer)
        ],
    }


# --- service records --------------------------------------------------------------------------


class RecordCreateIn(In):
    volunteer_id: Id
    organiser_unit_id: Id
    title: str = Field(max_length=100)
    place: str = Field(max_length=200)
    content: str = Field(max_length=2000)
    person_in_charge: str = Field(max_length=30)
    service_date: date | None = None
    minutes: Minutes | None = None
    started_at: datetime | None = Field(None, description="带时区，如 2026-11-16T09:00:00+08:00")
    ended_at: datetime | None = None
    beneficiary: str = Field("", max_length=60)
    quality_rating: Annotated[int, Field(strict=True, ge=1, le=5)] | None = None
    team_id: Id | None = None


class HoldReasonOut(Schema):
    code: str = Field(
        description="over_elapsed / over_category_max / no_start / overlap / "
        "unconfirmed / low_rating"
    )
    text: str


class RecordItemOut(Schema):
    id: int
    volunteer: VolunteerItemOut
    title: str
    service_date: date
    place: str
    minutes: int
    hours: Decimal
    organiser: str
    status: str
    due_date: date | None
    version: int
    hold_reasons: list[HoldReasonOut]


class RecordPageOut(Schema):
    limit: int
    offset: int
    has_more: bool
    items: list[RecordItemOut]


class VersionOut(Schema):
    version: int
    data: dict[str, Any]
    changed_at: datetime
    reason: str


class CorrectionOut(Schema):
    id: int
    record_id: int
    changes: dict[str, Any]
    reason: str
    status: str
    created_at: datetime
    decided_at: datetime | None
    decision_reason: str


class RecordOut(RecordItemOut):
    content: str
    started_at: datetime | None
    ended_at: datetime | None
    period_estimated: bool
    person_in_charge: str
    beneficiary: str
    quality_rating: int | None
    team: dict[str, Any] | None
    decision_note: str
    versions: list[VersionOut]
    corrections: list[CorrectionOut]


class RecordQuery(Page):
    status: Literal[tuple(ServiceRecord.Status.values)] | None = None  # type: ignore[valid-type]
    q: str | None = Field(None, max_length=30, description="姓名、志愿者编号或活动名称")


class NoteIn(In):
    note: str = Field("", max_length=300)


def _record_item(r: ServiceRecord) -> dict[str, Any]:
    return {
        "id": r.pk,
        "volunteer": _volunteer_item(r.volunteer),
        "title": r.title,
        "service_date": r.service_date,
        "place": r.place,
        "minutes": r.minutes,
        "hours": r.hours,
        "organiser": r.organiser,
        "status": r.status,
        "due_date": r.due_date,
        "version": r.version,
        "hold_reasons": r.hold_reasons or [],
    }


def _record(r: ServiceRecord) -> dict[str, Any]:
    return {
        **_record_item(r),
        "content": r.content,
        "started_at": r.started_at,
        "ended_at": r.ended_at,
        "period_estimated": r.period_estimated,
        "person_in_charge": r.person_in_charge,
        "beneficiary": r.beneficiary,
        "quality_rating": r.quality_rating,
        "team": ref(r.team),
        "decision_note": r.decision_note,
        "versions": list(r.versions.order_by("version")),
        "corrections": list(r.corrections.order_by("created_at", "id")),
    }


def _unit_for(request: HttpRequest, unit_id: int):
    unit = selectors.recording_units(actor=request.auth).filter(pk=unit_id).first()
    if unit is None:
        raise NotFound("未找到该组织单元", field="organiser_unit_id")
    return unit


@router.post(
    "/service-records",
    response={201: RecordOut, **ERRORS},
    summary="记录志愿服务（谁组织谁记录；逾期记录待督导审批）",
    tags=RECORDS,
)
@raises(*CHANGE)
def record_create(request: HttpRequest, payload: RecordCreateIn):
    data = payload.model_dump()
    volunteer = selectors.volunteer_get(actor=request.auth, volunteer_id=data.pop("volunteer_id"))
    unit = _unit_for(request, data.pop("organiser_unit_id"))
    team_id = data.pop("team_id")
    team = selectors.team_get(actor=request.auth, team_id=team_id) if team_id else None
    record = services.service_record_create(
        recorder=request.auth, volunteer=volunteer, organiser_unit=unit, team=team, **data
    )
    return 201, _record(selectors.record_get(actor=request.auth, record_id=record.pk))


@router.get(
    "/service-records",
    response={200: RecordPageOut, **ERRORS},
    summary="本单位组织的服务记录",
    tags=RECORDS,
)
def record_list(request: HttpRequest, filters: Query[RecordQuery]):
    qs = selectors.records_in_scope(
        actor=request.auth, status=filters.status, query=filters.q or ""
    )
    rows = list(qs[filters.offset : filters.offset + filters.limit + 1])
    return {
        "limit": filters.limit,
        "offset": filters.offset,
        "has_more": len(rows) > filters.limit,
        "items": [_record_item(r) for r in rows[: filters.limit]],
    }


@router.get(
    "/service-records/held",
    response={200: RecordPageOut, **ERRORS},
    summary="待社工确认的服务记录（本单位组织的，含待确认原因）",
    tags=RECORDS,
)
def record_held_list(request: HttpRequest, filters: Query[Page]):
    qs = selectors.records_awaiting_confirmation(actor=request.auth)
    rows = list(qs[filters.offset : filters.offset + filters.limit + 1])
    return {
        "limit": filters.limit,
        "offset": filters.offset,
        "has_more": len(rows) > filters.limit,
        "items": [_record_item(r) for r in rows[: filters.limit]],
    }


class HeldRecordConfirmIn(In):
    minutes: Minutes | None = Field(None, description="调整后的服务分钟数；不填则按申报时长")
    note: str = Field("", max_length=300, description="说明；调整时长时必填")


class RejectIn(In):
    reason: str = Field(..., max_length=300)


@router.post(
    "/service-records/{record_id}/confirm",
    response={200: RecordOut, **ERRORS},
    summary="社工确认待确认的服务记录（可调整时长）",
    tags=RECORDS,
)
@raises(*CHANGE, ErrorCode.STALE)
def record_confirm(request: HttpRequest, record_id: PathId, payload: HeldRecordConfirmIn):
    holds.service_record_confirm(
        actor=request.auth, record_id=record_id, minutes=payload.minutes, note=payload.note
    )
    return _record(selectors.record_get(actor=request.auth, record_id=record_id))


@router.post(
    "/service-records/{record_id}/reject",
    response={200: RecordOut, **ERRORS},
    summary="社工不予确认待确认的服务记录（须说明理由）",
    tags=RECORDS,
)
@raises(*CHANGE, ErrorCode.STALE)
def record_reject(request: HttpRequest, record_id: PathId, payload: RejectIn):
    holds.service_record_reject(actor=request.auth, record_id=record_id, reason=payload.reason)
    return _record(selectors.record_get(actor=request.auth, record_id=record_id))


@router.get(
    "/service-records/{record_id}",
    response={200: RecordOut, **ERRORS},
    summary="服务记录详情（含版本历史和更正申请）",
    tags=RECORDS,
)
def record_detail(request: HttpRequest, record_id: PathId):
    return _record(selectors.record_get(actor=request.auth, record_id=record_id))


@router.post(
    "/service-records/{record_id}/approve-late",
    response={200: RecordOut, **ERRORS},
    summary="督导批准逾期记录",
    tags=RECORDS,
)
@raises(*CHANGE)
def record_approve_late(request: HttpRequest, record_id: PathId, payload: NoteIn):
    record = services.service_record_approve_late(
        actor=request.auth, record_id=record_id, note=payload.note
    )
    return _record(record)


@router.post(
    "/service-records/{record_id}/reject-late",
    response={200: RecordOut, **ERRORS},
    summary="督导驳回逾期记录（须说明理由）",
    tags=RECORDS,
)
@raises(*CHANGE)
def record_reject_late(request: HttpRequest, record_id: PathId, payload: NoteIn):
    record = services.service_record_reject_late(
        actor=request.auth, record_id=record_id, note=payload.note
    )
    return _record(record)


# --- corrections ------------------------------------------------------------------------------


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
        "record": _record_item(c.record),
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


# --- teams ------------------------------------------------------------------------------------


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
        "leader": {"id": t.leader.pk, "name": t.leader.masked_name} if t.leader else None,
        "guide": {"id": t.guide.pk, "name": str(t.guide)} if t.guide else None,
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
            {"volunteer": _volunteer_item(m.volunteer), "role": m.role, "joined_at": m.joined_at}
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
