"""Case objects rendered as the dicts /api/v1/cases answers with (the client's name masked)."""

from typing import Any

from shezhi.cases.models import (
    BenefitTask,
    Case,
    CaseClosure,
    CaseReview,
    CaseTeamMember,
    CrisisIntervention,
    EmergencyAccess,
    InterventionLog,
    Referral,
)


def case_dict(c: Case) -> dict[str, Any]:
    return {
        "id": c.pk,
        "client": c.client.masked_name,
        "status": c.status,
        "status_label": c.get_status_display(),
        "risk_level": c.risk_level,
        "risk_label": c.get_risk_level_display(),
        "problem_type": c.problem_type,
        "source": c.source,
        "worker": str(c.worker),
        "opened_on": c.opened_on,
        "next_review_on": c.next_review_on,
    }


def session_dict(s: InterventionLog) -> dict[str, Any]:
    return {
        "id": s.pk,
        "on": s.on,
        "form": s.form,
        "form_label": s.get_form_display(),
        "content": s.content,
        "duration_minutes": s.duration_minutes,
        "by": str(s.by),
        "goal_id": s.goal_id,
    }


def crisis_dict(c: CrisisIntervention) -> dict[str, Any]:
    return {
        "id": c.pk,
        "started_at": c.started_at,
        "ended_at": c.ended_at,
        "supervisor_notified_at": c.supervisor_notified_at,
        "steps": [
            {
                "code": s["code"],
                "label": s["label"],
                "optional": bool(s.get("optional")),
                "done_at": s.get("done_at"),
            }
            for s in c.steps
        ],
        "safety_plan": c.safety_plan,
    }


def referral_dict(r: Referral) -> dict[str, Any]:
    return {
        "id": r.pk,
        "direction": r.direction,
        "institution_kind": r.institution_kind,
        "institution_name": r.institution_name,
        "contact": r.contact,
        "reason": r.reason,
        "status": r.status,
        "status_label": r.get_status_display(),
        "sent_at": r.sent_at,
        "received_at": r.received_at,
        "answered_at": r.answered_at,
        "answer": r.answer,
    }


def benefit_dict(t: BenefitTask) -> dict[str, Any]:
    return {
        "id": t.pk,
        "kind": t.kind,
        "kind_label": t.get_kind_display(),
        "status": t.status,
        "status_label": t.get_status_display(),
        "note": t.note,
        "visit_id": t.visit_id,
    }


def review_dict(r: CaseReview) -> dict[str, Any]:
    return {
        "id": r.pk,
        "reviewed_on": r.reviewed_on,
        "by": str(r.by),
        "risk_level": r.risk_level,
        "note": r.note,
    }


def member_dict(m: CaseTeamMember) -> dict[str, Any]:
    return {
        "id": m.pk,
        "user": str(m.user),
        "role": m.role,
        "started_on": m.started_on,
        "ended_on": m.ended_on,
    }


def closure_dict(c: CaseClosure) -> dict[str, Any]:
    return {
        "id": c.pk,
        "case_id": c.case_id,
        "closed_on": c.closed_on,
        "reason": c.reason,
        "outcome": c.outcome,
        "outcome_note": c.outcome_note,
        "follow_up_on": c.follow_up_on,
    }


def emergency_dict(g: EmergencyAccess) -> dict[str, Any]:
    return {
        "id": g.pk,
        "case_id": g.case_id,
        "reason": g.reason,
        "granted_at": g.granted_at,
        "expires_at": g.expires_at,
        "revoked_at": g.revoked_at,
    }
