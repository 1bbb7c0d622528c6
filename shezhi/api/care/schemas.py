"""The request and response schemas of /api/v1/care."""

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Field, Schema

from shezhi.api.care.common import Text
from shezhi.api.schemas import MAX_ID, Clean, In, StrictBool


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
