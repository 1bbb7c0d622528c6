"""Scoped reads of the care registry. Staff see their unit (a grid worker only their grid);
a volunteer sees only the residents they are the active contact person of. Anything outside
the scope is "not found"."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, When
from django.utils import timezone

from shezhi.accounts.models import Role, User
from shezhi.accounts.scoping import sees_everything, unit_scope
from shezhi.care.models import (
    Campaign,
    CampaignStop,
    CareAlert,
    CareProfile,
    ContactAssignment,
    Visit,
)
from shezhi.care.permissions import CareAction, care_actions_for
from shezhi.core.errors import InvalidInput, NotFound
from shezhi.core.permissions import require
from shezhi.org.models import Level, OrgUnit
from shezhi.people.models import Resident
from shezhi.people.selectors import residents_visible_to

DESK_ONLY = "您的角色无权进行此操作"


def _active_contact(user: User) -> Q:
    return Q(
        Exists(
            ContactAssignment.objects.filter(
                resident_id=OuterRef("resident_id"), contact=user, ended_on__isnull=True
            )
        )
    )


def _staff(user: User) -> bool:
    return bool(user.is_superuser or user.is_staff_role)


def units_in_reach(*, actor: User) -> QuerySet[OrgUnit]:
    """Communities, compounds and grids at or below the actor's unit (all for those who see
    everything): what a registry filter or a campaign may cover."""
    qs = OrgUnit.objects.filter(level__gte=Level.COMMUNITY)
    if sees_everything(actor):
        return qs
    return qs.within(actor.unit) if actor.unit else qs.none()


def care_residents_visible_to(user: User) -> QuerySet[Resident]:
    if _staff(user):
        return residents_visible_to(user)
    return Resident.objects.select_related("compound", "grid", "community").filter(
        care_contacts__contact=user, care_contacts__ended_on__isnull=True
    )


def care_resident_get(*, actor: User, resident_id: int) -> Resident:
    try:
        return care_residents_visible_to(actor).distinct().get(pk=resident_id)
    except (Resident.DoesNotExist, ValueError, TypeError):
        raise NotFound("未找到该居民") from None


def care_profiles_visible_to(user: User) -> QuerySet[CareProfile]:
    qs = CareProfile.objects.select_related("resident__compound", "grid", "compound", "community")
    if _staff(user):
        return qs.filter(unit_scope(user, community_field="community_id", grid_field="grid_id"))
    return qs.filter(_active_contact(user))


def registry(
    *,
    actor: User,
    risk: str = "",
    unit_id: int | None = None,
    no_contact: bool = False,
    q: str = "",
) -> QuerySet[CareProfile]:
    """The active registry in the actor's scope, filtered (risk level, community or grid,
    without a current contact person, name contains), the earliest due first."""
    qs = care_profiles_visible_to(actor).filter(is_active=True)
    if risk:
        qs = qs.filter(risk_level=risk)
    if unit_id:
        qs = qs.filter(Q(community_id=unit_id) | Q(grid_id=unit_id))
    if no_contact:
        qs = qs.exclude(
            Exists(
                ContactAssignment.objects.filter(
                    resident_id=OuterRef("resident_id"), ended_on__isnull=True
                )
            )
        )
    if q:
        qs = qs.filter(resident__name__contains=q)
    return qs.order_by("next_visit_due", "id")


def care_profile_get(*, actor: User, resident_id: int) -> CareProfile:
    try:
        return care_profiles_visible_to(actor).get(resident_id=resident_id)
    except (CareProfile.DoesNotExist, ValueError, TypeError):
        raise NotFound("未找到该居民的关爱档案") from None


def contact_candidates(*, resident: Resident, limit: int = 300) -> QuerySet[User]:
    """Who may be the resident's contact person: their grid's grid worker, the community's
    social workers and volunteers (the service checks each again)."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(role=Role.GRID_WORKER, unit_id=resident.grid_id)
            | Q(role=Role.SOCIAL_WORKER, unit_id=resident.community_id)
            | Q(
                role__in=[Role.VOLUNTEER, Role.TEAM_LEADER],
                volunteer__community_id=resident.community_id,
            )
        )
        .order_by("role", "display_name", "id")[:limit]
    )


def contact_history(*, actor: User, resident_id: int) -> QuerySet[ContactAssignment]:
    """Every contact person the resident has had, current first; ended ones are kept."""
    resident = care_resident_get(actor=actor, resident_id=resident_id)
    return (
        ContactAssignment.objects.filter(resident=resident)
        .select_related("contact", "assigned_by")
        .order_by(F("ended_on").desc(nulls_first=True), "-started_on", "-id")
    )


def contact_assignment_get(*, actor: User, assignment_id: int) -> ContactAssignment:
    """A contact assignment (current or ended) of a resident in the actor's care scope."""
    assignment = ContactAssignment.objects.filter(pk=assignment_id).first()
    if assignment is None:
        raise NotFound("未找到该联系人记录")
    care_resident_get(actor=actor, resident_id=assignment.resident_id)
    return assignment


def visits_of(*, actor: User, resident_id: int) -> QuerySet[Visit]:
    resident = care_resident_get(actor=actor, resident_id=resident_id)
    return Visit.objects.filter(resident=resident).select_related("visitor")


def my_profiles(*, actor: User) -> QuerySet[CareProfile]:
    """The active profiles of the residents the actor is the current contact person of (staff
    included: this is not their unit's scope)."""
    return CareProfile.objects.filter(is_active=True).filter(_active_contact(actor))


def today_list(*, actor: User, today: date | None = None) -> QuerySet[CareProfile]:
    """The contact person's list for the day: their residents due today or earlier, and those
    with a major change waiting for a visit; the most urgent first."""
    today = today or timezone.localdate()
    end_of_day = timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min))
    return (
        my_profiles(actor=actor)
        .filter(Q(next_visit_due__lte=today) | Q(urgent_visit_by__lt=end_of_day))
        .select_related("resident__compound", "grid", "compound")
        .order_by("urgent_visit_by", "next_visit_due", "id")
    )


COVERAGE_LEVELS = ("grid", "compound", "community")


@dataclass(frozen=True)
class CoverageRow:
    unit_id: int
    unit_name: str
    registered: int
    covered: int

    @property
    def share(self) -> float:
        return self.covered / self.registered if self.registered else 1.0


def coverage(*, actor: User, by: str = "grid", today: date | None = None) -> list[CoverageRow]:
    """Share of registered residents visited within their cadence (seen at least once and not
    overdue, no major change waiting past its deadline), by grid, compound or community."""
    if by not in COVERAGE_LEVELS:
        raise InvalidInput("统计层级应为网格、小区或社区", field="by")
    today = today or timezone.localdate()
    now = timezone.now()
    covered = (
        Q(last_seen_on__isnull=False)
        & Q(next_visit_due__gte=today)
        & (Q(urgent_visit_by__isnull=True) | Q(urgent_visit_by__gte=now))
    )
    rows = (
        care_profiles_visible_to(actor)
        .filter(is_active=True)
        .order_by()
        .values(f"{by}_id")
        .annotate(registered=Count("id"), covered=Count("id", filter=covered))
    )
    data = {r[f"{by}_id"]: r for r in rows}
    names = dict(OrgUnit.objects.filter(pk__in=data).values_list("pk", "name"))
    return sorted(
        (
            CoverageRow(
                unit_id=pk,
                unit_name=names.get(pk, ""),
                registered=r["registered"],
                covered=r["covered"],
            )
            for pk, r in data.items()
        ),
        key=lambda row: (row.share, row.unit_name),
    )


def overdue_longest(
    *, actor: User, today: date | None = None, limit: int = 20
) -> QuerySet[CareProfile]:
    today = today or timezone.localdate()
    return (
        care_profiles_visible_to(actor)
        .filter(is_active=True, next_visit_due__lt=today)
        .order_by("next_visit_due", "id")[: max(1, min(limit, 200))]
    )


@dataclass(frozen=True)
class CoverageOverview:
    by: str
    today: date
    rows: list[CoverageRow]
    overdue: list[CareProfile]  # the longest overdue first

    @property
    def registered(self) -> int:
        return sum(r.registered for r in self.rows)

    @property
    def covered(self) -> int:
        return sum(r.covered for r in self.rows)


def coverage_for_desk(
    *, actor: User, by: str = "grid", today: date | None = None, limit: int = 20
) -> CoverageOverview:
    """The coverage overview of the desk page and the API: staff above the grid (a grid worker
    has their own list instead); the roles that may are asked of care_actions_for."""
    require(CareAction.VIEW_COVERAGE, care_actions_for(actor), message="您的角色无权查看走访覆盖率")
    today = today or timezone.localdate()
    return CoverageOverview(
        by=by,
        today=today,
        rows=coverage(actor=actor, by=by, today=today),
        overdue=list(overdue_longest(actor=actor, today=today, limit=limit)),
    )


def alerts_visible_to(user: User) -> QuerySet[CareAlert]:
    qs = CareAlert.objects.select_related("resident", "assigned_to", "escalated_to", "community")
    mine = Q(assigned_to=user) | Q(escalated_to=user)
    if _staff(user):
        return qs.filter(
            unit_scope(user, community_field="community_id", grid_field="grid_id") | mine
        )
    return qs.filter(mine)


def alerts_open(*, actor: User, kind: str | None = None) -> QuerySet[CareAlert]:
    """Open alerts: crisis signals first, then by their deadline (alerts without one last)."""
    qs = alerts_visible_to(actor).filter(status__in=CareAlert.OPEN_STATUSES)
    if kind:
        if kind not in CareAlert.Kind.values:
            raise InvalidInput("请选择有效的预警类型", field="kind")
        qs = qs.filter(kind=kind)
    return qs.order_by(
        Case(When(kind=CareAlert.Kind.CRISIS, then=0), default=1),
        F("due_by").asc(nulls_last=True),
        "-created_at",
        "-id",
    )


def alert_get(*, actor: User, alert_id: int) -> CareAlert:
    try:
        return alerts_visible_to(actor).get(pk=alert_id)
    except (CareAlert.DoesNotExist, ValueError, TypeError):
        raise NotFound("未找到该预警") from None


# --- door-knocking campaigns ------------------------------------------------------------


def campaigns_visible_to(user: User) -> QuerySet[Campaign]:
    """Staff see campaigns of their community (a grid worker: those covering their grid);
    anyone sees the campaigns they have doors in (as assignee or team member)."""
    mine = Q(
        Exists(
            CampaignStop.objects.filter(campaign_id=OuterRef("pk")).filter(
                Q(assignee=user) | Q(team__teammembership__volunteer__user=user)
            )
        )
    )
    qs = Campaign.objects.select_related("unit", "community", "created_by")
    if _staff(user):
        return qs.filter(unit_scope(user, community_field="community_id") | mine)
    return qs.filter(mine)


def campaign_list(*, actor: User, limit: int = 100) -> list[Campaign]:
    """The campaigns desk: newest first."""
    require(CareAction.VIEW_CAMPAIGNS, care_actions_for(actor), message=DESK_ONLY)
    return list(campaigns_visible_to(actor).order_by("-created_at")[:limit])


def campaign_visible(user: User, campaign: Campaign) -> bool:
    return campaigns_visible_to(user).filter(pk=campaign.pk).exists()


def campaign_get(*, actor: User, campaign_id: int) -> Campaign:
    try:
        return campaigns_visible_to(actor).get(pk=campaign_id)
    except (Campaign.DoesNotExist, ValueError, TypeError):
        raise NotFound("未找到该敲门行动") from None


def campaign_my_stops(*, actor: User, campaign_id: int) -> QuerySet[CampaignStop]:
    """The actor's doors in walking order: assigned to them, to their team, or (a grid worker)
    in their grid."""
    require(CareAction.VISIT, care_actions_for(actor), message="您的角色无权进行此操作")
    campaign = campaign_get(actor=actor, campaign_id=campaign_id)
    mine = Q(assignee=actor) | Q(team__teammembership__volunteer__user=actor)
    if actor.role == Role.GRID_WORKER and actor.unit_id:
        mine |= Q(grid_id=actor.unit_id)
    return (
        CampaignStop.objects.filter(campaign=campaign)
        .filter(mine)
        .select_related("resident", "household", "grid")
        .distinct()
        .order_by("position")
    )


@dataclass(frozen=True)
class CampaignProgress:
    total: int
    by_outcome: dict[str, int]
    by_grid: list[tuple[str, int, int]]  # (grid name, done, total)

    @property
    def done(self) -> int:
        return self.total - self.by_outcome.get(CampaignStop.Outcome.PENDING, 0)


def campaign_progress(*, actor: User, campaign_id: int) -> CampaignProgress:
    """Live progress: doors per outcome (visited, not home, refused, concern), per grid."""
    require(CareAction.VIEW_CAMPAIGNS, care_actions_for(actor), message=DESK_ONLY)
    campaign = campaign_get(actor=actor, campaign_id=campaign_id)
    stops = CampaignStop.objects.filter(campaign=campaign).order_by()
    by_outcome = {o: 0 for o in CampaignStop.Outcome.values}
    for row in stops.values("outcome").annotate(n=Count("id")):
        by_outcome[row["outcome"]] = row["n"]
    pending = Q(outcome=CampaignStop.Outcome.PENDING)
    by_grid = [
        (row["grid__name"], row["total"] - row["pending"], row["total"])
        for row in stops.values("grid__name")
        .annotate(total=Count("id"), pending=Count("id", filter=pending))
        .order_by("grid__name")
    ]
    return CampaignProgress(total=sum(by_outcome.values()), by_outcome=by_outcome, by_grid=by_grid)
