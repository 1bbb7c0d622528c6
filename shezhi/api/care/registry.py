"""The care registry: a resident's profile and one-on-one contact persons."""

from django.http import HttpRequest

from shezhi.api.care.common import PathId, router
from shezhi.api.care.rendering import (
    render_contact,
    render_profile,
)
from shezhi.api.care.schemas import (
    CareContactEndIn,
    CareContactIn,
    CareProfileIn,
    ContactOut,
    ProfileOut,
)
from shezhi.api.errors import CHANGE, raises
from shezhi.api.schemas import ERRORS
from shezhi.care import services


@router.post(
    "/residents/{resident_id}/profile",
    response={200: ProfileOut, **ERRORS},
    summary="登记关爱对象或调整风险等级（社工、网格员、督导）",
)
@raises(*CHANGE)
def profile_set(request: HttpRequest, resident_id: PathId, payload: CareProfileIn):
    profile = services.care_profile_set(
        actor=request.auth, resident_id=resident_id, **payload.model_dump()
    )
    return render_profile(profile)


@router.post(
    "/residents/{resident_id}/contacts",
    response={201: ContactOut, **ERRORS},
    summary="指派一对一联系人",
)
@raises(*CHANGE)
def contact_assign(request: HttpRequest, resident_id: PathId, payload: CareContactIn):
    a = services.contact_assign(
        actor=request.auth,
        resident_id=resident_id,
        contact_id=payload.contact_id,
        started_on=payload.started_on,
    )
    return 201, render_contact(a)


@router.post(
    "/contacts/{assignment_id}/end",
    response={200: ContactOut, **ERRORS},
    summary="结束一对一联系人（记录保留）",
)
@raises(*CHANGE)
def contact_end(request: HttpRequest, assignment_id: PathId, payload: CareContactEndIn):
    a = services.contact_end(actor=request.auth, assignment_id=assignment_id, reason=payload.reason)
    return render_contact(a)
