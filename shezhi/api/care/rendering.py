"""Rows to response dicts; phones come masked from `cards`."""

from shezhi.care import cards, services
from shezhi.care.models import (
    CHECKLIST,
    Campaign,
    CampaignStop,
    CareAlert,
    CareProfile,
    ContactAssignment,
    Visit,
)
from shezhi.care.permissions import (
    alert_actions_for,
    campaign_actions_for,
    stop_actions_for,
)
from shezhi.cases import selectors as case_selectors


def render_profile(p: CareProfile) -> dict:
    return {
        "risk_level": p.risk_level,
        "risk_label": p.get_risk_level_display(),
        "risk_reasons": p.risk_reasons,
        "cadence": services.rules().interval(p.risk_level).describe(),
        "registered_on": p.registered_on,
        "next_visit_due": p.next_visit_due,
        "last_visit_on": p.last_visit_on,
        "last_seen_on": p.last_seen_on,
        "urgent_visit_by": p.urgent_visit_by,
        "major_change": p.major_change_note,
    }


def render_contact(a: ContactAssignment) -> dict:
    return {
        "id": a.pk,
        "contact_id": a.contact_id,
        "contact_name": str(a.contact),
        "kind": a.kind,
        "kind_label": a.get_kind_display(),
        "started_on": a.started_on,
        "ended_on": a.ended_on,
        "end_reason": a.end_reason,
    }


def render_visit(v: Visit) -> dict:
    return {
        "id": v.pk,
        "visited_on": v.visited_on,
        "mode": v.mode,
        "contact_made": v.contact_made,
        "visitor": str(v.visitor),
        "checklist": {i: getattr(v, i) for i in CHECKLIST},
        "notes": {i: getattr(v, f"{i}_note") for i in CHECKLIST},
        "note": v.note,
        "suggested_risk_level": v.suggested_risk_level,
        "raised_need_id": v.raised_need_id,
    }


def render_alert(a: CareAlert, actor, cases: tuple[dict[int, int], set[int]] | None = None) -> dict:
    case_of, with_case = cases or alert_cases(actor, [a.pk])
    name = ""
    if a.resident is not None:
        name = (
            a.resident.name if actor.is_staff_role or actor.is_superuser else a.resident.masked_name
        )
    return {
        "id": a.pk,
        "kind": a.kind,
        "kind_label": a.get_kind_display(),
        "status": a.status,
        "status_label": a.get_status_display(),
        "summary": a.summary,
        "category": a.category,
        "resident_id": a.resident_id,
        "resident_name": name,
        "community": a.community.name,
        "grid": a.grid.name if a.grid_id else None,
        "assigned_to": str(a.assigned_to) if a.assigned_to_id else None,
        "due_by": a.due_by,
        "mandatory_report": a.mandatory_report,
        "reported_at": a.reported_at,
        "reported_to": a.reported_to,
        "created_at": a.created_at,
        "case_id": case_of.get(a.pk),
        "has_case": a.pk in with_case,
        "allowed_actions": sorted(alert_actions_for(actor, a)),
    }


def alert_cases(actor, alert_ids: list[int]) -> tuple[dict[int, int], set[int]]:
    return (
        case_selectors.cases_of_alerts(actor=actor, alert_ids=alert_ids),
        case_selectors.alerts_with_case(alert_ids=alert_ids),
    )


def render_campaign(c: Campaign, actor) -> dict:
    return {
        "id": c.pk,
        "name": c.name,
        "reason": c.reason,
        "unit_id": c.unit_id,
        "unit": c.unit.name,
        "target_tags": c.target_tags,
        "target_risk_levels": c.target_risk_levels,
        "status": c.status,
        "status_label": c.get_status_display(),
        "created_at": c.created_at,
        "allowed_actions": sorted(campaign_actions_for(actor, c)),
    }


def render_stop(s: CampaignStop, actor, *, mine: bool | None = None) -> dict:
    return {
        "id": s.pk,
        "campaign_id": s.campaign_id,
        "position": s.position,
        "resident_id": s.resident_id,
        "name": s.resident.masked_name,
        "address": cards.shown_address(actor, s.resident, is_contact=True),
        "outcome": s.outcome,
        "outcome_label": s.get_outcome_display(),
        "note": s.note,
        "allowed_actions": sorted(stop_actions_for(actor, s, mine=mine)),
    }


def render_card(actor, resident_id: int) -> dict:
    c = cards.care_card(actor=actor, resident_id=resident_id)
    return {
        "resident": {
            "id": c.resident.pk,
            "name": c.resident.name,
            "phone": c.phone,
            "phone_full": c.phone_full,
            "address": c.address,
        },
        "profile": render_profile(c.profile) if c.profile else None,
        "contacts": [render_contact(a) for a in c.contacts],
        "recent_visits": [render_visit(v) for v in c.visits],
    }
