"""One-on-one contact persons of the residents on the registry."""

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from shezhi.accounts.models import Role, User
from shezhi.care.models import (
    CareAlert,
    ContactAssignment,
)
from shezhi.care.selectors import care_resident_get
from shezhi.care.services.common import CONTACT_KINDS, require_manager
from shezhi.care.services.visits import close_alerts
from shezhi.core import audit
from shezhi.core.errors import Conflict, InvalidInput, NotFound
from shezhi.core.inputs import clean_text, validate_model
from shezhi.core.models import AuditEvent
from shezhi.org.models import Level
from shezhi.people.models import Resident


def contact_kind_fitting(contact: User, resident: Resident) -> ContactAssignment.Kind:
    kind = CONTACT_KINDS.get(Role(contact.role)) if contact.role in Role.values else None
    if kind is None or not contact.is_active:
        raise InvalidInput("一对一联系人须为网格员、志愿者或社工", field="contact")
    if kind == ContactAssignment.Kind.GRID_WORKER:
        fits = contact.unit_id == resident.grid_id
        where = "该居民所在网格"
    elif kind == ContactAssignment.Kind.SOCIAL_WORKER:
        fits = contact.unit is not None and (
            contact.unit.ancestor(Level.COMMUNITY) == resident.community
        )
        where = "该居民所在社区"
    else:
        volunteer = getattr(contact, "volunteer", None)
        fits = volunteer is not None and volunteer.community_id == resident.community_id
        where = "该居民所在社区"
    if not fits:
        raise InvalidInput(f"联系人应属于{where}", field="contact")
    return kind


@transaction.atomic
def contact_assign(
    *,
    actor: User,
    resident_id: int,
    contact_id: int,
    started_on: date | None = None,
    now: datetime | None = None,
) -> ContactAssignment:
    """Name a one-on-one contact person (一对一联系人); a resident may have several."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    require_manager(actor)
    resident = care_resident_get(actor=actor, resident_id=resident_id)
    contact = User.objects.select_related("unit").filter(pk=contact_id).first()
    if contact is None:
        raise NotFound("未找到该联系人", field="contact")
    kind = contact_kind_fitting(contact, resident)
    started_on = started_on or today
    if started_on > today:
        raise InvalidInput("开始日期不能晚于今天", field="started_on")
    if ContactAssignment.objects.filter(
        resident=resident, contact=contact, ended_on__isnull=True
    ).exists():
        raise Conflict("此人已是该居民的一对一联系人", field="contact")
    assignment = ContactAssignment(
        resident=resident, contact=contact, kind=kind, started_on=started_on, assigned_by=actor
    )
    validate_model(assignment, constraints=False)  # the database's unique constraint decides
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:  # the same pair assigned at the same moment by someone else
        raise Conflict("此人已是该居民的一对一联系人", field="contact") from None
    close_alerts(
        resident_ids=[resident.pk],
        kind=CareAlert.Kind.NO_CONTACT_PERSON,
        now=now,
        note="已指派一对一联系人",
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=assignment,
        summary=f"指派一对一联系人：{contact}（{assignment.get_kind_display()}）",
    )
    return assignment


@transaction.atomic
def contact_end(
    *,
    actor: User,
    assignment_id: int,
    reason: str,
    ended_on: date | None = None,
    now: datetime | None = None,
) -> ContactAssignment:
    """End a contact assignment; it stays in the history."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    require_manager(actor)
    assignment = (
        ContactAssignment.objects.select_for_update().filter(pk=assignment_id).first()
        if isinstance(assignment_id, int)
        else None
    )
    if assignment is None:
        raise NotFound("未找到该联系人记录")
    care_resident_get(actor=actor, resident_id=assignment.resident_id)
    if assignment.ended_on is not None:
        raise Conflict("该联系人记录已结束")
    reason = clean_text(reason, field="reason", label="结束原因", max_length=200)
    ended_on = ended_on or today
    if ended_on > today:
        raise InvalidInput("结束日期不能晚于今天", field="ended_on")
    if ended_on < assignment.started_on:
        raise InvalidInput("结束日期不能早于开始日期", field="ended_on")
    assignment.ended_on = ended_on
    assignment.end_reason = reason[:200]
    assignment.save(update_fields=["ended_on", "end_reason"])
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=assignment,
        summary=f"结束一对一联系人：{assignment.contact}，{reason}"[:300],
    )
    return assignment
