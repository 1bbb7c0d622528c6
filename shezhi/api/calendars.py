"""/api/v1/calendars: the caller's calendar subscription addresses (their own activities, their
community's and their teams'). The feeds themselves are served at /calendar/<token>.ics without
a session, so calendar programs can subscribe."""

from django.http import HttpRequest
from ninja import Field, Router, Schema

from shezhi.activities import calendar
from shezhi.api.schemas import ERRORS

router = Router(tags=["志愿活动"])


class CalendarOut(Schema):
    label: str
    url: str = Field(description="iCalendar 订阅地址（含签名令牌，请勿转发）")
    webcal_url: str


@router.get("", response={200: list[CalendarOut], **ERRORS}, summary="我的活动日历订阅地址")
def calendars(request: HttpRequest):
    return [
        {"label": s.label, "url": s.url, "webcal_url": s.webcal_url}
        for s in calendar.subscriptions_for(request.auth)
    ]
