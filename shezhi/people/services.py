"""Writes to residents: validated, scoped, audited, in one transaction."""

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.core import audit
from shezhi.core.errors import Forbidden, InvalidInput, NotFound
from shezhi.core.inputs import save_validated
from shezhi.core.models import AuditEvent
from shezhi.core.validators import birth_date_from_id, gender_from_id
from shezhi.org.models import Level, OrgUnit
from shezhi.people.models import Resident, VulnerabilityTag
from shezhi.people.selectors import resident_get

CONSENT_VERSION = "2026-01"
AUDITED_FIELDS = [
    "name",
    "gender",
    "birth_date",
    "id_number",
    "phone",
    "compound_id",
    "grid_id",
    "address",
    "sms_notices",
]


def _grid_in_scope(actor: User, grid_id: int) -> OrgUnit:
    from shezhi.accounts.scoping import sees_everything

    grid = OrgUnit.objects.filter(pk=grid_id, level=Level.GRID).select_related("parent").first()
    if grid is None:
        raise NotFound("未找到该网格", field="grid")
    if not sees_everything(actor) and not (actor.unit and grid.path.startswith(actor.unit.path)):
        raise NotFound("未找到该网格", field="grid")
    return grid


def _snapshot(resident: Resident) -> dict[str, Any]:
    return {f: getattr(resident, f) for f in AUDITED_FIELDS}


def _save(resident: Resident) -> None:
    try:
        save_validated(resident)
    except IntegrityError:  # two registrations of one ID number at once: the constraint decides
        raise InvalidInput("该身份证号码已登记", field="id_number") from None


@transaction.atomic
def resident_create(
    *,
    actor: User,
    name: str,
    id_number: str,
    grid_id: int,
    phone: str = "",
    address: str = "",
    birth_date: date | None = None,
    gender: str | None = None,
    tag_codes: list[str] | None = None,
    consent_given: bool = False,
) -> Resident:
    """Register a resident. Gender and birth date default to what the ID number says."""
    if not actor.is_staff_role:
        raise Forbidden("您的角色无权登记居民")
    if not consent_given:
        raise InvalidInput("请先取得居民对个人信息处理的同意", field="consent_given")
    grid = _grid_in_scope(actor, grid_id)
    id_number = (id_number or "").strip().upper()
    resident = Resident(
        name=(name or "").strip(),
        id_number=id_number,
        phone=(phone or "").strip(),
        address=address,
        compound=grid.parent,
        grid=grid,
        consent_version=CONSENT_VERSION,
        consent_at=timezone.now(),
        consent_recorded_by=actor,
    )
    try:
        resident.birth_date = birth_date or birth_date_from_id(id_number)
        resident.gender = gender or gender_from_id(id_number)
    except (ValueError, IndexError):
        pass  # full_clean() reports the bad ID number with its own message
    _save(resident)
    if tag_codes:
        resident.tags.set(_tags(tag_codes))
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=resident,
        summary="登记居民",
        changes={"tags": sorted(tag_codes or [])},
    )
    return resident


@transaction.atomic
def resident_update(*, actor: User, resident_id: int, **changes: Any) -> Resident:
    """Change a resident's fields. Only the fields given change; every change is audited."""
    if not actor.is_staff_role:
        raise Forbidden("您的角色无权修改居民信息")
    resident = resident_get(actor=actor, resident_id=resident_id)
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    before = _snapshot(resident)
    tag_codes = changes.pop("tag_codes", None)
    if "grid_id" in changes:
        grid = _grid_in_scope(actor, changes.pop("grid_id"))
        resident.grid, resident.compound = grid, grid.parent
    if "sms_notices" in changes:
        value = changes.pop("sms_notices")
        if not isinstance(value, bool):
            raise InvalidInput("请选择是否用短信告知需求进展", field="sms_notices")
        resident.sms_notices = value
    for field in ("name", "phone", "address", "id_number", "gender", "birth_date"):
        if field in changes:
            value = changes.pop(field)
            setattr(resident, field, value.strip() if isinstance(value, str) else value)
    if changes:
        raise InvalidInput(f"不能修改字段：{', '.join(changes)}", field=next(iter(changes)))
    _save(resident)
    delta = audit.diff(before, _snapshot(resident))
    if tag_codes is not None:
        old = sorted(resident.tags.values_list("code", flat=True))
        resident.tags.set(_tags(tag_codes))
        if old != sorted(tag_codes):
            delta["tags"] = [old, sorted(tag_codes)]
    # Sensitive values are logged as "changed", not copied into the audit trail.
    for field in ("id_number", "phone"):
        if field in delta:
            delta[field] = ["***", "***"]
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=resident,
        summary="修改居民信息",
        changes=delta,
    )
    return resident


def _tags(codes: list[str]) -> list[VulnerabilityTag]:
    tags = list(VulnerabilityTag.objects.filter(code__in=codes))
    unknown = set(codes) - {t.code for t in tags}
    if unknown:
        raise InvalidInput(f"未知的关爱标签：{', '.join(sorted(unknown))}", field="tag_codes")
    return tags
