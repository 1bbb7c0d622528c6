"""The contact person's "today" list, a resident's care card and logging a visit."""

from django.http import HttpRequest
from django.utils import timezone

from shezhi.api.care.common import PathId, router
from shezhi.api.care.rendering import (
    render_card,
    render_visit,
)
from shezhi.api.care.schemas import (
    CareCardOut,
    TodayItemOut,
    VisitIn,
    VisitOut,
)
from shezhi.api.errors import CHANGE, raises
from shezhi.api.schemas import ERRORS
from shezhi.care import cards, selectors, services
from shezhi.care.cadence import days_overdue


@router.get("/today", response={200: list[TodayItemOut], **ERRORS}, summary="我今天要走访的人")
def today(request: HttpRequest):
    actor = request.auth
    day = timezone.localdate()
    return [
        {
            "resident_id": p.resident_id,
            "name": p.resident.name,
            "risk_level": p.risk_level,
            "risk_label": p.get_risk_level_display(),
            "risk_reasons": p.risk_reasons,
            "grid": p.grid.name,
            "address": cards.shown_address(actor, p.resident, is_contact=True),
            "phone": cards.listed_phone(p.resident),
            "next_visit_due": p.next_visit_due,
            "days_overdue": days_overdue(p.next_visit_due, day),
            "urgent_visit_by": p.urgent_visit_by,
        }
        for p in selectors.today_list(actor=actor, today=day)[:500]
    ]


@router.get(
    "/residents/{resident_id}",
    response={200: CareCardOut, **ERRORS},
    summary="关爱卡：风险、走访周期、联系人和最近走访",
)
def card(request: HttpRequest, resident_id: PathId):
    return render_card(request.auth, resident_id)


@router.post(
    "/residents/{resident_id}/visits",
    response={201: VisitOut, **ERRORS},
    summary="登记走访（可登记需求、调整风险等级）",
)
@raises(*CHANGE)
def visit_create(request: HttpRequest, resident_id: PathId, payload: VisitIn):
    need = payload.need
    visit = services.visit_log(
        actor=request.auth,
        resident_id=resident_id,
        visited_on=payload.visited_on,
        contact_made=payload.contact_made,
        mode=payload.mode,
        checklist=payload.checklist,
        notes=payload.notes,
        note=payload.note,
        risk_level=payload.risk_level,
        risk_reasons=payload.risk_reasons,
        need=services.NeedDraft(
            category=need.category,
            urgency=need.urgency,
            description=need.description,
            title=need.title,
        )
        if need is not None
        else None,
    )
    return 201, render_visit(visit)
