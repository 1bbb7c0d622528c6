"""Teams (志愿服务队): founding workflow, membership with roles and history.

Founding: a volunteer (the future leader) or staff applies with a charter → the guiding social
worker (or, while none is named, a social worker/supervisor of the community) reviews → founded,
or refused with a reason. Leaving deletes the membership row (the need workflow dispatches to
current members) and `TeamMembershipEvent` keeps every join, leave and role change.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.core import audit
from shezhi.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from shezhi.core.inputs import clean_text, save_validated
from shezhi.core.models import AuditEvent
from shezhi.core.permissions import require
from shezhi.org.models import Level, OrgUnit
from shezhi.volunteers.models import Team, TeamMembership, TeamMembershipEvent, Volunteer
from shezhi.volunteers.permissions import TeamAction, may_review, team_actions_for
from shezhi.volunteers.services import RECORDING_ROLES, may_record_for

Role = TeamMembership.TeamRole


def _team_for_update(team_id: int) -> Team:
    team = Team.objects.select_for_update().filter(pk=team_id).select_related("community").first()
    if team is None:
        raise NotFound("未找到该服务队")
    return team


def _membership(team: Team, volunteer: Volunteer) -> TeamMembership | None:
    return TeamMembership.objects.filter(team=team, volunteer=volunteer).first()


def _is_team_leader(actor: User, team: Team) -> bool:
    return TeamMembership.objects.filter(
        team=team, volunteer__user=actor, role__in=[Role.LEADER, Role.DEPUTY]
    ).exists()


def _event(team: Team, volunteer: Volunteer, kind: str, role: str, actor: User, note: str = ""):
    TeamMembershipEvent.objects.create(
        team=team, volunteer=volunteer, kind=kind, role=role, actor=actor, note=note[:200]
    )


@transaction.atomic
def team_apply(
    *,
    actor: User,
    community_id: int,
    name: str,
    kind: str,
    charter: str,
    leader_id: int | None = None,
    guide_id: int | None = None,
) -> Team:
    """Apply to found a team. A volunteer applies as its leader; staff name the leader."""
    community = OrgUnit.objects.filter(pk=community_id, level=Level.COMMUNITY).first()
    own = Volunteer.objects.filter(user=actor).first()
    staff = may_record_for(actor, community)
    if community is None or not (staff or (own is not None and own.community_id == community.pk)):
        raise NotFound("未找到该社区", field="community_id")
    if staff and leader_id is not None:
        leader = Volunteer.objects.filter(pk=leader_id, is_active=True).first()
        if leader is None:
            raise NotFound("未找到该志愿者", field="leader_id")
    elif own is not None:
        leader = own
    else:
        raise InvalidInput("请选择队长", field="leader_id")
    if kind not in Team.Kind.values:
        raise InvalidInput("服务队类型不正确", field="kind")
    guide = None
    if guide_id is not None:
        guide = User.objects.filter(pk=guide_id, role__in=RECORDING_ROLES, is_active=True).first()
        if guide is None or not may_record_for(guide, community):
            raise NotFound("未找到该指导社工", field="guide_id")
    team = Team(
        name=clean_text(name, field="name", label="队名", max_length=60),
        community=community,
        kind=kind,
        status=Team.Status.APPLIED,
        charter=clean_text(charter, field="charter", label="队伍章程", max_length=5000),
        leader=leader,
        guide=guide,
        applied_by=actor,
    )
    if Team.objects.filter(community=community, name=team.name).exists():
        raise Conflict("本社区已有同名服务队", field="name")
    save_validated(team)
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=team, summary="申请成立服务队")
    return team


@transaction.atomic
def team_review(*, actor: User, team_id: int, approve: bool, reason: str = "") -> Team:
    """The guiding social worker founds the team (its leader becomes the first member) or
    refuses it with a reason."""
    team = _team_for_update(team_id)
    if not may_record_for(actor, team.community):
        raise NotFound("未找到该服务队")
    if not may_review(actor, team):
        require(TeamAction.REVIEW, frozenset(), message="只有该队的指导社工可以审核")
    if team.status != Team.Status.APPLIED:
        raise Conflict("该服务队不在待审核状态", field="status")
    reason = clean_text(
        reason, field="reason", label="未通过原因", max_length=300, required=not approve
    )
    team.status = Team.Status.FOUNDED if approve else Team.Status.REFUSED
    team.reviewed_by = actor
    team.reviewed_at = timezone.now()
    team.refusal_reason = "" if approve else reason
    if team.guide_id is None:
        team.guide = actor
    team.save()
    if approve and team.leader_id:
        TeamMembership.objects.create(team=team, volunteer_id=team.leader_id, role=Role.LEADER)
        _event(team, team.leader, TeamMembershipEvent.Kind.JOIN, Role.LEADER, actor, "成立时任队长")
    audit.record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=team,
        summary="批准成立服务队" if approve else f"不予成立服务队：{reason}",
        changes={"status": ["applied", team.status]},
    )
    return team


def _actor_manages(actor: User, team: Team) -> bool:
    return may_record_for(actor, team.community) or _is_team_leader(actor, team)


def _target(actor: User, team: Team, volunteer_id: int | None) -> Volunteer:
    """The volunteer concerned: oneself, or (for the team's leaders and staff) anyone."""
    own = Volunteer.objects.filter(user=actor).first()
    if volunteer_id is None or (own is not None and own.pk == volunteer_id):
        if own is None:
            raise NotFound("未找到该志愿者", field="volunteer_id")
        return own
    if not _actor_manages(actor, team):
        raise Forbidden("只有队长、副队长或社工可以管理队员")
    volunteer = Volunteer.objects.filter(pk=volunteer_id).first()
    if volunteer is None:
        raise NotFound("未找到该志愿者", field="volunteer_id")
    return volunteer


def _visible_team(actor: User, team_id: int) -> Team:
    """Staff of the community see its teams; a volunteer sees the teams of their community and
    those they belong to."""
    team = _team_for_update(team_id)
    if may_record_for(actor, team.community):
        return team
    own = Volunteer.objects.filter(user=actor).first()
    if own is not None and (own.community_id == team.community_id or _membership(team, own)):
        return team
    raise NotFound("未找到该服务队")


@transaction.atomic
def team_join(*, actor: User, team_id: int, volunteer_id: int | None = None) -> TeamMembership:
    team = _visible_team(actor, team_id)
    if team.status != Team.Status.FOUNDED:
        raise Conflict("服务队尚未成立或已解散", field="team")
    volunteer = _target(actor, team, volunteer_id)
    own = volunteer.user_id == actor.pk  # speak to the volunteer about themselves
    if not volunteer.is_active:
        raise Conflict("您已不在册" if own else "该志愿者已不在册", field="volunteer_id")
    if not own and volunteer.community_id != team.community_id:
        # The page offers only the community's volunteers; the API holds the same line.
        raise InvalidInput("只能添加本社区的志愿者", field="volunteer_id")
    try:
        with transaction.atomic():
            membership = TeamMembership.objects.create(team=team, volunteer=volunteer)
    except IntegrityError:
        raise Conflict("您已是该队队员" if own else "已是该队队员", field="volunteer_id") from None
    _event(team, volunteer, TeamMembershipEvent.Kind.JOIN, Role.MEMBER, actor)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=team,
        summary=f"{volunteer.volunteer_no} 加入服务队",
    )
    return membership


@transaction.atomic
def team_leave(
    *, actor: User, team_id: int, volunteer_id: int | None = None, note: str = ""
) -> None:
    team = _visible_team(actor, team_id)
    volunteer = _target(actor, team, volunteer_id)
    membership = _membership(team, volunteer)
    own = volunteer.user_id == actor.pk
    if membership is None:
        raise NotFound("您不是本队队员" if own else "该志愿者不是本队队员", field="volunteer_id")
    if membership.role == Role.LEADER:
        raise Conflict(
            "您是队长，须先移交队长职务再退出" if own else "队长须先移交队长职务再退出",
            field="volunteer_id",
        )
    membership.delete()
    _event(team, volunteer, TeamMembershipEvent.Kind.LEAVE, membership.role, actor, note)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=team,
        summary=f"{volunteer.volunteer_no} 退出服务队",
    )


@transaction.atomic
def team_set_role(*, actor: User, team_id: int, volunteer_id: int, role: str) -> TeamMembership:
    """Change a member's role; naming a new leader makes the old one a member."""
    team = _visible_team(actor, team_id)
    if role not in Role.values:
        raise InvalidInput("队内角色不正确", field="role")
    actions = team_actions_for(actor, team)
    if not _actor_manages(actor, team):
        require(TeamAction.MANAGE_MEMBERS, actions, message="只有队长、副队长或社工可以调整角色")
    # The page offers member management only in a founded team; the API holds the same line.
    require(
        TeamAction.MANAGE_MEMBERS, actions, message="服务队尚未成立或已解散", state_refusal=True
    )
    if role == Role.LEADER and not (
        may_record_for(actor, team.community)
        or TeamMembership.objects.filter(
            team=team, volunteer__user=actor, role=Role.LEADER
        ).exists()
    ):
        raise Forbidden("只有队长或社工可以任命队长")
    volunteer = Volunteer.objects.filter(pk=volunteer_id).first()
    membership = _membership(team, volunteer) if volunteer else None
    if membership is None or volunteer is None:
        raise NotFound("该志愿者不是本队队员", field="volunteer_id")
    if membership.role == role:
        return membership
    if role == Role.LEADER:
        for old in TeamMembership.objects.filter(team=team, role=Role.LEADER):
            old.role = Role.MEMBER
            old.save(update_fields=["role"])
            _event(team, old.volunteer, TeamMembershipEvent.Kind.ROLE, Role.MEMBER, actor)
        team.leader = volunteer
        team.save(update_fields=["leader", "updated_at"])
    elif membership.role == Role.LEADER:
        raise Conflict("请先任命新队长", field="role")
    membership.role = role
    membership.save(update_fields=["role"])
    _event(team, volunteer, TeamMembershipEvent.Kind.ROLE, role, actor)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=team,
        summary=f"{volunteer.volunteer_no} 任{membership.get_role_display()}",
    )
    return membership
