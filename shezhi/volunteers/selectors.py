"""Scoped reads of volunteers, records, corrections and teams. Out of scope = NotFound."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.accounts.scoping import sees_everything
from shezhi.core.errors import NotFound
from shezhi.org.models import Level, OrgUnit
from shezhi.volunteers.models import (
    CorrectionRequest,
    ServiceRecord,
    Team,
    TeamMembership,
    TeamMembershipEvent,
    Volunteer,
)
from shezhi.volunteers.services import RECORDING_ROLES, may_record_for
from shezhi.volunteers.stars import barred, star_of

COUNTED = ServiceRecord.Status.COUNTED


def volunteer_of(user: User) -> Volunteer | None:
    return Volunteer.objects.filter(user=user).first()


def service_records_of(user: User) -> QuerySet[ServiceRecord]:
    return ServiceRecord.objects.filter(volunteer__user=user).select_related("organiser_unit")


def total_hours_of(user: User) -> Decimal:
    """Hours that count (on time, or late and approved)."""
    return service_records_of(user).filter(status=COUNTED).aggregate(h=Sum("hours"))[
        "h"
    ] or Decimal("0")


# --- the volunteer's own page -----------------------------------------------------------------


@dataclass
class MyPage:
    volunteer: Volunteer
    hours_total: Decimal
    hours_this_year: Decimal
    records_count: int
    pending_count: int
    star: int
    barred_until: date | None
    records: list[ServiceRecord]
    corrections: list[CorrectionRequest]
    open_correction_ids: set[int]


def my_page(*, actor: User, limit: int = 30, today: date | None = None) -> MyPage:
    """What the volunteer's "我的" page shows: one aggregate query for the figures, the latest
    records and correction requests."""
    today = today or timezone.localdate()
    volunteer = Volunteer.objects.filter(user=actor).select_related("community").first()
    if volunteer is None:
        raise NotFound("您还不是登记的志愿者")
    records = ServiceRecord.objects.filter(volunteer=volunteer)
    figures = records.aggregate(
        total=Sum("hours", filter=Q(status=COUNTED)),
        year=Sum("hours", filter=Q(status=COUNTED, service_date__gte=date(today.year, 1, 1))),
        n=Count("id"),
        pending=Count("id", filter=Q(status=ServiceRecord.Status.PENDING)),
    )
    total = figures["total"] or Decimal("0")
    corrections = list(
        CorrectionRequest.objects.filter(record__volunteer=volunteer)
        .select_related("record")
        .order_by("-created_at", "-id")[:20]
    )
    return MyPage(
        volunteer=volunteer,
        hours_total=total,
        hours_this_year=figures["year"] or Decimal("0"),
        records_count=figures["n"],
        pending_count=figures["pending"],
        star=star_of(volunteer, total, today=today),
        barred_until=volunteer.star_barred_until if barred(volunteer, today=today) else None,
        records=list(records.order_by("-service_date", "-id")[:limit]),
        corrections=corrections,
        open_correction_ids={
            c.record_id for c in corrections if c.status == CorrectionRequest.Status.PENDING
        },
    )


def my_record(*, actor: User, record_id: int) -> ServiceRecord:
    record = ServiceRecord.objects.filter(pk=record_id, volunteer__user=actor).first()
    if record is None:
        raise NotFound("未找到该服务记录")
    return record


# --- the social worker's desk -----------------------------------------------------------------


def _record_scope(actor: User) -> Q:
    if sees_everything(actor):
        return Q()
    if actor.role not in RECORDING_ROLES or actor.unit is None:
        return Q(pk__in=[])
    return Q(organiser_unit__path__startswith=actor.unit.path)


def records_in_scope(
    *, actor: User, status: str | None = None, query: str = ""
) -> QuerySet[ServiceRecord]:
    """Records organised by the actor's unit or below (newest first)."""
    qs = ServiceRecord.objects.filter(_record_scope(actor)).select_related(
        "volunteer", "organiser_unit"
    )
    if status:
        qs = qs.filter(status=status)
    query = (query or "").strip()[:30]
    if query:
        qs = qs.filter(
            Q(volunteer__name__contains=query)
            | Q(volunteer__volunteer_no=query)
            | Q(title__contains=query)
        )
    return qs.order_by("-service_date", "-id")


def record_get(*, actor: User, record_id: int) -> ServiceRecord:
    """A record for its volunteer or for the recording unit; anyone else gets NotFound."""
    record = (
        ServiceRecord.objects.filter(pk=record_id)
        .select_related("volunteer", "organiser_unit", "recorded_by", "approved_by")
        .first()
    )
    if record is None or not (
        record.volunteer.user_id == actor.pk or may_record_for(actor, record.organiser_unit)
    ):
        raise NotFound("未找到该服务记录")
    return record


def corrections_to_verify(*, actor: User) -> QuerySet[CorrectionRequest]:
    scope = Q()
    if not sees_everything(actor):
        if actor.role not in RECORDING_ROLES or actor.unit is None:
            return CorrectionRequest.objects.none()
        scope = Q(record__organiser_unit__path__startswith=actor.unit.path)
    return (
        CorrectionRequest.objects.filter(scope, status=CorrectionRequest.Status.PENDING)
        .select_related("record__volunteer", "record__organiser_unit", "requested_by")
        .order_by("created_at", "id")
    )


def late_records_to_approve(*, actor: User) -> QuerySet[ServiceRecord]:
    return records_in_scope(actor=actor, status=ServiceRecord.Status.PENDING).order_by(
        "service_date", "id"
    )


def records_awaiting_confirmation(*, actor: User) -> QuerySet[ServiceRecord]:
    """Held records (待社工确认) organised by the actor's unit or below, oldest first; each row
    carries its reasons (`hold_reasons`), so a page of them costs one query."""
    return records_in_scope(actor=actor, status=ServiceRecord.Status.HELD).order_by(
        "created_at", "id"
    )


# --- teams ------------------------------------------------------------------------------------


@dataclass
class TeamFigures:
    members: int
    services: int
    hours: Decimal
    rating: Decimal | None


def team_get(*, actor: User, team_id: int) -> Team:
    team = Team.objects.filter(pk=team_id).select_related("community", "leader", "guide").first()
    if team is None:
        raise NotFound("未找到该服务队")
    if may_record_for(actor, team.community):
        return team
    own = Volunteer.objects.filter(user=actor).first()
    if own is not None and (
        own.community_id == team.community_id
        or TeamMembership.objects.filter(team=team, volunteer=own).exists()
    ):
        return team
    raise NotFound("未找到该服务队")


def teams_in_scope(*, actor: User, status: str | None = None) -> QuerySet[Team]:
    if sees_everything(actor):
        qs = Team.objects.all()
    elif actor.role in RECORDING_ROLES and actor.unit is not None:
        qs = Team.objects.filter(community__path__startswith=actor.unit.path)
    else:
        own = Volunteer.objects.filter(user=actor).first()
        if own is None:
            return Team.objects.none()
        qs = Team.objects.filter(Q(community=own.community_id) | Q(members=own)).distinct()
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("community", "leader", "guide").order_by("id")


def team_figures(team: Team) -> TeamFigures:
    """Members now; services, hours (counted only) and average rating of records in its name."""
    records = ServiceRecord.objects.filter(team=team).aggregate(
        n=Count("id", filter=Q(status=COUNTED)),
        h=Sum("hours", filter=Q(status=COUNTED)),
        r=Avg("quality_rating", filter=Q(status=COUNTED)),
    )
    rating = records["r"]
    return TeamFigures(
        members=TeamMembership.objects.filter(team=team).count(),
        services=records["n"],
        hours=records["h"] or Decimal("0"),
        rating=Decimal(str(round(rating, 1))) if rating is not None else None,
    )


def team_members(team: Team) -> QuerySet[TeamMembership]:
    return TeamMembership.objects.filter(team=team).select_related("volunteer").order_by("id")


def team_history(team: Team) -> QuerySet[TeamMembershipEvent]:
    return TeamMembershipEvent.objects.filter(team=team).select_related("volunteer", "actor")


# --- volunteers (desk) and the lists the interfaces offer -------------------------------------


def _volunteer_scope(actor: User) -> Q:
    if sees_everything(actor):
        return Q()
    if actor.role not in RECORDING_ROLES or actor.unit is None:
        return Q(pk__in=[])
    return Q(community__path__startswith=actor.unit.path)


def volunteers_in_scope(*, actor: User, query: str = "") -> QuerySet[Volunteer]:
    """Volunteers of the communities at or below the actor's unit (staff of the recording unit)."""
    qs = Volunteer.objects.filter(_volunteer_scope(actor)).select_related("community")
    query = (query or "").strip()[:30]
    if query:
        qs = qs.filter(Q(name__contains=query) | Q(volunteer_no=query))
    return qs.order_by("-id")


def volunteer_get(
    *, actor: User, volunteer_id: int | None = None, volunteer_no: str | None = None
) -> Volunteer:
    """One volunteer, by id or public number, for staff in scope or the volunteer themself."""
    qs = Volunteer.objects.select_related("community", "compound", "dual_report_community", "user")
    if volunteer_id is not None:
        volunteer = qs.filter(pk=volunteer_id).first()
    else:
        volunteer = qs.filter(volunteer_no=(volunteer_no or "").strip()[:20]).first()
    if volunteer is None or not (
        volunteer.user_id == actor.pk or may_record_for(actor, volunteer.community)
    ):
        raise NotFound("未找到该志愿者", field=None if volunteer_id is not None else "volunteer_no")
    return volunteer


def teams_of(*, volunteer: Volunteer) -> QuerySet[TeamMembership]:
    """The volunteer's current memberships with their teams."""
    return (
        TeamMembership.objects.filter(volunteer=volunteer)
        .select_related("team")
        .order_by("team__name", "team_id")
    )


def recording_units(*, actor: User) -> QuerySet[OrgUnit]:
    """Units (street or community) the actor may record services for, or found teams in."""
    qs = OrgUnit.objects.filter(level__in=[Level.STREET, Level.COMMUNITY])
    if sees_everything(actor):
        return qs.order_by("path")
    if actor.role not in RECORDING_ROLES or actor.unit is None:
        return qs.none()
    return qs.filter(path__startswith=actor.unit.path).order_by("path")


def team_candidates(*, team: Team, limit: int = 500) -> list[Volunteer]:
    """Active volunteers of the team's community who are not members (to add to the team)."""
    return list(
        Volunteer.objects.filter(community_id=team.community_id, is_active=True)
        .exclude(teammembership__team=team)
        .order_by("name", "id")[:limit]
    )


def team_role_of(*, actor: User, team: Team) -> str | None:
    """The actor's role in the team (队长/副队长/队员), or None when not a member."""
    return (
        TeamMembership.objects.filter(team=team, volunteer__user=actor)
        .values_list("role", flat=True)
        .first()
    )


def my_corrections(*, actor: User) -> QuerySet[CorrectionRequest]:
    """The correction requests the actor filed about their own records (newest first)."""
    return (
        CorrectionRequest.objects.filter(record__volunteer__user=actor)
        .select_related("record")
        .order_by("-created_at", "-id")
    )
