"""Scoped reads of the needs ledger. A need outside the actor's scope is 'not found'."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from shezhi.accounts.models import Role, User
from shezhi.accounts.scoping import sees_everything, unit_scope, user_community
from shezhi.core import audit
from shezhi.core.errors import Forbidden, NotFound
from shezhi.core.masking import mask_address, mask_mobile
from shezhi.core.models import AuditEvent
from shezhi.needs import candidates as candidate_ranking
from shezhi.needs.models import Need, NeedCategory, UrgencyLevel
from shezhi.needs.workflow import OPEN, Status
from shezhi.org.models import OrgUnit, PartnerOrganisation
from shezhi.volunteers.models import Team, TeamMembership, Volunteer


def _helper_scope(user: User) -> Q:
    """Orders offered to this helper (directly, via a team or the community pool) or taken."""
    q = Q(accepted_by=user) | Q(assignee_user=user)
    if user.role in (Role.VOLUNTEER, Role.TEAM_LEADER):
        volunteer = Volunteer.objects.filter(user=user).first()
        if volunteer:
            team_ids = TeamMembership.objects.filter(volunteer=volunteer).values("team_id")
            q |= (
                Q(assignee_volunteer=volunteer)
                | Q(assignee_team_id__in=team_ids)
                | Q(assignee_kind=Need.AssigneeKind.POOL, community_id=volunteer.community_id)
            )
    if user.role == Role.PARTNER and user.partner_id:
        q |= Q(assignee_partner_id=user.partner_id)
    return q


def needs_visible_to(user: User) -> QuerySet[Need]:
    qs = Need.objects.select_related("category", "urgency", "community")
    if sees_everything(user):
        return qs
    if user.role == Role.RESIDENT:
        return qs.filter(Q(resident__user=user) | Q(created_by=user))
    scope = _helper_scope(user)
    if user.is_staff_role:
        scope |= unit_scope(user, community_field="community_id", grid_field="grid_id")
    return qs.filter(scope)


def need_get(*, actor: User, need_id: int) -> Need:
    try:
        return (
            needs_visible_to(actor)
            .select_related(
                "resident",
                "grid",
                "assignee_volunteer",
                "assignee_team",
                "assignee_user",
                "assignee_partner",
                "accepted_by",
                "created_by",
            )
            .get(pk=need_id)
        )
    except (Need.DoesNotExist, ValueError, TypeError):
        raise NotFound("未找到该需求") from None


@dataclass(frozen=True)
class LedgerFilter:
    status: str | None = None
    urgency: str | None = None
    category: str | None = None
    overdue: bool = False
    needs_review: bool = False
    query: str | None = None


def ledger(*, actor: User, filters: LedgerFilter, now: datetime | None = None) -> QuerySet[Need]:
    qs = needs_visible_to(actor)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.urgency:
        qs = qs.filter(urgency__code=filters.urgency)
    if filters.category:
        qs = qs.filter(category__code=filters.category)
    if filters.overdue:
        qs = qs.overdue(now)
    if filters.needs_review:
        qs = qs.filter(needs_review=True)
    if filters.query:
        qs = qs.filter(Q(title__icontains=filters.query) | Q(description__icontains=filters.query))
    return qs.order_by("-created_at", "-id")


def ledger_counts(*, actor: User, now: datetime | None = None) -> dict[str, int]:
    """Counts for the home page: per status, overdue and waiting for review."""
    qs = needs_visible_to(actor)
    counts = {s.value: 0 for s in Status}
    for row in qs.order_by().values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    counts["open"] = sum(counts[s.value] for s in OPEN)
    counts["overdue"] = qs.overdue(now or timezone.now()).count()
    counts["needs_review"] = qs.filter(needs_review=True).count()
    return counts


def categories() -> QuerySet[NeedCategory]:
    return NeedCategory.objects.filter(is_active=True).prefetch_related("skills")


def urgency_levels() -> QuerySet[UrgencyLevel]:
    return UrgencyLevel.objects.all()


def _open_orders_by(field: str, ids: list[int]) -> dict[int, int]:
    rows = (
        Need.objects.filter(**{f"{field}__in": ids}, status__in=list(OPEN))
        .order_by()
        .values(field)
        .annotate(n=Count("id"))
    )
    return {r[field]: r["n"] for r in rows}


def dispatch_candidates(
    *, actor: User, need: Need, limit: int = 20
) -> list[candidate_ranking.RankedCandidate]:
    """Who can take this need: helpers of the need's community, skill fit first, nearest first."""
    if not actor.can_dispatch:
        raise Forbidden("只有社工或督导可以查看派单候选人")
    community = need.community
    need_skills = frozenset(need.category.skills.values_list("code", flat=True))
    pool: list[candidate_ranking.Candidate] = []

    volunteers = list(
        Volunteer.objects.filter(community=community, is_active=True)
        .select_related("compound")
        .prefetch_related("skills")
    )
    busy = _open_orders_by("accepted_by_id", [v.user_id for v in volunteers])
    for v in volunteers:
        loc = (v.compound.latitude, v.compound.longitude) if v.compound else None
        pool.append(
            candidate_ranking.Candidate(
                kind=Need.AssigneeKind.VOLUNTEER,
                id=v.pk,
                name=v.name,
                location=loc,
                skills=frozenset(s.code for s in v.skills.all()),
                open_orders=busy.get(v.user_id, 0),
            )
        )

    teams = Team.objects.filter(community=community).prefetch_related("members__skills")
    team_busy = _open_orders_by("assignee_team_id", [t.pk for t in teams])
    for t in teams:
        skills = frozenset(s.code for m in t.members.all() for s in m.skills.all())
        pool.append(
            candidate_ranking.Candidate(
                kind=Need.AssigneeKind.TEAM,
                id=t.pk,
                name=t.name,
                location=(community.latitude, community.longitude) if community.latitude else None,
                skills=skills,
                open_orders=team_busy.get(t.pk, 0),
            )
        )

    workers = list(User.objects.filter(role=Role.SOCIAL_WORKER, unit=community, is_active=True))
    worker_busy = _open_orders_by("accepted_by_id", [w.pk for w in workers])
    for w in workers:
        pool.append(
            candidate_ranking.Candidate(
                kind=Need.AssigneeKind.SOCIAL_WORKER,
                id=w.pk,
                name=str(w),
                location=(community.latitude, community.longitude) if community.latitude else None,
                skills=need_skills,  # a professional social worker can take any category
                open_orders=worker_busy.get(w.pk, 0),
            )
        )

    partner_units = OrgUnit.objects.filter(path__in=_prefixes(community.path))
    for p in PartnerOrganisation.objects.filter(unit__in=partner_units, is_active=True):
        pool.append(
            candidate_ranking.Candidate(
                kind=Need.AssigneeKind.PARTNER,
                id=p.pk,
                name=p.name,
                location=None,
                # a partner fits when its declared services name the category
                skills=need_skills if need.category.name in p.services else frozenset(),
            )
        )

    return candidate_ranking.rank(
        need_location=need.location, need_skills=need_skills, candidates=pool, limit=limit
    )


def _prefixes(path: str) -> list[str]:
    """'/a/b/c/' -> ['/a/', '/a/b/', '/a/b/c/']: the unit and its ancestors."""
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def community_of(user: User) -> OrgUnit | None:
    return user_community(user)


@dataclass(frozen=True)
class HelperOrders:
    offered: list[Need]  # dispatched to me, my team or my community pool, not yet accepted
    taken: list[Need]  # accepted by me, newest first


def helper_orders(*, actor: User, limit: int = 100) -> HelperOrders:
    """The helper's mobile order list: what is offered to them and what they have taken."""
    qs = (
        needs_visible_to(actor)
        .filter(_helper_scope(actor))
        .select_related("resident", "assignee_team")
    )
    offered = qs.filter(status=Status.DISPATCHED).order_by("resolve_by", "id")[:limit]
    taken = qs.filter(accepted_by=actor).order_by("-accepted_at", "-id")[:limit]
    return HelperOrders(offered=list(offered), taken=list(taken))


@dataclass(frozen=True)
class NeedContact:
    phone: str
    address: str
    revealed: bool


def need_contact_for_taker(*, actor: User, need: Need) -> NeedContact:
    """The contact phone and address as a helper may see them.

    In full only for the helper who accepted the order, while it is being served; that read is
    written to the audit log. Everybody else sees them masked. `need` must come from need_get().
    """
    if need.accepted_by_id == actor.pk and need.status in (Status.ACCEPTED, Status.IN_SERVICE):
        audit.record(
            actor=actor,
            action=AuditEvent.Action.READ_UNMASKED,
            obj=need,
            summary="接单人查看服务对象联系电话和地址",
        )
        return NeedContact(phone=need.contact_phone, address=need.address, revealed=True)
    return NeedContact(
        phone=mask_mobile(need.contact_phone), address=mask_address(need.address), revealed=False
    )
