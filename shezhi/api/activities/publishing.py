"""Publishing, insurance and the summary (the same services as the desk pages)."""

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Field, File, Schema
from ninja.files import UploadedFile

from shezhi.activities import after, services, signups
from shezhi.activities.errors import ActivityError
from shezhi.api.activities.common import PathId, router
from shezhi.api.activities.creating import ActivityOut, render_activity
from shezhi.api.errors import CHANGE, raises
from shezhi.api.schemas import ERRORS, In


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
    return {**render_activity(activity, request.auth), "published_at": activity.published_at}


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
