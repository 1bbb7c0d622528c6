"""Writing audit events. Services call these inside their own transaction."""

from collections.abc import Sequence
from typing import Any

from django.db import models

from shezhi.core.models import AuditEvent, identity_snapshot


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    summary: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    event = _event(actor, identity_snapshot(actor), action, obj, summary, changes)
    event.save()
    return event


def record_many(
    *,
    actor: Any,
    action: str,
    items: Sequence[tuple[models.Model, str, dict[str, Any] | None]],
) -> None:
    """One event per (object, summary, changes), written with one insert (batch services)."""
    identity = identity_snapshot(actor)
    AuditEvent.objects.bulk_create(
        _event(actor, identity, action, obj, summary, changes) for obj, summary, changes in items
    )


def _event(
    actor: Any,
    identity: str,
    action: str,
    obj: models.Model,
    summary: str,
    changes: dict[str, Any] | None,
) -> AuditEvent:
    return AuditEvent(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_identity=identity,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        summary=summary[:300],
        changes=changes or {},
    )


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Field-by-field changes as {field: [old, new]}, with values made JSON-safe."""
    return {
        k: [jsonable(before.get(k)), jsonable(v)] for k, v in after.items() if before.get(k) != v
    }


def jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
