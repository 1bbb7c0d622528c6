"""/api/v1/me, reference data and the caller's own service record."""

from django.http import HttpRequest
from ninja import Router

from shezhi.accounts import services as account_services
from shezhi.api import render
from shezhi.api.errors import CHANGE, raises
from shezhi.api.schemas import (
    ERRORS,
    CategoryOut,
    MeOut,
    MeUpdateIn,
    ServiceRecordsOut,
    UrgencyOut,
)
from shezhi.needs import selectors as need_selectors
from shezhi.people import selectors as people_selectors
from shezhi.volunteers import selectors as volunteer_selectors

router = Router(tags=["账号与基础数据"])


def _me(user) -> dict:
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "role_label": user.get_role_display(),
        "unit": render.unit(user.unit),
        "elder_mode": people_selectors.elder_mode_for(user),
        "elder_mode_setting": user.elder_mode,
        "community_phone": people_selectors.community_phone_for(user),
    }


@router.get("/me", response={200: MeOut, **ERRORS}, summary="当前用户")
def me(request: HttpRequest):
    return _me(request.auth)


@router.patch("/me", response={200: MeOut, **ERRORS}, summary="修改我的设置（长辈模式）")
@raises(*CHANGE)
def me_update(request: HttpRequest, payload: MeUpdateIn):
    user = request.auth
    if "elder_mode" in payload.model_fields_set:
        account_services.user_set_elder_mode(actor=user, enabled=payload.elder_mode)
    return _me(user)


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
        {
            "code": c.code,
            "name": c.name,
            "skills": [s.code for s in c.skills.all()],
            "icon": c.icon,
            "for_residents": c.for_residents,
        }
        for c in need_selectors.categories(with_skills=True)
    ]


@router.get("/urgency-levels", response={200: list[UrgencyOut], **ERRORS}, summary="紧急程度")
def urgency_levels(request: HttpRequest):
    return list(need_selectors.urgency_levels())
