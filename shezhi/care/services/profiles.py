"""Care profiles: who is on the registry, at which risk level and visit cadence."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.care import cadence
from shezhi.care.models import (
    CareProfile,
)
from shezhi.care.selectors import care_resident_get
from shezhi.care.services.common import (
    require_manager,
    risk_level_of,
    rules,
)
from shezhi.core import audit
from shezhi.core.errors import InvalidInput
from shezhi.core.inputs import clean_text, validate_model
from shezhi.core.models import AuditEvent


@transaction.atomic
def care_profile_set(
    *,
    actor: User,
    resident_id: int,
    risk_level: str,
    risk_reasons: str,
    major_change: str = "",
    major_change_at: datetime | None = None,
    now: datetime | None = None,
) -> CareProfile:
    """Register a resident on the care registry, or change their risk level; a major change
    (出院, 丧亲 …) sets a visit deadline of `major_change_hours` after it."""
    now = now or timezone.now()
    require_manager(actor)
    resident = care_resident_get(actor=actor, resident_id=resident_id)
    level = risk_level_of(risk_level)
    risk_reasons = clean_text(risk_reasons, field="risk_reasons", label="风险原因", max_length=300)
    major_change = (major_change or "").strip()
    if major_change_at is not None and not major_change:
        raise InvalidInput("请说明重大变故（如出院、丧亲）", field="major_change")
    if major_change and major_change_at is None:
        major_change_at = now
    if major_change_at is not None and major_change_at > now:
        raise InvalidInput("重大变故时间不能晚于现在", field="major_change_at")

    profile = CareProfile.objects.select_for_update().filter(
        resident=resident
    ).first() or CareProfile(resident=resident, registered_on=timezone.localdate(now))
    created = profile.pk is None
    before = {"risk_level": profile.risk_level, "risk_reasons": profile.risk_reasons}
    profile.risk_level = level.value
    profile.risk_reasons = risk_reasons
    profile.is_active = True
    r = rules()
    profile.next_visit_due = cadence.next_due(
        level=level, rules=r, last_seen=profile.last_seen_on, registered_on=profile.registered_on
    )
    if major_change_at is not None:
        profile.urgent_visit_by = cadence.urgent_deadline(major_change_at, r)
        profile.major_change_note = major_change[:200]
    validate_model(profile)
    profile.save()
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        obj=profile,
        summary=f"关爱档案：风险等级{level.label}"
        + (f"，重大变故：{major_change}" if major_change else ""),
        changes=audit.diff(before, {"risk_level": level.value, "risk_reasons": risk_reasons}),
    )
    return profile
