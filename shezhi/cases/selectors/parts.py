"""Reads of the parts of one case file (assessment, plan, sessions, team, ...), each checked
and logged."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.cases.models import (
    Assessment,
    BenefitTask,
    CaseAccessLog,
    CaseClosure,
    CaseReview,
    CaseTeamMember,
    CaseTransition,
    CrisisIntervention,
    EmergencyAccess,
    InterventionLog,
    Referral,
    ServicePlan,
    SupervisionNote,
)
from shezhi.cases.selectors.access import (
    ACCESS_LOG,
    ASSESSMENT,
    BENEFITS,
    CRISIS,
    HISTORY,
    PLAN,
    REFERRALS,
    REVIEWS,
    SESSIONS,
    SUMMARY,
    SUPERVISION,
    TEAM,
    CaseAccess,
    case_access,
    live_emergency_grants,
    log_access,
    require_part,
    serving_on,
)


def case_get(
    *, actor: User, case_id: int, part: str = SUMMARY, now: datetime | None = None
) -> CaseAccess:
    """Read one part of a case: refused as "not found" outside the team and supervisor line,
    as forbidden for a part the actor's team role does not need; every read is logged."""
    now = now or timezone.now()
    access = case_access(actor=actor, case_id=case_id, now=now)
    require_part(access, actor, part, now)
    log_access(
        user=actor,
        case_ref=access.case.pk,
        case=access.case,
        action=CaseAccessLog.Action.READ,
        now=now,
        part=part,
        relation=access.relation,
    )
    return access


def case_assessments(*, actor: User, case_id: int, now: datetime | None = None) -> list[Assessment]:
    access = case_get(actor=actor, case_id=case_id, part=ASSESSMENT, now=now)
    return list(access.case.assessments.select_related("assessed_by"))


def case_plan(*, actor: User, case_id: int, now: datetime | None = None) -> ServicePlan | None:
    """The current (latest) service plan with its goals."""
    access = case_get(actor=actor, case_id=case_id, part=PLAN, now=now)
    return access.case.plans.prefetch_related("goals__responsible").order_by("-version").first()


def case_interventions(
    *, actor: User, case_id: int, now: datetime | None = None
) -> list[InterventionLog]:
    access = case_get(actor=actor, case_id=case_id, part=SESSIONS, now=now)
    qs = access.case.interventions.select_related("by", "goal")
    if access.own_sessions_only:
        qs = qs.filter(by=actor)
    return list(qs)


def case_team(
    *, actor: User, case_id: int, active_only: bool = False, now: datetime | None = None
) -> list[CaseTeamMember]:
    """The case team; `active_only` keeps the members who still serve today."""
    now = now or timezone.now()
    access = case_get(actor=actor, case_id=case_id, part=TEAM, now=now)
    team = access.case.team.select_related("user")
    if active_only:
        team = team.filter(serving_on(timezone.localdate(now)))
    return list(team)


def case_crises(
    *, actor: User, case_id: int, now: datetime | None = None
) -> list[CrisisIntervention]:
    access = case_get(actor=actor, case_id=case_id, part=CRISIS, now=now)
    return list(access.case.crises.all())


def case_referrals(*, actor: User, case_id: int, now: datetime | None = None) -> list[Referral]:
    access = case_get(actor=actor, case_id=case_id, part=REFERRALS, now=now)
    return list(access.case.referrals.all())


def case_benefit_tasks(
    *, actor: User, case_id: int, now: datetime | None = None
) -> list[BenefitTask]:
    access = case_get(actor=actor, case_id=case_id, part=BENEFITS, now=now)
    return list(access.case.benefit_tasks.all())


def case_reviews(*, actor: User, case_id: int, now: datetime | None = None) -> list[CaseReview]:
    access = case_get(actor=actor, case_id=case_id, part=REVIEWS, now=now)
    return list(access.case.reviews.select_related("by"))


@dataclass(frozen=True)
class CaseHistory:
    transitions: list[CaseTransition]
    closures: list[CaseClosure]


def case_history(*, actor: User, case_id: int, now: datetime | None = None) -> CaseHistory:
    access = case_get(actor=actor, case_id=case_id, part=HISTORY, now=now)
    return CaseHistory(
        transitions=list(access.case.transitions.select_related("by")),
        closures=list(access.case.closures.all()),
    )


def case_supervision_notes(
    *, actor: User, case_id: int, now: datetime | None = None
) -> list[SupervisionNote]:
    access = case_get(actor=actor, case_id=case_id, part=SUPERVISION, now=now)
    return list(access.case.supervision_notes.select_related("author"))


def case_access_logs(
    *, actor: User, case_id: int, now: datetime | None = None
) -> list[CaseAccessLog]:
    """The audit trail of a case, for its supervisor line."""
    access = case_get(actor=actor, case_id=case_id, part=ACCESS_LOG, now=now)
    return list(CaseAccessLog.objects.filter(case_ref=access.case.pk).select_related("user"))


def case_emergency_grants(
    *, actor: User, case_id: int, now: datetime | None = None
) -> list[EmergencyAccess]:
    """Every emergency grant on a case (active, expired, revoked), for its supervisor line."""
    access = case_get(actor=actor, case_id=case_id, part=ACCESS_LOG, now=now)
    return list(
        EmergencyAccess.objects.filter(case=access.case)
        .select_related("user")
        .order_by("-granted_at", "-id")
    )


def emergency_grants_active(*, actor: User, now: datetime | None = None) -> list[EmergencyAccess]:
    """The actor's own unexpired, unrevoked emergency grants. Only the case number, reason and
    times are shown, no case content, so this is not a case read."""
    return list(live_emergency_grants(actor, now or timezone.now()).order_by("expires_at", "id"))


CLIENT_NAME = "client_name"


def case_client_name(*, actor: User, access: CaseAccess, now: datetime | None = None) -> str:
    """The client's name as this actor may see it: in full for the case team (the worker and
    team members, who serve the person), logged as a read of the case like every other part;
    masked for everyone else (supervisors, emergency access)."""
    case = access.case
    if not access.is_team_member:
        return case.client.masked_name
    log_access(
        user=actor,
        case_ref=case.pk,
        case=case,
        action=CaseAccessLog.Action.READ,
        now=now or timezone.now(),
        part=CLIENT_NAME,
        relation=access.relation,
    )
    return case.client.name
