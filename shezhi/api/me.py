"""/api/v1/me, reference data and the caller's own service record."""

from django.http import HttpRequest
from ninja import Router

from shezhi.api import render
from shezhi.api.schemas import ERRORS, CategoryOut, MeOut, ServiceRecordsOut, UrgencyOut
from shezhi.needs import selectors as need_selectors
from shezhi.volunteers import selectors as volunteer_selectors

router = Router(tags=["账号与基础数据"])


@router.get("/me", response={200: MeOut, **ERRORS}, summary="当前用户")
def me(request: HttpRequest):
    user = request.auth
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "role_label": user.get_role_display(),
        "unit": render.unit(user.unit),
    }


@router.get(
    "/me/service-records", response={200: ServiceRecordsOut, **ERRORS}, summary="我的服务记录"
)
def my_service_records(request: HttpRequest):
    user = request.auth
    volunteer = volunteer_selectors.volunteer_of(user)
    records = volunteer_selectors.service_records_of(user).order_by("-service_date", "-id")
    return {
        "volunteer_no": volunteer.volunteer_no if volunteer else None,
        "total_hours": volunteer_selectors.total_hours_of(user),
        "records": list(records),
    }


@router.get("/categories", response={200: list[CategoryOut], **ERRORS}, summary="需求类别")
def categories(request: HttpRequest):
    return [
        {"code": c.code, "name": c.name, "skills": [s.code for s in c.skills.all()]}
        for c in need_selectors.categories(with_skills=True)
    ]


@router.get("/urgency-levels", response={200: list[UrgencyOut], **ERRORS}, summary="紧急程度")
def urgency_levels(request: HttpRequest):
    return list(need_selectors.urgency_levels())
