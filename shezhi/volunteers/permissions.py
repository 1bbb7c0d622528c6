"""Who may do what with a volunteer service team: one answer for services, pages and API.

Staff of the team's community (recording roles) and the team's leader or deputy manage its
members once it is founded; its guiding social worker (or any staff member when it has none)
reviews an application; a volunteer joins a founded team, and a member other than the leader
leaves it."""

from enum import StrEnum

from shezhi.accounts.models import User
from shezhi.accounts.scoping import sees_everything
from shezhi.volunteers.models import ServiceRecord, Team, TeamMembership, Volunteer
from shezhi.volunteers.scope import may_approve_late, may_record_for

Role = TeamMembership.TeamRole


class TeamAction(StrEnum):
    REVIEW = "review"
    JOIN = "join"
    LEAVE = "leave"
    MANAGE_MEMBERS = "manage_members"  # add, remove and change the role of members


def team_role(actor: User, team: Team) -> str | None:
    return (
        TeamMembership.objects.filter(team=team, volunteer__user=actor)
        .values_list("role", flat=True)
        .first()
    )


def may_review(actor: User, team: Team) -> bool:
    """By role: the guide, or staff of the community when the team has no guide yet."""
    if not may_record_for(actor, team.community):
        return False
    return not team.guide_id or team.guide_id == actor.pk or sees_everything(actor)


def may_manage(actor: User, team: Team, role: str | None) -> bool:
    return may_record_for(actor, team.community) or role in (Role.LEADER, Role.DEPUTY)


def team_actions_for(actor: User, team: Team) -> frozenset[TeamAction]:
    if not actor.is_authenticated:
        return frozenset()
    role = team_role(actor, team)
    founded = team.status == Team.Status.FOUNDED
    allowed: set[TeamAction] = set()
    if team.status == Team.Status.APPLIED and may_review(actor, team):
        allowed.add(TeamAction.REVIEW)
    if founded and role is None and Volunteer.objects.filter(user=actor).exists():
        allowed.add(TeamAction.JOIN)
    if role is not None and role != Role.LEADER:
        allowed.add(TeamAction.LEAVE)
    if founded and may_manage(actor, team, role):
        allowed.add(TeamAction.MANAGE_MEMBERS)
    return frozenset(allowed)


class RecordAction(StrEnum):
    CONFIRM_HELD = "confirm_held"  # confirm or reject a record held for a check
    DECIDE_CORRECTION = "decide_correction"  # approve or reject a pending correction request
    APPROVE_LATE = "approve_late"  # approve or reject a record entered after the deadline


def record_actions_for(actor: User, record: ServiceRecord) -> frozenset[RecordAction]:
    """The recording unit's staff (谁组织谁记录) confirm held records and verify corrections; a
    supervisor of that unit decides a late record."""
    if not actor.is_authenticated:
        return frozenset()
    allowed: set[RecordAction] = set()
    if may_record_for(actor, record.organiser_unit):
        allowed.add(RecordAction.DECIDE_CORRECTION)
        if record.status == ServiceRecord.Status.HELD:
            allowed.add(RecordAction.CONFIRM_HELD)
    if record.status == ServiceRecord.Status.PENDING and may_approve_late(
        actor, record.organiser_unit
    ):
        allowed.add(RecordAction.APPROVE_LATE)
    return frozenset(allowed)
