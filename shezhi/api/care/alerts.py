"""Open care alerts: the list, acknowledgement, closing and the report on one."""

from django.http import HttpRequest
from ninja import Query

from shezhi.api.care.common import PathId, router
from shezhi.api.care.rendering import (
    alert_cases,
    render_alert,
)
from shezhi.api.care.schemas import (
    AlertCloseIn,
    AlertOut,
    AlertQuery,
    CareAlertReportIn,
)
from shezhi.api.errors import CHANGE, raises
from shezhi.api.schemas import ERRORS
from shezhi.care import selectors, services


@router.get("/alerts", response={200: list[AlertOut], **ERRORS}, summary="待处理的关爱预警")
def alert_list(request: HttpRequest, filters: Query[AlertQuery]):
    qs = selectors.alerts_open(actor=request.auth, kind=filters.kind).select_related("grid")
    alerts = list(qs[: filters.limit])
    cases = alert_cases(request.auth, [a.pk for a in alerts])
    return [render_alert(a, request.auth, cases) for a in alerts]


@router.post(
    "/alerts/{alert_id}/acknowledge", response={200: AlertOut, **ERRORS}, summary="确认预警"
)
@raises(*CHANGE)
def alert_acknowledge(request: HttpRequest, alert_id: PathId):
    alert = services.alert_acknowledge(actor=request.auth, alert_id=alert_id)
    return render_alert(selectors.alert_get(actor=request.auth, alert_id=alert.pk), request.auth)


@router.post(
    "/alerts/{alert_id}/close",
    response={200: AlertOut, **ERRORS},
    summary="关闭预警（须填写原因并确认 confirm=true）",
)
@raises(*CHANGE)
def alert_close(request: HttpRequest, alert_id: PathId, payload: AlertCloseIn):
    alert = services.alert_close(
        actor=request.auth, alert_id=alert_id, note=payload.note, confirmed=payload.confirm
    )
    return render_alert(selectors.alert_get(actor=request.auth, alert_id=alert.pk), request.auth)


@router.post(
    "/alerts/{alert_id}/report",
    response={200: AlertOut, **ERRORS},
    summary="登记强制报告",
)
@raises(*CHANGE)
def alert_report(request: HttpRequest, alert_id: PathId, payload: CareAlertReportIn):
    services.alert_record_report(
        actor=request.auth,
        alert_id=alert_id,
        reported_to=payload.reported_to,
        reported_at=payload.reported_at,
    )
    return render_alert(selectors.alert_get(actor=request.auth, alert_id=alert_id), request.auth)
