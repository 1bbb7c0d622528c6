"""A volunteer's side: open positions, sign-up and cancellation, the organiser's rotating
check-in token, check-in by token and check-out."""

from datetime import datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Schema

from shezhi.activities import attendance as checkins
from shezhi.activities import selectors, services, signups
from shezhi.activities.errors import ActivityError
from shezhi.activities.models import Attendance, SignUp
from shezhi.api.activities.common import PathId, router
from shezhi.api.errors import CHANGE, raises
from shezhi.api.schemas import ERRORS, Id, In, StrictBool
from shezhi.volunteers.errors import VolunteerError


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


def render_signup(s: SignUp) -> dict:
    return {
        "id": s.pk,
        "activity_id": s.activity_id,
        "position_id": s.position_id,
        "status": s.status,
        "status_label": s.get_status_display(),
    }


def render_attendance(a: Attendance) -> dict:
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
    return 201, render_signup(signup)


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
            "signup": render_signup(o.signup) if o.signup else None,
            "error": o.error,
        }
        for o in outcomes
    ]


@router.get("/signups", response={200: list[SignUpOut], **ERRORS}, summary="我的报名")
def my_signups(request: HttpRequest):
    return [render_signup(s) for s in selectors.my_signups(actor=request.auth)]


@router.post("/signups/{signup_id}/cancel", response={200: SignUpOut, **ERRORS}, summary="取消报名")
@raises(*CHANGE, ActivityError.CUTOFF)
def cancel(request: HttpRequest, signup_id: PathId, payload: CancelIn):
    return render_signup(
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
    return 201, render_attendance(attendance)


@router.post("/{activity_id}/checkout", response={200: AttendanceOut, **ERRORS}, summary="签退")
@raises(
    *CHANGE,
    ActivityError.NOT_CHECKED_IN,
    ActivityError.ALREADY_CHECKED_OUT,
    ActivityError.CHECKOUT_TOO_SOON,
)
def checkout(request: HttpRequest, activity_id: PathId):
    return render_attendance(checkins.checkout(actor=request.auth, activity_id=activity_id))


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
