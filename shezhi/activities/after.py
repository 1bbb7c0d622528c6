"""After the activity: ratings by the volunteers who attended and the registered beneficiaries,
the organiser's summary (活动总结) with photos, and the figures the summary page fills in.

A rating's comment is free text a person typed: it is announced through
`shezhi.core.signals.announce_free_text` so that crisis triage scans it. Photos are checked by
their content with Pillow (never by the file name), at most PHOTO_MAX_BYTES each and
PHOTO_MAX_COUNT per summary."""

import io
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from shezhi.accounts.models import User
from shezhi.activities import services
from shezhi.activities.errors import ActivityError
from shezhi.activities.models import (
    Activity,
    Attendance,
    Beneficiary,
    Rating,
    Summary,
    SummaryPhoto,
)
from shezhi.activities.services import (
    Status,
    activity_for_organiser,
    activity_row,
    may_organise,
    may_see,
)
from shezhi.core import audit
from shezhi.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from shezhi.core.inputs import clean_int, clean_text
from shezhi.core.models import AuditEvent
from shezhi.core.signals import announce_free_text
from shezhi.people.selectors import residents_search
from shezhi.volunteers.models import ServiceRecord

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_COUNT = 9
PHOTO_MAX_PIXELS = 50_000_000  # refuse decompression bombs well before Pillow's own limit
# Pillow format -> (content type, file extension) of the photos we keep.
PHOTO_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "GIF": ("image/gif", "gif"),
    "WEBP": ("image/webp", "webp"),
}
RATEABLE = (Status.PUBLISHED, Status.FINISHED)


# --- who took part ----------------------------------------------------------------------------


def _attended(actor: User, activity: Activity) -> Attendance | None:
    return (
        Attendance.objects.filter(activity=activity, volunteer__user=actor)
        .select_related("volunteer")
        .first()
    )


def _beneficiary(actor: User, activity: Activity) -> Beneficiary | None:
    return (
        Beneficiary.objects.filter(activity=activity, resident__user=actor)
        .select_related("resident")
        .first()
    )


def took_part(actor: User, activity: Activity) -> bool:
    """Attended as a volunteer or was registered as a beneficiary."""
    return _attended(actor, activity) is not None or _beneficiary(actor, activity) is not None


def may_view(actor: User, activity: Activity) -> bool:
    """Who may see an activity's summary and photos: whoever may see the activity, and the
    beneficiaries registered at it."""
    return may_see(actor, activity) or _beneficiary(actor, activity) is not None


def activity_for_viewer(actor: User, activity_id: int) -> Activity:
    activity = activity_row(activity_id)
    if not may_view(actor, activity):
        raise NotFound("未找到该活动", field="activity_id")
    return activity


# --- ratings ----------------------------------------------------------------------------------


def rating_problem(actor: User, activity: Activity, *, now: datetime) -> Conflict | None:
    """Why the actor may not rate the activity now (None: they may)."""
    if activity.status not in RATEABLE:
        return Conflict("该活动未举行，不能评价", field="stars")
    if now < activity.ends_at:
        return Conflict("活动结束后才能评价", field="stars")
    if Rating.objects.filter(activity=activity, rater=actor).exists():
        return Conflict(
            "您已评价过该活动，每人只能评价一次", field="stars", code=ActivityError.DUPLICATE
        )
    return None


def rating_refusal(actor: User, activity: Activity, *, now: datetime) -> str | None:
    """What the rating page shows instead of its form (None: the form)."""
    if not took_part(actor, activity):
        return _("只有参加活动的志愿者和登记的服务对象可以评价")
    problem = rating_problem(actor, activity, now=now)
    return problem.message if problem else None


@transaction.atomic
def rating_create(
    *,
    actor: User,
    activity_id: int,
    stars: int,
    comment: str = "",
    now: datetime | None = None,
) -> Rating:
    """A volunteer who attended, or a registered beneficiary, rates an ended activity once."""
    now = now or timezone.now()
    activity = activity_row(activity_id)
    attendance = _attended(actor, activity)
    beneficiary = None if attendance else _beneficiary(actor, activity)
    if attendance is None and beneficiary is None:
        if may_see(actor, activity):
            raise Forbidden("只有参加活动的志愿者和登记的服务对象可以评价")
        raise NotFound("未找到该活动", field="activity_id")
    stars = clean_int(stars, field="stars", label="评分", low=1, high=5)
    comment = clean_text(comment, field="comment", label="评价内容", max_length=500, required=False)
    problem = rating_problem(actor, activity, now=now)
    if problem:
        raise problem
    rating = Rating(
        activity=activity,
        rater=actor,
        role=Rating.Role.VOLUNTEER if attendance else Rating.Role.BENEFICIARY,
        stars=stars,
        comment=comment,
    )
    try:
        with transaction.atomic():
            rating.save()
    except IntegrityError:  # a second rating that raced the check above
        raise Conflict(
            "您已评价过该活动，每人只能评价一次", field="stars", code=ActivityError.DUPLICATE
        ) from None
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=rating,
        summary=f"评价活动 {activity.title}：{stars}星",
        changes={"stars": stars, "role": rating.role},
    )
    resident = beneficiary.resident if beneficiary else None
    announce_free_text(
        sender=Rating,
        source_type="activities.rating",
        source_id=str(rating.pk),
        text=comment,
        resident_id=resident.pk if resident else None,
        community_id=(
            resident.community_id if resident else attendance.volunteer.community_id  # type: ignore[union-attr]
        ),
    )
    return rating


# --- summary and photos -----------------------------------------------------------------------


def summary_open(activity: Activity, now: datetime) -> bool:
    """The summary may be written: the activity took place and has ended."""
    return activity.status in RATEABLE and now >= activity.ends_at


def _ended_for_summary(activity: Activity, now: datetime) -> None:
    if activity.status not in RATEABLE:
        raise Conflict("该活动未举行，不能撰写总结", field="status")
    if now < activity.ends_at:
        raise Conflict("活动结束后才能撰写总结", field="status")


@transaction.atomic
def summary_save(
    *, actor: User, activity_id: int, text: str, now: datetime | None = None
) -> Summary:
    """The organiser writes or rewrites the summary of an ended activity."""
    now = now or timezone.now()
    activity = activity_for_organiser(actor, activity_id, lock=True)
    _ended_for_summary(activity, now)
    text = clean_text(text, field="text", label="总结内容", max_length=5000)
    summary = Summary.objects.filter(activity=activity).first()
    created = summary is None
    if summary is None:
        summary = Summary(activity=activity, text=text, written_by=actor)
    else:
        summary.text = text
        summary.written_by = actor
    summary.save()
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        obj=summary,
        summary=("撰写" if created else "修改") + f"活动总结 {activity.title}",
    )
    return summary


@dataclass(frozen=True)
class CheckedImage:
    content_type: str
    extension: str
    width: int
    height: int


def check_image(data: bytes) -> CheckedImage:
    """The photo's type judged by its content (Pillow), never by its name."""
    if len(data) > PHOTO_MAX_BYTES:
        raise InvalidInput("照片不能超过5MB", field="photo", code=ActivityError.TOO_LARGE)
    if not data:
        raise InvalidInput("请选择照片文件", field="photo")
    not_image = InvalidInput(
        "文件不是有效的图片（支持 JPEG、PNG、GIF、WebP）",
        field="photo",
        code=ActivityError.NOT_IMAGE,
    )
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt, (width, height) = img.format, img.size
            if width * height > PHOTO_MAX_PIXELS:
                raise InvalidInput("图片尺寸过大", field="photo", code=ActivityError.TOO_LARGE)
            img.verify()
    except InvalidInput:
        raise
    except Exception:  # noqa: BLE001  any decoder error (truncated, bomb, not an image) is bad input
        raise not_image from None
    if fmt not in PHOTO_FORMATS:
        raise not_image
    content_type, extension = PHOTO_FORMATS[fmt]
    return CheckedImage(content_type, extension, width, height)


def read_upload(upload: IO[bytes] | Any) -> bytes:
    """At most one byte more than the limit: a larger file is refused without reading it all."""
    size = getattr(upload, "size", None)
    if size is not None and size > PHOTO_MAX_BYTES:
        raise InvalidInput("照片不能超过5MB", field="photo", code=ActivityError.TOO_LARGE)
    if hasattr(upload, "seek"):
        upload.seek(0)
    return upload.read(PHOTO_MAX_BYTES + 1)


@transaction.atomic
def summary_photo_add(
    *, actor: User, activity_id: int, upload: Any, now: datetime | None = None
) -> SummaryPhoto:
    """Add a photo to the summary (written first); at most PHOTO_MAX_COUNT per summary."""
    now = now or timezone.now()
    activity = activity_for_organiser(actor, activity_id, lock=True)
    _ended_for_summary(activity, now)
    summary = Summary.objects.select_for_update().filter(activity=activity).first()
    if summary is None:
        raise Conflict("请先填写活动总结，再上传照片", field="photo", code=ActivityError.NO_SUMMARY)
    if summary.photos.count() >= PHOTO_MAX_COUNT:
        raise Conflict(
            f"每篇总结最多上传{PHOTO_MAX_COUNT}张照片", field="photo", code=ActivityError.TOO_MANY
        )
    data = read_upload(upload)
    checked = check_image(data)
    photo = SummaryPhoto(
        summary=summary,
        content_type=checked.content_type,
        size=len(data),
        width=checked.width,
        height=checked.height,
        uploaded_by=actor,
    )
    photo.image.save(f"{activity.pk}-{uuid.uuid4().hex}.{checked.extension}", ContentFile(data))
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=photo,
        summary=f"上传活动总结照片 {activity.title}",
        changes={"size": len(data), "type": checked.content_type},
    )
    return photo


@transaction.atomic
def summary_photo_delete(*, actor: User, activity_id: int, photo_id: int) -> None:
    activity = activity_for_organiser(actor, activity_id, lock=True)
    photo = SummaryPhoto.objects.filter(pk=photo_id, summary__activity=activity).first()
    if photo is None:
        raise NotFound("未找到该照片", field="photo_id")
    name = photo.image.name
    storage = photo.image.storage
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=photo.summary,
        summary=f"删除活动总结照片 {activity.title}",
        changes={"deleted_photo": photo.pk},
    )
    photo.delete()
    transaction.on_commit(lambda: storage.delete(name))


def photo_for_viewer(*, actor: User, activity_id: int, photo_id: int) -> SummaryPhoto:
    """A photo, for whoever may see its activity; otherwise not found."""
    activity = activity_for_viewer(actor, activity_id)
    photo = SummaryPhoto.objects.filter(pk=photo_id, summary__activity=activity).first()
    if photo is None:
        raise NotFound("未找到该照片", field="photo_id")
    return photo


# --- the figures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    volunteers: int  # checked in
    hours: Decimal  # confirmed into counted service records
    beneficiaries_registered: int
    beneficiaries_headcount: int
    ratings: int
    average: Decimal | None  # one decimal

    @property
    def beneficiaries(self) -> int:
        return self.beneficiaries_registered + self.beneficiaries_headcount


def figures(activity: Activity) -> Figures:
    hours = Attendance.objects.filter(
        activity=activity, service_record__status=ServiceRecord.Status.COUNTED
    ).aggregate(h=Sum("service_record__hours"))["h"]
    ratings = Rating.objects.filter(activity=activity).aggregate(n=Count("id"), avg=Avg("stars"))
    average = ratings["avg"]
    return Figures(
        volunteers=Attendance.objects.filter(activity=activity).count(),
        hours=Decimal(hours or 0).quantize(Decimal("0.1")),  # SQLite's SUM drops the scale
        beneficiaries_registered=activity.beneficiaries.count(),
        beneficiaries_headcount=activity.beneficiaries_headcount,
        ratings=ratings["n"],
        average=(
            None
            if average is None
            else Decimal(str(average)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        ),
    )


@dataclass(frozen=True)
class SummaryPage:
    activity: Activity
    summary: Summary | None
    photos: list[SummaryPhoto]
    figures: Figures
    ratings: list[Rating]
    may_edit: bool  # an organiser (manages the photos)
    may_write: bool  # an organiser, and the summary is open (see summary_open)
    may_register: bool  # an organiser, and beneficiaries may be registered
    beneficiaries: list[Beneficiary]  # for the organisers only


def summary_page(*, actor: User, activity_id: int, now: datetime | None = None) -> SummaryPage:
    """The summary with its figures; the ratings' comments only for the organisers."""
    now = now or timezone.now()
    activity = activity_for_viewer(actor, activity_id)
    summary = Summary.objects.filter(activity=activity).first()
    organiser = may_organise(actor, activity)
    return SummaryPage(
        activity=activity,
        summary=summary,
        photos=list(summary.photos.all()) if summary else [],
        figures=figures(activity),
        ratings=list(activity.ratings.all()[:200]) if organiser else [],
        may_edit=organiser,
        may_write=organiser and summary_open(activity, now),
        may_register=organiser and activity.status in RATEABLE,
        beneficiaries=beneficiaries_of(activity) if organiser else [],
    )


def activities_to_rate(
    *, actor: User, now: datetime | None = None, limit: int = 50
) -> list[Activity]:
    """Ended activities the actor attended or was served at, not yet rated by them."""
    now = now or timezone.now()
    ids = set(
        Attendance.objects.filter(volunteer__user=actor).values_list("activity_id", flat=True)
    ) | set(Beneficiary.objects.filter(resident__user=actor).values_list("activity_id", flat=True))
    return list(
        Activity.objects.filter(pk__in=ids, status__in=RATEABLE, ends_at__lte=now)
        .exclude(ratings__rater=actor)
        .order_by("-ends_at", "-id")[:limit]
    )


# --- beneficiaries, from the summary page ----------------------------------------------------


def beneficiary_register(*, actor: User, activity_id: int, query: str) -> Beneficiary:
    """Register the one resident in the actor's scope whose ID number or phone is `query` (or
    whose name matches it alone) as served at the activity."""
    query = clean_text(query, field="query", label="身份证号或手机号", max_length=30)
    found = list(residents_search(actor=actor, query=query)[:2])
    if not found:
        raise NotFound("未找到该居民", field="query")
    if len(found) > 1:
        raise InvalidInput("找到多位居民，请输入身份证号或手机号", field="query")
    return services.beneficiary_add(actor=actor, activity_id=activity_id, resident_id=found[0].pk)


def beneficiaries_of(activity: Activity) -> list[Beneficiary]:
    return list(activity.beneficiaries.select_related("resident"))


def rating_comment(source_id: str) -> str | None:
    """An activity rating's comment, read by id for crisis triage (shezhi.core.signals)."""
    return Rating.objects.filter(pk=int(source_id)).values_list("comment", flat=True).first()
