"""Model → output dict. Personal identifiers are masked here and nowhere else."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from shezhi.accounts.models import User
from shezhi.core.masking import mask_address
from shezhi.needs.models import Need
from shezhi.needs.permissions import need_actions_for
from shezhi.org.models import OrgUnit
from shezhi.people.models import Resident


def ref(obj: Any) -> dict[str, Any] | None:
    return {"id": obj.pk, "name": str(obj.name if hasattr(obj, "name") else obj)} if obj else None


def masked_ref(person: Any) -> dict[str, Any] | None:
    """A resident or volunteer named only by their masked name."""
    return {"id": person.pk, "name": person.masked_name} if person else None


def code_name(obj: Any) -> dict[str, str]:
    return {"code": obj.code, "name": obj.name}


def unit(obj: OrgUnit | None) -> dict[str, Any] | None:
    if obj is None:
        return None
    return {"id": obj.pk, "code": obj.code, "name": obj.name, "level": obj.level}


def counted_page(
    qs: Any, *, limit: int, offset: int, item: Callable[[Any], dict[str, Any]]
) -> dict[str, Any]:
    """One page of a list with its total (the list's own count)."""
    return {
        "total": qs.count(),
        "limit": limit,
        "offset": offset,
        "items": [item(row) for row in qs[offset : offset + limit]],
    }


def more_page(
    qs: Any, *, limit: int, offset: int, item: Callable[[Any], dict[str, Any]]
) -> dict[str, Any]:
    """One page of a long list: whether more follow instead of a costly count."""
    rows = list(qs[offset : offset + limit + 1])
    return {
        "limit": limit,
        "offset": offset,
        "has_more": len(rows) > limit,
        "items": [item(row) for row in rows[:limit]],
    }


def actions_list(actions: frozenset[Any]) -> list[str]:
    """An action set as the API returns it: values in the enum's order (stable for clients)."""
    if not actions:
        return []
    return [a.value for a in type(next(iter(actions))) if a in actions]


def need_item(need: Need, now: datetime) -> dict[str, Any]:
    return {
        "id": need.pk,
        "title": need.title,
        "status": need.status,
        "status_label": need.status_label,
        "category": code_name(need.category),
        "urgency": code_name(need.urgency),
        "source": need.source,
        "community": ref(need.community),
        "assignee_kind": need.assignee_kind,
        "needs_review": need.needs_review,
        "overdue": need.is_overdue(now),
        "version": need.version,
        "created_at": need.created_at,
        "respond_by": need.respond_by,
        "resolve_by": need.resolve_by,
    }


def need_detail(need: Need, now: datetime, *, actor: User) -> dict[str, Any]:
    """Contact phone always masked here (the taker's full view is need_contact_for_taker(),
    not exposed in the API yet); the address is in full only for staff and the requester."""
    full_address = actor.is_staff_role or need.created_by_id == actor.pk
    history = need.transitions.select_related("actor").order_by("at", "id")
    return {
        **need_item(need, now),
        "description": need.description,
        "address": need.address if full_address else mask_address(need.address),
        "contact_phone": need.masked_contact_phone,
        "resident": masked_ref(need.resident),
        "assignee_label": need.assignee_label,
        "accepted_by": ref(need.accepted_by),
        "accepted_at": need.accepted_at,
        "minutes_spent": need.minutes_spent,
        "completion_note": need.completion_note,
        "completed_at": need.completed_at,
        "rating": need.rating,
        "rating_comment": need.rating_comment,
        "rated_at": need.rated_at,
        "wanted_from": need.wanted_from,
        "wanted_until": need.wanted_until,
        "helper_gender": need.helper_gender,
        "home_visit": need.home_visit,
        "hazardous": need.hazardous,
        "allowed_actions": actions_list(need_actions_for(actor, need)),
        "history": [
            {
                "action": t.action,
                "from_status": t.from_status,
                "to_status": t.to_status,
                "to_label": t.to_label,
                "actor": t.actor_label,
                "at": t.at,
                "note": t.note,
            }
            for t in history
        ],
    }


def resident(obj: Resident) -> dict[str, Any]:
    return {
        "id": obj.pk,
        "name": obj.name,
        "gender": obj.gender,
        "birth_date": obj.birth_date,
        "id_number": obj.masked_id_number,
        "phone": obj.masked_phone,
        "community": ref(obj.community),
        "compound": ref(obj.compound),
        "grid": ref(obj.grid),
        "address": obj.address,
        "tags": [code_name(t) for t in obj.tags.all()],
        "consent_at": obj.consent_at,
        "sms_notices": obj.sms_notices,
    }


def need_notice(n: Any) -> dict[str, Any]:
    """A notice about a need, as staff see it: a resident's account is not named."""
    if n.recipient is None:
        recipient = n.masked_mobile
    elif n.audience == "resident":
        recipient = ""
    else:
        recipient = str(n.recipient)
    return {
        "id": n.pk,
        "audience": n.audience,
        "audience_label": n.get_audience_display(),
        "recipient": recipient,
        "title": n.title,
        "body": n.body,
        "created_at": n.created_at,
        "read": n.read_at is not None,
        "deliveries": [
            {"channel": d.channel, "status": d.status, "error": d.last_error}
            for d in n.deliveries.all()
        ],
    }
