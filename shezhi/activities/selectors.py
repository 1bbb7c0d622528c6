"""Scoped reads of activities: what an organiser manages, what a volunteer may sign up for."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.accounts.scoping import sees_everything
from shezhi.activities import after
from shezhi.activities.models import Activity, Attendance, Position, SignUp
from shezhi.activities.services import (
    activity_for_organiser,
    eligibility_problems,
    may_see,
    teams_led_by,
    volunteer_facts,
    volunteer_of,
)
from shezhi.core.errors import NotFound
from shezhi.org.models import Level, OrgUnit
from shezhi.volunteers.models import Team, TeamMembership, Volunteer
from shezhi.volunteers.selectors import recording_units


def activity_get(*, actor: User, activity_id: int) -> Activity:
    activity = (
        Activity.objects.select_related("organiser_unit", "team", "scope_unit", "scope_team")
        .filter(pk=activity_id)
        .first()
    )
    if activity is None or not may_see(actor, activity):
        raise NotFound("未找到该活动")
    return activity


def activities_organised(*, actor: User) -> QuerySet[Activity]:
    """Activities the actor manages: of their unit and below, or of the teams they lead."""
    led = TeamMembership.objects.filter(
        volunteer__user=actor,
        role__in=[TeamMembership.TeamRole.LEADER, TeamMembership.TeamRole.DEPUTY],
    ).values("team_id")
    scope = Q(team_id__in=led) | Q(team__leader__user=actor)
    if sees_everything(actor):
        scope = Q()
    elif actor.is_staff_role and actor.unit is not None:
        scope |= Q(organiser_unit__path__startswith=actor.unit.path)
    return Activity.objects.filter(scope).select_related("organiser_unit", "team")


@dataclass(frozen=True)
class OpenPosition:
    position: Position
    places_left: int
    problems: list[str]
    waiting: int = 0  # sign-ups on the waiting list
    my_signup_id: int | None = None  # the volunteer's live sign-up for this activity
    my_status: str = ""
    my_position_id: int | None = None

    @property
    def eligible(self) -> bool:
        return not self.problems

    @property
    def joined(self) -> bool:
        """The volunteer holds (or waits for) this very position."""
        return self.my_signup_id is not None and self.my_position_id == self.position.pk

    @property
    def joined_other(self) -> bool:
        """The volunteer signed up for another position of the same activity."""
        return self.my_signup_id is not None and self.my_position_id != self.position.pk

    @property
    def full(self) -> bool:
        return self.places_left == 0

    @property
    def my_status_label(self) -> str:
        return str(SignUp.Status(self.my_status).label) if self.my_status else ""


def _ancestor_paths(path: str) -> list[str]:
    """ "/110105/001/002/" → ["/110105/", "/110105/001/", "/110105/001/002/"]."""
    codes = [c for c in path.split("/") if c]
    return ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


def open_positions(
    *, actor: User, now: datetime | None = None, limit: int = 100
) -> list[OpenPosition]:
    """Positions of published, not yet started activities in the volunteer's scope, with the
    places left, the waiting list, the volunteer's own sign-up for the activity and why they may
    not take each (empty list: eligible). A fixed number of queries however many positions."""
    now = now or timezone.now()
    volunteer = volunteer_of(actor)
    if volunteer is None:
        return []
    facts = volunteer_facts(volunteer)
    in_scope = (
        Q(activity__scope=Activity.Scope.EVERYONE)
        | Q(
            activity__scope=Activity.Scope.UNIT,
            activity__scope_unit__path__in=_ancestor_paths(volunteer.community.path),
        )
        | Q(activity__scope=Activity.Scope.TEAM, activity__scope_team_id__in=facts.team_ids)
    )
    mine = SignUp.objects.filter(activity_id=OuterRef("activity_id"), volunteer=volunteer).exclude(
        status=SignUp.Status.CANCELLED
    )
    positions = (
        Position.objects.filter(
            in_scope, activity__status=Activity.Status.PUBLISHED, activity__starts_at__gt=now
        )
        .select_related("activity__organiser_unit", "activity__scope_unit")
        .prefetch_related("skills")
        .annotate(
            held=Count("signups", filter=Q(signups__status__in=SignUp.HOLDING)),
            waiting=Count("signups", filter=Q(signups__status=SignUp.Status.WAITLISTED)),
            my_signup_id=Subquery(mine.values("pk")[:1]),
            my_status=Subquery(mine.values("status")[:1]),
            my_position_id=Subquery(mine.values("position_id")[:1]),
        )
        .order_by("activity__starts_at", "activity_id", "id")[:limit]
    )
    return [
        OpenPosition(
            position=p,
            places_left=max(0, p.quota - p.held),  # type: ignore[attr-defined]
            problems=eligibility_problems(volunteer=volunteer, position=p, facts=facts),
            waiting=p.waiting,  # type: ignore[attr-defined]
            my_signup_id=p.my_signup_id,  # type: ignore[attr-defined]
            my_status=p.my_status or "",  # type: ignore[attr-defined]
            my_position_id=p.my_position_id,  # type: ignore[attr-defined]
        )
        for p in positions
    ]


def my_signups(*, actor: User) -> QuerySet[SignUp]:
    return (
        SignUp.objects.filter(volunteer__user=actor)
        # the attendance: whether the sign-up may still be cancelled, without a query a row
        .select_related("activity", "position", "volunteer", "attendance")
        .order_by("-activity__starts_at", "-id")
    )


def signups_of(*, actor: User, activity_id: int) -> QuerySet[SignUp]:
    """The sign-up list of an activity, for its organisers."""
    activity = activity_for_organiser(actor, activity_id)
    return activity.signups.select_related("volunteer", "position").order_by("created_at", "id")


def attendances_of(*, actor: User, activity_id: int) -> QuerySet[Attendance]:
    activity = activity_for_organiser(actor, activity_id)
    return activity.attendances.select_related("volunteer", "signup__position", "service_record")


def activity_starts_at(*, activity_id: int) -> datetime | None:
    """When the activity starts (a page's time input is read on its day); no scope: no data."""
    return Activity.objects.filter(pk=activity_id).values_list("starts_at", flat=True).first()


@dataclass(frozen=True)
class CheckinState:
    activity: Activity
    signup: SignUp | None
    attendance: Attendance | None


def checkin_state(*, actor: User, activity_id: int) -> CheckinState:
    """What the volunteer's check-in page shows: the activity, their sign-up and attendance."""
    activity = activity_get(actor=actor, activity_id=activity_id)
    signup = (
        SignUp.objects.filter(activity=activity, volunteer__user=actor)
        .exclude(status=SignUp.Status.CANCELLED)
        .select_related("position")
        .first()
    )
    attendance = Attendance.objects.filter(activity=activity, volunteer__user=actor).first()
    return CheckinState(activity=activity, signup=signup, attendance=attendance)


@dataclass(frozen=True)
class OrganiserPage:
    activity: Activity
    positions: list[Position]  # each with `held` (places taken)
    signups: list[SignUp]  # each with `attendance_row` (or None)
    attendances: list[Attendance]
    ended: bool
    summary_open: bool  # the summary may be written (after.summary_open)
    open_attendances: int


def organiser_page(*, actor: User, activity_id: int, now: datetime | None = None) -> OrganiserPage:
    """The organiser's view of one activity: positions, sign-ups and attendance."""
    now = now or timezone.now()
    activity = activity_for_organiser(actor, activity_id)
    positions = list(
        activity.positions.annotate(
            held=Count("signups", filter=Q(signups__status__in=SignUp.HOLDING))
        )
    )
    attendances = list(
        activity.attendances.select_related("volunteer", "signup__position", "service_record")
    )
    by_signup = {a.signup_id: a for a in attendances}
    signups = list(
        activity.signups.exclude(status=SignUp.Status.CANCELLED)
        .select_related("volunteer", "position", "insurance")
        .order_by("position_id", "created_at", "id")
    )
    for s in signups:
        s.attendance_row = by_signup.get(s.pk)  # type: ignore[attr-defined]
    return OrganiserPage(
        activity=activity,
        positions=positions,
        signups=signups,
        attendances=attendances,
        ended=now >= activity.ends_at,
        summary_open=after.summary_open(activity, now),
        open_attendances=sum(1 for a in attendances if a.checked_out_at is None),
    )


def members_led_by(*, actor: User) -> list[Volunteer]:
    """The active members of the teams the actor leads (for a bulk sign-up)."""
    led = teams_led_by(actor)
    if not led:
        return []
    return list(
        Volunteer.objects.filter(teammembership__team__in=led, is_active=True)
        .distinct()
        .order_by("volunteer_no")
    )


@dataclass(frozen=True)
class OrganisingChoices:
    """What the actor may organise an activity for: units (staff) and teams they lead."""

    units: list[OrgUnit]
    teams: list[Team]

    @property
    def any(self) -> bool:
        return bool(self.units or self.teams)


def organising_choices(*, actor: User) -> OrganisingChoices:
    """The create service's own rules (staff of the unit, leader of a founded team) as choices."""
    teams = [t for t in teams_led_by(actor) if t.status == Team.Status.FOUNDED]
    return OrganisingChoices(units=list(recording_units(actor=actor)[:500]), teams=teams)


def location_choices(*, choices: OrganisingChoices, limit: int = 500) -> list[OrgUnit]:
    """Communities and compounds (with coordinates) under what the actor organises for: a venue
    is picked from the org tree, its coordinates come from the unit, no raw latitude/longitude."""
    paths = [u.path for u in choices.units] + [t.community.path for t in choices.teams]
    if not paths:
        return []
    under = Q()
    for path in sorted(set(paths)):
        under |= Q(path__startswith=path)
    return list(
        OrgUnit.objects.filter(under, level__in=[Level.COMMUNITY, Level.COMPOUND])
        .exclude(latitude__isnull=True)
        .exclude(longitude__isnull=True)
        .select_related("parent")
        .order_by("path")[:limit]
    )
