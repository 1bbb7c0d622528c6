"""The case team: adding and ending members."""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from shezhi.accounts.models import Role, User
from shezhi.cases.models import CaseTeamMember, TeamRole
from shezhi.cases.permissions import CaseAction, require_case_role, require_case_state
from shezhi.cases.selectors import case_access
from shezhi.cases.services.common import access_via, active_members, checked_choice, lock_case
from shezhi.core import audit
from shezhi.core.errors import Conflict, InvalidInput
from shezhi.core.models import AuditEvent


def team_add(
    *,
    actor: User,
    case_id: int,
    user_id: int | None,
    role: str,
    ended_on: date | None = None,
    now: datetime | None = None,
) -> CaseTeamMember:
    now = now or timezone.now()
    today = timezone.localdate(now)
    access = case_access(actor=actor, case_id=case_id, now=now)
    require_case_role(access, CaseAction.ADD_MEMBER)
    checked_choice(role, TeamRole, "请选择团队角色", "role")
    if role == TeamRole.CASEWORKER:
        raise InvalidInput("个案社工只有一位；请选择协作社工或其他角色", field="role")
    member = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if member is None:
        raise InvalidInput("团队成员必须是平台的有效用户", field="user")
    if member.role == Role.RESIDENT:
        raise InvalidInput("居民账号不能加入个案团队", field="user")
    if role == TeamRole.COLLEAGUE and member.role not in (Role.SOCIAL_WORKER, Role.SUPERVISOR):
        raise InvalidInput("协作社工须是社工账号", field="role")
    if ended_on is not None and ended_on < today:
        raise InvalidInput("结束日期不能早于今天", field="ended_on")
    with transaction.atomic():
        case = lock_case(access.case)
        require_case_state(case, CaseAction.ADD_MEMBER)
        if case.client.user_id == member.pk:
            raise InvalidInput("服务对象本人不能加入个案团队", field="user")
        if active_members(case, today).filter(user=member).exists():
            raise Conflict("该用户已是本个案团队成员")
        tm = CaseTeamMember.objects.create(
            case=case, user=member, role=role, started_on=today, ended_on=ended_on, added_by=actor
        )
        audit.record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            obj=tm,
            summary=f"邀请团队成员（{tm.get_role_display()}）",
        )
    return tm


def team_end(
    *, actor: User, member_id: int, ended_on: date | None = None, now: datetime | None = None
) -> CaseTeamMember:
    now = now or timezone.now()
    today = timezone.localdate(now)
    access = access_via(actor, CaseTeamMember, member_id, now)
    require_case_role(access, CaseAction.END_MEMBER)
    ended_on = ended_on or today
    with transaction.atomic():
        tm = CaseTeamMember.objects.select_for_update().get(pk=member_id)
        if tm.user_id == access.case.worker_id and tm.role == TeamRole.CASEWORKER:
            raise InvalidInput("不能移出个案社工本人", field="member")
        if ended_on < tm.started_on:
            raise InvalidInput("结束日期不能早于加入日期", field="ended_on")
        tm.ended_on = ended_on
        tm.save(update_fields=["ended_on"])
        audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=tm, summary="结束团队成员")
    return tm
