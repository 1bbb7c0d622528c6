"""/api/v1 volunteers: registration, list and detail (masked), skills."""

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Schema

from shezhi.api.errors import CHANGE, raises
from shezhi.api.render import more_page, ref
from shezhi.api.schemas import ERRORS, ClockTime, Id, In, StrictBool
from shezhi.api.volunteers.common import (
    Level,
    Page,
    PathId,
    Text20,
    Text30,
    router,
)
from shezhi.volunteers import selectors, services
from shezhi.volunteers.models import (
    Certificate,
    PoliticalStatus,
    ServiceCategory,
    Volunteer,
)


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


def volunteer_item(v: Volunteer) -> dict[str, Any]:
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
        **volunteer_item(v),
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
    return more_page(qs, limit=filters.limit, offset=filters.offset, item=volunteer_item)


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
