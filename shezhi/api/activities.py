"""/api/v1/activities: open positions, sign-up and cancellation, the organiser's rotating check-in
token, check-in by token and check-out. Each handler calls one service or selector; the rules live
in shezhi.activities."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile
from pydantic import Strict

from shezhi.activities import after, editing, selectors, services, signups
from shezhi.activities import attendance as checkins
from shezhi.activities.errors import ActivityError
from shezhi.activities.models import Activity, Attendance, SignUp
from shezhi.api.errors import CHANGE, raises
from shezhi.api.schemas import ERRORS, MAX_ID, Id, In, StrictBool
from shezhi.volunteers.errors import VolunteerError

router = Router(tags=["志愿活动"])

PathId = Annotated[int, Field(ge=1, le=MAX_ID)]


class PositionOut(Schema):
    position_id: int
    position: str
    activity_id: int
    title: str
    venue: str
    starts_at: datetime
    ends_at: datetime
    hazardous: bool
    risk_statement: str = Field(description="风险告知；不为空时报名须确认")
    places_left: int
    eligible: bool
    problems: list[str] = Field(description="不符合条件的原因")
    waiting: int = Field(0, description="候补人数")
    my_signup_id: int | None = Field(None, description="我对该活动的报名（任一岗位）")
    my_status: str = Field("", description="我的报名状态；空表示未报名")
    joined: bool = Field(False, description="我已报名（或候补）这个岗位")


class SignUpIn(In):
    risk_acknowledged: StrictBool = False
    join_waitlist: StrictBool = Field(True, description="名额已满时进入候补；否则返回 409")


class CancelIn(In):
    reason: str = Field("", max_length=300)


class SignUpOut(Schema):
    id: int
    activity_id: int
    position_id: int
    status: str
    status_label: str


class TokenOut(Schema):
    token: str
    valid_seconds: int
    checkin_url: str = Field(description="志愿者扫码打开的签到页地址")


class CheckInIn(In):
    token: str = Field(max_length=200)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)


class AttendanceOut(Schema):
    id: int
    activity_id: int
    checked_in_at: datetime
    checked_out_at: datetime | None
    minutes: int | None
    hours: Decimal | None


def _signup(s: SignUp) -> dict:
    return {
        "id": s.pk,
        "activity_id": s.activity_id,
        "position_id": s.position_id,
        "status": s.status,
        "status_label": s.get_status_display(),
    }


def _attendance(a: Attendance) -> dict:
    return {
        "id": a.pk,
        "activity_id": a.activity_id,
        "checked_in_at": a.checked_in_at,
        "checked_out_at": a.checked_out_at,
        "minutes": a.minutes,
        "hours": a.hours,
    }


@router.get("/positions", response={200: list[PositionOut], **ERRORS}, summary="可报名的岗位")
def positions(request: HttpRequest):
    return [
        {
            "position_id": o.position.pk,
            "position": o.position.name,
            "activity_id": o.position.activity_id,
            "title": o.position.activity.title,
            "venue": o.position.activity.venue,
            "starts_at": o.position.activity.starts_at,
            "ends_at": o.position.activity.ends_at,
            "hazardous": o.position.hazardous,
            "risk_statement": o.position.activity.risk_statement,
            "places_left": o.places_left,
            "eligible": o.eligible,
            "problems": o.problems,
            "waiting": o.waiting,
            "my_signup_id": o.my_signup_id,
            "my_status": o.my_status,
            "joined": o.joined,
        }
        for o in selectors.open_positions(actor=request.auth)
    ]


@router.post(
    "/positions/{position_id}/signups", response={201: SignUpOut, **ERRORS}, summary="报名岗位"
)
@raises(
    *CHANGE,
    ActivityError.DUPLICATE,
    ActivityError.FULL,
    ActivityError.INELIGIBLE,
    ActivityError.RISK_UNACKNOWLEDGED,
    VolunteerError.CLASH,
)
def sign_up(request: HttpRequest, position_id: PathId, payload: SignUpIn):
    signup = signups.signup_create(
        actor=request.auth, position_id=position_id, **payload.model_dump()
    )
    return 201, _signup(signup)


class BulkIn(In):
    volunteer_ids: list[Id] = Field(min_length=1, max_length=1000)
    risk_acknowledged: StrictBool = Field(False, description="队长已向队员转告风险告知")


class BulkOutcomeOut(Schema):
    volunteer_id: int
    signup: SignUpOut | None
    error: str | None


@router.post(
    "/positions/{position_id}/bulk-signups",
    response={200: list[BulkOutcomeOut], **ERRORS},
    summary="队长为队员批量报名（逐人成功或失败）",
)
@raises(
    *CHANGE,
    ActivityError.DUPLICATE,
    ActivityError.FULL,
    ActivityError.INELIGIBLE,
    ActivityError.RISK_UNACKNOWLEDGED,
    VolunteerError.CLASH,
)
def bulk_sign_up(request: HttpRequest, position_id: PathId, payload: BulkIn):
    outcomes = signups.signup_bulk(
        actor=request.auth, position_id=position_id, **payload.model_dump()
    )
    return [
        {
            "volunteer_id": o.volunteer_id,
            "signup": _signup(o.signup) if o.signup else None,
            "error": o.error,
        }
        for o in outcomes
    ]


@router.get("/signups", response={200: list[SignUpOut], **ERRORS}, summary="我的报名")
def my_signups(request: HttpRequest):
    return [_signup(s) for s in selectors.my_signups(actor=request.auth)]


@router.post("/signups/{signup_id}/cancel", response={200: SignUpOut, **ERRORS}, summary="取消报名")
@raises(*CHANGE, ActivityError.CUTOFF)
def cancel(request: HttpRequest, signup_id: PathId, payload: CancelIn):
    return _signup(
        signups.signup_cancel(actor=request.auth, signup_id=signup_id, reason=payload.reason)
    )


@router.get(
    "/{activity_id}/checkin-token",
    response={200: TokenOut, **ERRORS},
    summary="签到二维码令牌（组织者，约一分钟有效）",
)
def checkin_token(request: HttpRequest, activity_id: PathId):
    token = checkins.checkin_token_issue(actor=request.auth, activity_id=activity_id)
    return {
        "token": token,
        "valid_seconds": services.token_seconds(),
        "checkin_url": checkins.checkin_url(activity_id=activity_id, token=token),
    }


@router.post("/{activity_id}/checkin", response={201: AttendanceOut, **ERRORS}, summary="扫码签到")
@raises(
    *CHANGE,
    ActivityError.BAD_TOKEN,
    ActivityError.TOKEN_EXPIRED,
    ActivityError.OUTSIDE_WINDOW,
    ActivityError.NOT_CONFIRMED,
    ActivityError.ALREADY_CHECKED_IN,
    ActivityError.NOT_SIGNED_UP,
    ActivityError.NO_POSITION,
    ActivityError.OUTSIDE_GEOFENCE,
)
def checkin(request: HttpRequest, activity_id: PathId, payload: CheckInIn):
    attendance = checkins.checkin_by_token(
        actor=request.auth, activity_id=activity_id, **payload.model_dump()
    )
    return 201, _attendance(attendance)


@router.post("/{activity_id}/checkout", response={200: AttendanceOut, **ERRORS}, summary="签退")
@raises(
    *CHANGE,
    ActivityError.NOT_CHECKED_IN,
    ActivityError.ALREADY_CHECKED_OUT,
    ActivityError.CHECKOUT_TOO_SOON,
)
def checkout(request: HttpRequest, activity_id: PathId):
    return _attendance(checkins.checkout(actor=request.auth, activity_id=activity_id))


class CheckoutPreviewOut(Schema):
    checked_in_at: datetime
    present_minutes: int = Field(description="签到至今的分钟数")
    minutes: int = Field(description="现在签退将计入的分钟数（只计活动时间内）")
    hours: Decimal = Field(description="现在签退将记录的服务时长（小时）")
    allowed_from: datetime = Field(description="最早可签退的时间")
    too_soon: bool = Field(description="刚签到，尚不能签退")


@router.get(
    "/{activity_id}/checkout-preview",
    response={200: CheckoutPreviewOut, **ERRORS},
    summary="签退前确认：在岗多久、将记录多少小时",
)
def checkout_preview(request: HttpRequest, activity_id: PathId):
    p = checkins.checkout_preview(actor=request.auth, activity_id=activity_id)
    return {
        "checked_in_at": p.attendance.checked_in_at,
        "present_minutes": p.present_minutes,
        "minutes": p.minutes,
        "hours": p.hours,
        "allowed_from": p.allowed_from,
        "too_soon": p.too_soon,
    }


# --- the organiser's tools and after the activity ---------------------------------------------


class DecideIn(In):
    approve: StrictBool
    reason: str = Field("", max_length=300, description="不予通过时必填")


class ManualCheckInIn(In):
    reason: str = Field(max_length=200, description="手工签到原因")
    at: datetime | None = Field(None, description="签到时间（带时区），默认现在")


class CloseIn(In):
    at: datetime | None = Field(None, description="补签退时间（带时区），默认活动结束时间")


class SkippedOut(Schema):
    volunteer_id: int
    reason: str


class AttendanceConfirmOut(Schema):
    activity_id: int
    written: int = Field(description="写入的服务记录数")
    skipped: list[SkippedOut] = Field(description="未写入的签到及原因")


class RatingIn(In):
    stars: Annotated[int, Strict(), Field(ge=1, le=5)]
    comment: str = Field("", max_length=500)


class RatingOut(Schema):
    id: int
    activity_id: int
    stars: int
    role: str


class FiguresOut(Schema):
    activity_id: int
    volunteers: int = Field(description="签到的志愿者人数")
    hours: Decimal = Field(description="已确认计入的服务时长（小时）")
    beneficiaries: int = Field(description="服务对象（登记居民 + 人次）")
    beneficiaries_registered: int
    beneficiaries_headcount: int
    ratings: int
    average_stars: Decimal | None
    summary: str = Field(description="活动总结；未撰写时为空")
    photos: int


@router.post(
    "/signups/{signup_id}/decide",
    response={200: SignUpOut, **ERRORS},
    summary="审核报名（组织者）",
)
@raises(*CHANGE, ActivityError.INSURANCE_REQUIRED, ActivityError.FULL, VolunteerError.CLASH)
def decide(request: HttpRequest, signup_id: PathId, payload: DecideIn):
    return _signup(
        signups.signup_decide(actor=request.auth, signup_id=signup_id, **payload.model_dump())
    )


@router.post(
    "/signups/{signup_id}/manual-checkin",
    response={201: AttendanceOut, **ERRORS},
    summary="手工签到（组织者，须说明原因）",
)
@raises(
    *CHANGE,
    ActivityError.OUTSIDE_WINDOW,
    ActivityError.NOT_CONFIRMED,
    ActivityError.ALREADY_CHECKED_IN,
)
def manual_checkin(request: HttpRequest, signup_id: PathId, payload: ManualCheckInIn):
    attendance = checkins.checkin_manual(
        actor=request.auth, signup_id=signup_id, **payload.model_dump()
    )
    return 201, _attendance(attendance)


@router.post(
    "/{activity_id}/close-checkouts",
    response={200: list[AttendanceOut], **ERRORS},
    summary="为未签退的志愿者补签退（组织者）",
)
@raises(*CHANGE)
def close_checkouts(request: HttpRequest, activity_id: PathId, payload: CloseIn):
    closed = checkins.checkout_close_forgotten(
        actor=request.auth, activity_id=activity_id, at=payload.at
    )
    return [_attendance(a) for a in closed]


@router.post(
    "/{activity_id}/confirm",
    response={200: AttendanceConfirmOut, **ERRORS},
    summary="确认考勤并写入服务记录（组织单位社工）",
)
@raises(*CHANGE, ActivityError.OPEN_CHECKOUTS)
def confirm(request: HttpRequest, activity_id: PathId):
    result = checkins.attendance_confirm(actor=request.auth, activity_id=activity_id)
    return {
        "activity_id": activity_id,
        "written": len(result.written),
        "skipped": [{"volunteer_id": a.volunteer_id, "reason": m} for a, m in result.skipped],
    }


@router.post(
    "/{activity_id}/ratings",
    response={201: RatingOut, **ERRORS},
    summary="评价活动（参加的志愿者或登记的服务对象，每人一次）",
)
@raises(*CHANGE, ActivityError.DUPLICATE)
def rate(request: HttpRequest, activity_id: PathId, payload: RatingIn):
    rating = after.rating_create(
        actor=request.auth, activity_id=activity_id, **payload.model_dump()
    )
    return 201, {
        "id": rating.pk,
        "activity_id": rating.activity_id,
        "stars": rating.stars,
        "role": rating.role,
    }


@router.get(
    "/{activity_id}/summary",
    response={200: FiguresOut, **ERRORS},
    summary="活动总结与自动统计",
)
def summary(request: HttpRequest, activity_id: PathId):
    page = after.summary_page(actor=request.auth, activity_id=activity_id)
    f = page.figures
    return {
        "activity_id": activity_id,
        "volunteers": f.volunteers,
        "hours": f.hours,
        "beneficiaries": f.beneficiaries,
        "beneficiaries_registered": f.beneficiaries_registered,
        "beneficiaries_headcount": f.beneficiaries_headcount,
        "ratings": f.ratings,
        "average_stars": f.average,
        "summary": page.summary.text if page.summary else "",
        "photos": len(page.photos),
    }


class BeneficiaryIn(In):
    resident_id: Id


class BeneficiaryOut(Schema):
    id: int
    activity_id: int
    resident_id: int


class HeadcountIn(In):
    headcount: Annotated[int, Strict(), Field(ge=0, le=100000)]


@router.post(
    "/{activity_id}/beneficiaries",
    response={201: BeneficiaryOut, **ERRORS},
    summary="登记服务对象（组织者；居民须在本人管辖范围内）",
)
@raises(*CHANGE)
def add_beneficiary(request: HttpRequest, activity_id: PathId, payload: BeneficiaryIn):
    b = services.beneficiary_add(
        actor=request.auth, activity_id=activity_id, resident_id=payload.resident_id
    )
    return 201, {"id": b.pk, "activity_id": b.activity_id, "resident_id": b.resident_id}


@router.post(
    "/{activity_id}/headcount",
    response={200: FiguresOut, **ERRORS},
    summary="设置未登记的服务人次（组织者）",
)
@raises(*CHANGE)
def set_headcount(request: HttpRequest, activity_id: PathId, payload: HeadcountIn):
    services.activity_set_headcount(
        actor=request.auth, activity_id=activity_id, headcount=payload.headcount
    )
    return summary(request, activity_id)


# --- creating, editing and cancelling (staff of the unit, or a leader of the team) ------------


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


def _activity(activity: Activity) -> dict:
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
    }


@router.post("", response={201: ActivityOut, **ERRORS}, summary="发起活动（草稿，可设多个岗位）")
@raises(*CHANGE)
def activity_create(request: HttpRequest, payload: ActivityCreateIn):
    fields = payload.model_dump()
    positions = [services.PositionSpec(**p) for p in fields.pop("positions")]
    activity = services.activity_create(actor=request.auth, positions=positions, **fields)
    return 201, _activity(activity)


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
    return _activity(activity)


@router.post(
    "/{activity_id}/cancel", response={200: ActivityOut, **ERRORS}, summary="取消活动（组织者）"
)
@raises(*CHANGE)
def activity_cancel(request: HttpRequest, activity_id: PathId, payload: ActivityCancelIn):
    activity = services.activity_cancel(
        actor=request.auth, activity_id=activity_id, reason=payload.reason
    )
    return _activity(activity)


# --- publishing, insurance and the summary (the same services as the desk pages) --------------


class ActivityPublishOut(ActivityOut):
    published_at: datetime | None


@router.post(
    "/{activity_id}/publish",
    response={200: ActivityPublishOut, **ERRORS},
    summary="发布活动（草稿 → 已发布；组织者）",
)
@raises(*CHANGE)
def activity_publish(request: HttpRequest, activity_id: PathId):
    activity = services.activity_publish(actor=request.auth, activity_id=activity_id)
    return {**_activity(activity), "published_at": activity.published_at}


class ActivityInsuranceIn(In):
    policy_no: str = Field(min_length=1, max_length=40, description="保单号")
    insurer: str = Field(min_length=1, max_length=60, description="保险公司")
    valid_from: date = Field(description="生效日期")
    valid_to: date = Field(description="到期日期")


class ActivityInsuranceOut(Schema):
    id: int
    signup_id: int
    volunteer_id: int
    policy_no: str
    insurer: str
    valid_from: date
    valid_to: date


@router.post(
    "/signups/{signup_id}/insurance",
    response={201: ActivityInsuranceOut, **ERRORS},
    summary="为报名的志愿者登记保险（组织者；危险性岗位须投保）",
)
@raises(*CHANGE)
def signup_insurance(request: HttpRequest, signup_id: PathId, payload: ActivityInsuranceIn):
    record = signups.insurance_record_for_signup(
        actor=request.auth, signup_id=signup_id, **payload.model_dump()
    )
    return 201, {
        "id": record.pk,
        "signup_id": signup_id,
        "volunteer_id": record.volunteer_id,
        "policy_no": record.policy_no,
        "insurer": record.insurer,
        "valid_from": record.valid_from,
        "valid_to": record.valid_to,
    }


class ActivitySummaryIn(In):
    text: str = Field(min_length=1, max_length=5000, description="总结内容")


class ActivitySummaryOut(Schema):
    activity_id: int
    text: str


@router.put(
    "/{activity_id}/summary",
    response={200: ActivitySummaryOut, **ERRORS},
    summary="撰写或修改活动总结（组织者，活动结束后）",
)
@raises(*CHANGE)
def summary_save(request: HttpRequest, activity_id: PathId, payload: ActivitySummaryIn):
    saved = after.summary_save(actor=request.auth, activity_id=activity_id, text=payload.text)
    return {"activity_id": activity_id, "text": saved.text}


class ActivitySummaryPhotoOut(Schema):
    id: int
    activity_id: int
    content_type: str
    size: int
    width: int
    height: int


@router.post(
    "/{activity_id}/summary/photos",
    response={201: ActivitySummaryPhotoOut, **ERRORS},
    summary="上传活动总结照片（multipart 字段 photo；JPEG、PNG、GIF 或 WebP，不超过5MB，最多9张）",
)
@raises(
    *CHANGE,
    ActivityError.TOO_LARGE,
    ActivityError.NOT_IMAGE,
    ActivityError.NO_SUMMARY,
    ActivityError.TOO_MANY,
)
def summary_photo_add(request: HttpRequest, activity_id: PathId, photo: File[UploadedFile]):
    added = after.summary_photo_add(actor=request.auth, activity_id=activity_id, upload=photo)
    return 201, {
        "id": added.pk,
        "activity_id": activity_id,
        "content_type": added.content_type,
        "size": added.size,
        "width": added.width,
        "height": added.height,
    }


@router.delete(
    "/{activity_id}/summary/photos/{photo_id}",
    response={204: None, **ERRORS},
    summary="删除活动总结照片（组织者）",
)
@raises(*CHANGE)
def summary_photo_delete(request: HttpRequest, activity_id: PathId, photo_id: PathId):
    after.summary_photo_delete(actor=request.auth, activity_id=activity_id, photo_id=photo_id)
    return 204, None
