"""Training records and honours of a volunteer (staff of the volunteer's community)."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.core import audit
from shezhi.core.errors import InvalidInput
from shezhi.core.inputs import clean_text, save_validated
from shezhi.core.models import AuditEvent
from shezhi.volunteers.models import (
    Honour,
    TrainingRecord,
)
from shezhi.volunteers.scope import volunteer_in_scope
from shezhi.volunteers.services.records import MAX_MINUTES


@transaction.atomic
def training_record_create(
    *,
    actor: User,
    volunteer_id: int,
    name: str,
    content: str,
    minutes: int,
    organiser: str,
    day: date,
) -> TrainingRecord:
    volunteer = volunteer_in_scope(actor, volunteer_id)
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= MAX_MINUTES:
        raise InvalidInput(f"培训时长应为1到{MAX_MINUTES}之间的整数分钟", field="minutes")
    if not isinstance(day, date) or day > timezone.localdate():
        raise InvalidInput("培训日期不能晚于今天", field="day")
    training = TrainingRecord(
        volunteer=volunteer,
        name=clean_text(name, field="name", label="培训名称", max_length=100),
        content=clean_text(content, field="content", label="培训内容", max_length=2000),
        minutes=minutes,
        organiser=clean_text(organiser, field="organiser", label="组织单位", max_length=100),
        day=day,
        recorded_by=actor,
    )
    save_validated(training)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=training,
        summary=f"记录培训 {training.name}",
    )
    return training


@transaction.atomic
def honour_create(*, actor: User, volunteer_id: int, name: str, day: date, grantor: str) -> Honour:
    volunteer = volunteer_in_scope(actor, volunteer_id)
    if not isinstance(day, date) or day > timezone.localdate():
        raise InvalidInput("获得日期不能晚于今天", field="day")
    honour = Honour(
        volunteer=volunteer,
        name=clean_text(name, field="name", label="荣誉名称", max_length=100),
        day=day,
        grantor=clean_text(grantor, field="grantor", label="授予单位", max_length=100),
        recorded_by=actor,
    )
    save_validated(honour)
    audit.record(
        actor=actor, action=AuditEvent.Action.CREATE, obj=honour, summary=f"记录荣誉 {honour.name}"
    )
    return honour
