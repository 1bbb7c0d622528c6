"""The organiser's tools and after the activity: decisions on sign-ups, manual check-in,
closing check-outs, confirmation, rating, the figures and the beneficiaries."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Schema
from pydantic import Strict

from shezhi.activities import after, services, signups
from shezhi.activities import attendance as checkins
from shezhi.activities.errors import ActivityError
from shezhi.api.activities.common import PathId, router
from shezhi.api.activities.volunteering import (
    AttendanceOut,
    SignUpOut,
    render_attendance,
    render_signup,
)
from shezhi.api.errors import CHANGE, raises
from shezhi.api.schemas import ERRORS, Id, In, StrictBool
from shezhi.volunteers.errors import VolunteerError


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
    return render_signup(
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
    return 201, render_attendance(attendance)


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
    return [render_attendance(a) for a in closed]


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
