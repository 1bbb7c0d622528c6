"""Writes to volunteers' service records."""

from datetime import date

from django.db import transaction

from shezhi.accounts.models import User
from shezhi.core import audit
from shezhi.core.hours import service_hours
from shezhi.core.models import AuditEvent
from shezhi.org.models import OrgUnit
from shezhi.volunteers.models import ServiceRecord, Volunteer


@transaction.atomic
def service_record_create(
    *,
    recorder: User,
    volunteer: Volunteer,
    title: str,
    service_date: date,
    place: str,
    content: str,
    minutes: int,
    organiser_unit: OrgUnit,
    person_in_charge: str,
    beneficiary: str = "",
    source: str = "",
) -> ServiceRecord:
    """Credit a volunteer with a service; hours follow the rounding rule ("谁组织谁记录")."""
    record = ServiceRecord(
        volunteer=volunteer,
        title=title[:100],
        service_date=service_date,
        place=place[:200],
        content=content,
        minutes=minutes,
        hours=service_hours(minutes),
        organiser=f"{organiser_unit.name}",
        organiser_unit=organiser_unit,
        person_in_charge=person_in_charge[:30],
        recorded_by=recorder,
        beneficiary=beneficiary[:60],
        source=source,
    )
    record.full_clean()
    record.save()
    audit.record(
        actor=recorder,
        action=AuditEvent.Action.CREATE,
        obj=record,
        summary=f"记录志愿服务 {record.hours} 小时",
        changes={"source": source},
    )
    return record
