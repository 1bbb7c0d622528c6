"""Request and response schemas of /api/v1/cases."""

from datetime import date, datetime
from typing import Annotated

from ninja import Field, Schema
from pydantic import Strict

from shezhi.api.schemas import Id, In, StrictBool

Minutes = Annotated[int, Strict(), Field(ge=1, le=24 * 60)]


class CaseOut(Schema):
    id: int
    client: str = Field(description="服务对象（打码）")
    status: str
    status_label: str
    risk_level: str
    risk_label: str
    problem_type: str
    source: str
    worker: str
    opened_on: date
    next_review_on: date


class AssessmentOut(Schema):
    id: int
    assessed_on: date
    presenting_problem: str
    family_support: str
    health: str
    risks: str
    strengths: str
    narrative: str
    risk_level: str


class GoalOut(Schema):
    id: int
    description: str
    interventions: str
    responsible: str
    due_on: date
    status: str


class CasePlanOut(Schema):
    version: int
    summary: str
    goals: list[GoalOut]


class SessionOut(Schema):
    id: int
    on: date
    form: str
    form_label: str
    content: str
    duration_minutes: int
    by: str
    goal_id: int | None


class TeamMemberOut(Schema):
    id: int
    user: str
    role: str
    started_on: date
    ended_on: date | None


class StepOut(Schema):
    code: str
    label: str
    optional: bool
    done_at: str | None


class CrisisOut(Schema):
    id: int
    started_at: datetime
    ended_at: datetime | None
    supervisor_notified_at: datetime | None
    steps: list[StepOut]
    safety_plan: str


class ReferralOut(Schema):
    id: int
    direction: str
    institution_kind: str
    institution_name: str
    contact: str
    reason: str
    status: str
    status_label: str
    sent_at: datetime
    received_at: datetime | None
    answered_at: datetime | None
    answer: str


class InterventionIn(In):
    on: date = Field(description="介入日期，不早于接案、不晚于今天")
    form: str = Field(max_length=20, description="形式，如 office、phone、counselling")
    content: str = Field(min_length=1, max_length=10000)
    duration_minutes: Minutes
    goal_id: Id | None = None


class AdvanceIn(In):
    to_status: str = Field(max_length=20, description="assessment / planning / intervention …")
    note: str = Field("", max_length=300)


class ReferralIn(In):
    institution_kind: str = Field(
        max_length=20, description="hospital / police / legal_aid / school / civil_affairs / other"
    )
    institution_name: str = Field(max_length=100)
    reason: str = Field(max_length=500)
    contact: str = Field("", max_length=100)
    direction: str = Field("out", max_length=4, description="out 转出 / in 转入")


class ReferralStatusIn(In):
    to_status: str = Field(max_length=20, description="received / answered")
    answer: str = Field("", max_length=500)


class CrisisStepIn(In):
    step: str = Field(max_length=30, description="处置步骤代码，如 safety、risk、guardian")


class CaseOpenIn(In):
    source: str = Field(
        max_length=20,
        description="来源：crisis_alert（关联预警）/ need（关联需求）/ referral_in / …",
    )
    problem_type: str = Field(max_length=20, description="问题类型代码")
    risk_level: str = Field(max_length=10, description="urgent / high / medium / low")
    client_consent: StrictBool = False
    guardian_name: str = Field("", max_length=30)
    guardian_consent: StrictBool = False
    client_id: Id | None = Field(None, description="服务对象（居民）编号；来源为预警或需求时不填")
    alert_id: Id | None = Field(None, description="来源为 crisis_alert 时必填：关爱预警编号")
    need_id: Id | None = Field(None, description="来源为 need 时必填：需求编号")
    opened_on: date | None = Field(None, description="接案日期，默认今天")
    institution_kind: str = Field("", max_length=20, description="外部转介：转介机构类型")
    institution_name: str = Field("", max_length=100, description="外部转介：机构名称")
    referral_reason: str = Field("", max_length=500, description="外部转介：转介原因")
    contact: str = Field("", max_length=100, description="外部转介：联系人")


class CaseAssessmentIn(In):
    presenting_problem: str = Field(max_length=2000)
    risk_level: str = Field(max_length=10, description="urgent / high / medium / low")
    family_support: str = Field("", max_length=2000)
    health: str = Field("", max_length=2000)
    risks: str = Field("", max_length=5000)
    strengths: str = Field("", max_length=2000)
    narrative: str = Field("", max_length=10000)
    assessed_on: date | None = None


class CaseGoalIn(In):
    description: str = Field(max_length=300)
    interventions: str = Field(max_length=2000)
    responsible_id: Id = Field(description="负责人（本个案团队成员的用户编号）")
    due_on: date


class CasePlanIn(In):
    summary: str = Field("", max_length=500)
    goals: list[CaseGoalIn] = Field(max_length=50)


class CaseBenefitsIn(In):
    kinds: list[Annotated[str, Field(max_length=20)]] = Field(
        max_length=10, description="dibao / disability_card / tekun / temporary_relief / …"
    )
    visit_id: Id | None = None
    note: str = Field("", max_length=300)


class CaseBenefitStatusIn(In):
    status: str = Field(max_length=10, description="submitted / approved / rejected")
    note: str = Field("", max_length=300)


class CaseBenefitOut(Schema):
    id: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    note: str
    visit_id: int | None


class CaseReviewIn(In):
    risk_level: str = Field(max_length=10, description="urgent / high / medium / low")
    note: str = Field("", max_length=500)
    reviewed_on: date | None = None


class CaseReviewOut(Schema):
    id: int
    reviewed_on: date
    by: str
    risk_level: str
    note: str


class CaseGoalStatusIn(In):
    goal_id: Id
    status: str = Field(max_length=20)


class CaseCloseIn(In):
    reason: str = Field(max_length=20, description="goals_met / client_withdrew / referred / …")
    outcome: str = Field(max_length=20, description="achieved / partly / not_achieved")
    outcome_note: str = Field("", max_length=500)
    closed_on: date | None = None
    follow_up_on: date | None = None
    goal_statuses: list[CaseGoalStatusIn] = Field([], max_length=50)


class CaseClosureOut(Schema):
    id: int
    case_id: int
    closed_on: date
    reason: str
    outcome: str
    outcome_note: str
    follow_up_on: date | None


class CaseTeamAddIn(In):
    user_id: Id = Field(description="被邀请用户的编号")
    role: str = Field(max_length=20, description="colleague / counsellor / …（个案社工只有一位）")
    ended_on: date | None = None


class CaseTeamEndIn(In):
    ended_on: date | None = None


class CaseDetailOut(Schema):
    case: CaseOut
    relation: str = Field(description="访问身份：worker / supervisor / team:角色 / emergency")
    parts: list[str] = Field(description="调用者可见的部分")
    allowed_actions: list[str] = Field(
        description="调用者此刻可对本个案进行的操作（与页面按钮、服务校验同一规则）"
    )
    assessments: list[AssessmentOut] | None = None
    plan: CasePlanOut | None = None
    sessions: list[SessionOut] | None = None
    team: list[TeamMemberOut] | None = None
    crises: list[CrisisOut] | None = None
    referrals: list[ReferralOut] | None = None
    benefits: list[CaseBenefitOut] | None = None
    reviews: list[CaseReviewOut] | None = None


class CaseConsentIn(In):
    client_consent: StrictBool
    guardian_name: str = Field("", max_length=30)
    guardian_consent: StrictBool = False


class CaseReopenIn(In):
    reason: str = Field(max_length=300)


class CaseSupervisionNoteIn(In):
    text: str = Field(max_length=5000)


class CaseSupervisionNoteOut(Schema):
    id: int
    created_at: datetime


class CaseSafetyPlanIn(In):
    safety_plan: str = Field(max_length=5000)


class CaseEmergencyIn(In):
    case_id: Id = Field(description="个案编号")
    reason: str = Field(max_length=300)
    hours: Annotated[int, Strict(), Field(ge=1, le=24 * 7)] = 4


class CaseEmergencyOut(Schema):
    id: int
    case_id: int
    reason: str
    granted_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


class CaseloadOut(Schema):
    worker_id: int
    worker_name: str
    open_cases: int
    high_risk: int
    overdue_reviews: int


class CaseSupervisionOut(Schema):
    caseloads: list[CaseloadOut]
    overdue: list[CaseOut] = Field(description="复核逾期的个案")
    high_risk: list[CaseOut] = Field(description="紧急、高风险个案")


class CaseReportRowOut(Schema):
    key: str
    label: str
    total: int
    open: int
    closed: int
