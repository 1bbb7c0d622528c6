"""/api/v1/notifications: the caller's in-app inbox (list, unread count, mark read). Only the
caller's own notifications exist here; another user's is 404."""

from datetime import datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from shezhi.api.errors import CHANGE, raises
from shezhi.api.schemas import ERRORS, MAX_ID, Clean, StrictBool
from shezhi.notifications import selectors, services
from shezhi.notifications.models import Notification

router = Router(tags=["消息通知"])

PathId = Annotated[int, Field(ge=1, le=MAX_ID)]


class NotificationOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    body: str
    link: str = Field(description="站内路径，可为空")
    created_at: datetime
    read_at: datetime | None


class ListQuery(Clean):
    unread: bool = Field(False, description="只看未读")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10**9)


class PageOut(Schema):
    unread: int = Field(description="未读条数（最多100）")
    limit: int
    offset: int
    items: list[NotificationOut]


class MarkedOut(Schema):
    marked: int


class PreferenceOut(Schema):
    sms: bool = Field(description="同时用短信通知（站内消息始终开启）")
    sms_available: bool = Field(description="本平台是否开通短信")
    mobile: str = Field(description="短信号码（打码），未登记为空")


class PreferenceIn(Clean):
    sms: StrictBool


def _preference(user) -> dict:
    p = selectors.preference_for(user)
    return {"sms": p.sms, "sms_available": p.sms_available, "mobile": p.mobile}


def _out(n: Notification) -> dict:
    return {
        "id": n.pk,
        "kind": n.kind,
        "kind_label": n.get_kind_display(),
        "title": n.title,
        "body": n.body,
        "link": n.link,
        "created_at": n.created_at,
        "read_at": n.read_at,
    }


@router.get("", response={200: PageOut, **ERRORS}, summary="我的通知")
def notifications(request: HttpRequest, query: Query[ListQuery]):
    rows = selectors.notifications_visible_to(request.auth)
    if query.unread:
        rows = rows.filter(read_at__isnull=True)
    items = rows[query.offset : query.offset + query.limit]
    return {
        "unread": selectors.unread_count(request.auth),
        "limit": query.limit,
        "offset": query.offset,
        "items": [_out(n) for n in items],
    }


# Before the /{notification_id} routes, which would otherwise take these paths.
@router.get("/preferences", response={200: PreferenceOut, **ERRORS}, summary="我的通知设置")
def preference_get(request: HttpRequest):
    return _preference(request.auth)


@router.put("/preferences", response={200: PreferenceOut, **ERRORS}, summary="修改通知设置")
@raises(*CHANGE)
def preference_put(request: HttpRequest, payload: PreferenceIn):
    services.preference_set(actor=request.auth, sms=payload.sms)
    return _preference(request.auth)


@router.post("/read-all", response={200: MarkedOut, **ERRORS}, summary="全部标为已读")
@raises(*CHANGE)
def mark_all_read(request: HttpRequest):
    return {"marked": services.notifications_mark_all_read(actor=request.auth)}


@router.get("/{notification_id}", response={200: NotificationOut, **ERRORS}, summary="一条通知")
def notification(request: HttpRequest, notification_id: PathId):
    return _out(selectors.notification_get(actor=request.auth, notification_id=notification_id))


@router.post(
    "/{notification_id}/read", response={200: NotificationOut, **ERRORS}, summary="标为已读"
)
@raises(*CHANGE)
def mark_read(request: HttpRequest, notification_id: PathId):
    return _out(
        services.notification_mark_read(actor=request.auth, notification_id=notification_id)
    )
