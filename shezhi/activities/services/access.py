"""Who may organise or see an activity, and the activity rows read for a write."""

from django.db.models import Q

from shezhi.accounts.models import User
from shezhi.activities.models import (
    Activity,
    SignUp,
)
from shezhi.activities.services.common import (
    LEADING_ROLES,
    Status,
)
from shezhi.core.errors import Forbidden, NotFound
from shezhi.volunteers.models import (
    Team,
    TeamMembership,
    Volunteer,
)
from shezhi.volunteers.services import (
    may_record_for,
)


def volunteer_of(user: User) -> Volunteer | None:
    return Volunteer.objects.filter(user=user).select_related("community").first()


def leads_team(actor: User, team: Team | None) -> bool:
    if team is None:
        return False
    if (
        team.leader_id is not None
        and Volunteer.objects.filter(pk=team.leader_id, user=actor).exists()
    ):
        return True
    return TeamMembership.objects.filter(
        team=team, volunteer__user=actor, role__in=LEADING_ROLES
    ).exists()


def teams_led_by(actor: User) -> list[Team]:
    """The teams the actor leads (as their leader or in a leading role)."""
    teams = Team.objects.filter(Q(members__user=actor) | Q(leader__user=actor)).distinct()
    return [t for t in teams if leads_team(actor, t)]


def may_organise(actor: User, activity: Activity) -> bool:
    """Staff of the organising unit (or above), or a leader of the organising team."""
    return may_record_for(actor, activity.organiser_unit) or leads_team(actor, activity.team)


def in_publication_scope(volunteer: Volunteer, activity: Activity) -> bool:
    if activity.scope == Activity.Scope.EVERYONE:
        return True
    if activity.scope == Activity.Scope.UNIT:
        unit = activity.scope_unit
        return unit is not None and volunteer.community.path.startswith(unit.path)
    return TeamMembership.objects.filter(
        team_id=activity.scope_team_id, volunteer=volunteer
    ).exists()


def may_see(actor: User, activity: Activity) -> bool:
    if may_organise(actor, activity):
        return True
    volunteer = volunteer_of(actor)
    if volunteer is None:
        return False
    if activity.status in (Status.PUBLISHED, Status.FINISHED) and in_publication_scope(
        volunteer, activity
    ):
        return True
    return SignUp.objects.filter(activity=activity, volunteer=volunteer).exists()


def activity_row(activity_id: int, *, lock: bool = False) -> Activity:
    qs = Activity.objects.select_related("organiser_unit", "team", "scope_unit")
    if lock:
        qs = qs.select_for_update(of=("self",))
    activity = qs.filter(pk=activity_id).first()
    if activity is None:
        raise NotFound("未找到该活动", field="activity_id")
    return activity


def activity_for_organiser(actor: User, activity_id: int, *, lock: bool = False) -> Activity:
    activity = activity_row(activity_id, lock=lock)
    if not may_organise(actor, activity):
        if may_see(actor, activity):
            raise Forbidden("只有活动组织者可以进行此操作")
        raise NotFound("未找到该活动", field="activity_id")
    return activity
