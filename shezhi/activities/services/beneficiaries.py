"""The residents an activity served: registered beneficiaries and the unregistered headcount."""

from django.db import IntegrityError, transaction

from shezhi.accounts.models import User
from shezhi.activities.models import (
    Activity,
    Beneficiary,
)
from shezhi.activities.services.access import (
    activity_for_organiser,
)
from shezhi.activities.services.common import (
    Status,
)
from shezhi.core import audit
from shezhi.core.errors import Conflict, NotFound
from shezhi.core.inputs import clean_int
from shezhi.core.models import AuditEvent
from shezhi.people.selectors import resident_get


@transaction.atomic
def beneficiary_add(*, actor: User, activity_id: int, resident_id: int) -> Beneficiary:
    """Register a resident served at the activity; the resident must be in the actor's scope."""
    activity = activity_for_organiser(actor, activity_id, lock=True)
    if activity.status not in (Status.PUBLISHED, Status.FINISHED):
        raise Conflict("只能为已发布或已结束的活动登记服务对象", field="status")
    try:
        resident = resident_get(actor=actor, resident_id=resident_id)
    except NotFound:
        raise NotFound("未找到该居民", field="resident_id") from None
    if Beneficiary.objects.filter(activity=activity, resident=resident).exists():
        raise Conflict("该居民已登记为本活动的服务对象", field="resident_id")
    beneficiary = Beneficiary(activity=activity, resident=resident, recorded_by=actor)
    try:
        with transaction.atomic():
            beneficiary.save()
    except IntegrityError:
        raise Conflict("该居民已登记为本活动的服务对象", field="resident_id") from None
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=beneficiary,
        summary=f"登记活动 {activity.title} 的服务对象",
    )
    return beneficiary


@transaction.atomic
def activity_set_headcount(*, actor: User, activity_id: int, headcount: int) -> Activity:
    """Set how many unregistered people the activity served (服务对象人次, besides registered
    residents)."""
    activity = activity_for_organiser(actor, activity_id, lock=True)
    if activity.status == Status.CANCELLED:
        raise Conflict("该活动已取消", field="status")
    headcount = clean_int(headcount, field="headcount", label="服务对象人次", low=0, high=100000)
    before = activity.beneficiaries_headcount
    activity.beneficiaries_headcount = headcount
    activity.save(update_fields=["beneficiaries_headcount", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=activity,
        summary=f"服务对象人次 {before} → {headcount}",
        changes={"beneficiaries_headcount": [before, headcount]},
    )
    return activity


def beneficiaries_total(activity: Activity) -> int:
    """Registered residents plus the unregistered headcount."""
    return activity.beneficiaries.count() + activity.beneficiaries_headcount
