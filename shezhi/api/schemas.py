"""Input and output schemas, one pair per operation. Outputs never carry a full ID number or
phone, except `ResidentRevealOut`.

Inputs forbid unknown fields, take integers and booleans strictly (no "5" for 5, no 1 for true)
and refuse the NUL character (which PostgreSQL cannot store)."""

import re
import types
import typing
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Literal

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import ConfigDict, Strict, ValidationInfo, WithJsonSchema, field_validator

MAX_ID = 2**63 - 1

Id = Annotated[int, Strict(), Field(ge=1, le=MAX_ID)]
Version = Annotated[int, Strict(), Field(ge=1, le=2**31 - 1)]
StrictBool = Annotated[bool, Strict()]
# A wall-clock time such as "09:00" or "09:00:00". OpenAPI's `format: time` means RFC 3339's
# full-time, which needs a UTC offset, so the schema states the pattern the API really uses.
ClockTime = Annotated[
    time,
    WithJsonSchema(
        {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$", "example": "09:00"}
    ),
]
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _is_date_field(annotation: object) -> bool:
    """date, datetime or an optional one (datetime is a date subclass)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(_is_date_field(arg) for arg in typing.get_args(annotation))
    return isinstance(annotation, type) and issubclass(annotation, date)


class Clean(Schema):
    """Refuses the NUL character in any text field (PostgreSQL cannot store or compare it), and
    dates that are not written YYYY-MM-DD (pydantic would read `0` as 1970-01-01)."""

    @field_validator("*", mode="before")
    @classmethod
    def _iso_dates(cls, value: object, info: ValidationInfo) -> object:
        field = cls.model_fields.get(info.field_name or "")
        if field is None or value is None or not _is_date_field(field.annotation):
            return value
        if isinstance(value, date) or (isinstance(value, str) and ISO_DATE.match(value)):
            return value
        raise ValueError(_("日期应写成 YYYY-MM-DD，例如 2026-12-03"))

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: object) -> object:
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, str) and "\x00" in v for v in values):
            raise ValueError(_("不能包含空字符"))
        return value


class In(Clean):
    """A request body: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


# --- me, reference data -------------------------------------------------------------------


class UnitOut(Schema):
    id: int
    code: str
    name: str
    level: int


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    role_label: str
    unit: UnitOut | None
    elder_mode: bool = Field(description="长辈模式是否生效（本人设置，或70岁及以上居民默认开启）")
    elder_mode_setting: bool | None = Field(description="本人设置；null 表示按年龄默认")
    community_phone: str = Field(description="社区电话（不会填时拨打）")


class MeUpdateIn(In):
    """Only the fields sent are changed; elder_mode null goes back to the default by age."""

    elder_mode: StrictBool | None = None


class CategoryOut(Schema):
    code: str
    name: str
    skills: list[str]
    icon: str = ""
    for_residents: bool = False


class UrgencyOut(Schema):
    code: str
    name: str
    response_hours: int
    resolution_hours: int


# --- needs --------------------------------------------------------------------------------


class CodeNameOut(Schema):
    code: str
    name: str


class RefOut(Schema):
    id: int
    name: str


class NeedListItemOut(Schema):
    id: int
    title: str
    status: str
    status_label: str
    category: CodeNameOut
    urgency: CodeNameOut
    source: str
    community: RefOut
    assignee_kind: str
    needs_review: bool
    overdue: bool
    version: int
    created_at: datetime
    respond_by: datetime
    resolve_by: datetime


class NeedPageOut(Schema):
    total: int
    limit: int
    offset: int
    items: list[NeedListItemOut]


class TransitionOut(Schema):
    action: str
    from_status: str
    to_status: str
    to_label: str
    actor: str
    at: datetime
    note: str


class NeedOut(NeedListItemOut):
    description: str
    address: str
    contact_phone: str = Field(description="始终打码，如 138****5678")
    resident: RefOut | None = Field(description="服务对象（姓名打码）")
    assignee_label: str
    accepted_by: RefOut | None
    accepted_at: datetime | None
    minutes_spent: int | None
    completion_note: str
    completed_at: datetime | None
    rating: int | None
    rating_comment: str
    rated_at: datetime | None
    wanted_from: datetime | None
    wanted_until: datetime | None
    helper_gender: str
    home_visit: bool
    hazardous: bool
    allowed_actions: list[str] = Field(
        description="当前用户此刻可对该需求执行的操作（needs/permissions.py），与页面按钮一致"
    )
    history: list[TransitionOut]


class NeedCreateIn(In):
    category: str = Field(max_length=30, description="类别编码，见 /categories")
    urgency: str = Field(max_length=20, description="紧急程度编码，见 /urgency-levels")
    description: str = Field(max_length=2000)
    title: str = Field("", max_length=60, description="短标题，不超过20个字；不填则从描述生成")
    source: Literal["online", "visit", "phone", "grid", "council"] | None = None
    resident_id: Id | None = None
    community_id: Id | None = None
    address: str = Field("", max_length=120)
    contact_phone: str = Field("", max_length=11)
    wanted_from: datetime | None = Field(None, description="期望服务开始；与结束时间同时填写")
    wanted_until: datetime | None = Field(None, description="期望服务结束；时段不超过7天")
    helper_gender: Literal["", "M", "F"] = Field("", description="服务者性别要求，空为不限")
    home_visit: bool = True
    hazardous: bool = Field(False, description="危险作业（登高、用电用气等），未成年人不可承接")


class NeedUpdateIn(In):
    expected_version: Version
    title: str | None = Field(None, max_length=60)
    description: str | None = Field(None, max_length=2000)
    category: str | None = Field(None, max_length=30)
    urgency: str | None = Field(None, max_length=20)
    address: str | None = Field(None, max_length=120)
    contact_phone: str | None = Field(None, max_length=11)
    wanted_from: datetime | None = None
    wanted_until: datetime | None = None
    helper_gender: Literal["", "M", "F"] | None = None
    home_visit: bool | None = None
    hazardous: bool | None = None


class DispatchIn(In):
    target_kind: Literal["volunteer", "team", "social_worker", "partner", "pool"]
    target_id: Id | None = None
    note: str = Field("", max_length=500)
    expected_version: Version | None = None


class AcceptIn(In):
    expected_version: Version | None = None


class CompleteIn(In):
    minutes: Annotated[int, Strict(), Field(ge=1, le=24 * 60)]
    note: str = Field(min_length=1, max_length=2000)
    service_description: str = Field(
        "",
        max_length=100,
        description="写入志愿服务证明和导出的服务说明；不填则为“为社区居民提供…服务”；"
        "不得含姓名、电话、身份证号、年龄、门牌",
    )


class RateIn(In):
    score: Annotated[int, Strict(), Field(ge=1, le=5)]
    comment: str = Field("", max_length=500)


class ReasonIn(In):
    reason: str = Field(min_length=1, max_length=500)


class NeedReviewIn(In):
    reopen: StrictBool
    note: str = Field("", max_length=500)


class CandidateOut(Schema):
    kind: str
    id: int
    name: str
    skill_fit: bool
    distance_m: float | None
    open_orders: int
    explanation: str


# --- residents ----------------------------------------------------------------------------


class ResidentOut(Schema):
    id: int
    name: str
    gender: str
    birth_date: date
    id_number: str = Field(description="打码，如 110***********123X")
    phone: str = Field(description="打码，如 138****5678")
    community: RefOut
    compound: RefOut
    grid: RefOut
    address: str
    tags: list[CodeNameOut]
    consent_at: datetime | None
    sms_notices: bool = Field(description="需求进展以短信告知（无智能手机或本人希望）")


class ResidentPageOut(Schema):
    total: int
    limit: int
    offset: int
    items: list[ResidentOut]


class ResidentRevealOut(Schema):
    id: int
    name: str
    id_number: str
    phone: str


class ResidentCreateIn(In):
    name: str = Field(max_length=30)
    id_number: str = Field(max_length=18)
    grid_id: Id
    phone: str = Field("", max_length=11)
    address: str = Field("", max_length=60)
    birth_date: date | None = None
    gender: Literal["M", "F"] | None = None
    tag_codes: list[Annotated[str, Field(max_length=30)]] | None = Field(None, max_length=20)
    consent_given: StrictBool = False


class ResidentUpdateIn(In):
    name: str | None = Field(None, max_length=30)
    id_number: str | None = Field(None, max_length=18)
    grid_id: Id | None = None
    phone: str | None = Field(None, max_length=11)
    address: str | None = Field(None, max_length=60)
    birth_date: date | None = None
    gender: Literal["M", "F"] | None = None
    tag_codes: list[Annotated[str, Field(max_length=30)]] | None = Field(None, max_length=20)
    sms_notices: StrictBool | None = Field(None, description="需求进展以短信告知")


# --- service records ----------------------------------------------------------------------


class ServiceRecordOut(Schema):
    id: int
    title: str
    service_date: date
    place: str
    content: str
    minutes: int
    hours: Decimal
    organiser: str
    person_in_charge: str
    beneficiary: str


class ServiceRecordsOut(Schema):
    volunteer_no: str | None
    total_hours: Decimal
    records: list[ServiceRecordOut]


class NoticeDeliveryOut(Schema):
    channel: str = Field(description="inbox 站内消息 / sms 短信")
    status: str = Field(description="queued 待发送 / sent 已发送 / failed 发送失败")
    error: str


class NeedNoticeOut(Schema):
    id: int
    audience: str = Field(description="resident 服务对象 / helper 服务者 / staff 社工")
    audience_label: str
    recipient: str = Field(description="接收账号（服务对象不显示）；仅短信时为打码手机号")
    title: str
    body: str
    created_at: datetime
    read: bool
    deliveries: list[NoticeDeliveryOut]
