"""Supervision notes and emergency access (break-glass) to case files.

Settings: SHEZHI_CASE_EMERGENCY_MAX_HOURS (longest emergency access)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.accounts.scoping import unit_scope
from shezhi.cases import selectors
from shezhi.cases.models import Case, CaseAccessLog, EmergencyAccess, SupervisionNote
from shezhi.cases.permissions import (
    CaseAction,
    CaseDeskAction,
    case_desk_actions_for,
    require_case_role,
)
from shezhi.cases.selectors import case_access, supervisors_of
from shezhi.cases.services.common import notice_text, notify_case
from shezhi.core import audit
from shezhi.core.errors import InvalidInput, NotFound
from shezhi.core.inputs import clean_text
from shezhi.core.models import AuditEvent, identity_snapshot
from shezhi.core.permissions import require
from shezhi.notifications.models import Notification


def supervision_note_add(
    *, actor: User, case_id: int, text: str, now: datetime | None = None
) -> SupervisionNote:
    now = now or timezone.now()
    access = case_access(actor=actor, case_id=case_id, now=now)
    require_case_role(access, CaseAction.SUPERVISE)
    text = clean_text(text, label="督导意见", field="text", max_length=5000)
    with transaction.atomic():
        note = SupervisionNote.objects.create(case=access.case, author=actor, text=text)
        audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=note, summary="督导记录")
    return note


def emergency_max_hours() -> int:
    """The longest emergency access an admin may ask for, in hours."""
    return int(settings.SHEZHI_CASE_EMERGENCY_MAX_HOURS)


def emergency_access_grant(
    *,
    actor: User,
    case_id: int,
    reason: str,
    hours: int = 4,
    now: datetime | None = None,
) -> EmergencyAccess:
    """An admin's time-limited access to a case in their units, with a stated reason; the
    supervisor line and the worker are told at once."""
    now = now or timezone.now()
    require(
        CaseDeskAction.EMERGENCY_ACCESS,
        case_desk_actions_for(actor),
        message="只有管理员可以申请紧急访问",
    )
    reason = clean_text(reason, missing="紧急访问须填写理由", field="reason", max_length=300)
    max_hours = emergency_max_hours()
    if not isinstance(hours, int) or not 1 <= hours <= max_hours:
        raise InvalidInput(f"紧急访问时长应为1至{max_hours}小时", field="hours")
    ref = selectors.parse_case_id(case_id)
    case = (
        Case.objects.filter(unit_scope(actor, community_field="community_id"))
        .select_related("worker__unit")
        .filter(pk=ref)
        .first()
    )
    if case is None:
        CaseAccessLog.objects.create(
            case_ref=max(ref, 0),
            user=actor,
            user_identity=identity_snapshot(actor),
            at=now,
            action=CaseAccessLog.Action.DENIED,
        )
        raise NotFound(selectors.NOT_FOUND)
    with transaction.atomic():
        grant = EmergencyAccess.objects.create(
            case=case,
            user=actor,
            reason=reason,
            granted_at=now,
            expires_at=now + timedelta(hours=hours),
        )
        recipients = [*supervisors_of(case.worker), case.worker]
        who = actor.display_name or actor.username
        # The reason is free text that may name the client: it stays on the access-log page.
        notify_case(
            case,
            recipients,
            kind=Notification.Kind.CASE_EMERGENCY_ACCESS,
            **notice_text("case_emergency_access", number=case.pk, who=who, hours=hours),
            key=f"case-emergency:{grant.pk}",
        )
        audit.record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            obj=grant,
            summary=f"紧急访问个案#{case.pk}：{reason}",
        )
    return grant


def _may_revoke(actor: User, grant: EmergencyAccess) -> bool:
    """The admin who holds the grant, or another admin over the case's community."""
    if grant.user_id == actor.pk:
        return True
    if not selectors.is_admin(actor) or not actor.is_active:
        return False
    scope = unit_scope(actor, community_field="community_id")
    return Case.objects.filter(scope, pk=grant.case_id).exists()


def emergency_access_revoke(
    *, actor: User, grant_id: int, now: datetime | None = None
) -> EmergencyAccess:
    now = now or timezone.now()
    with transaction.atomic():
        grant = EmergencyAccess.objects.select_for_update().filter(pk=grant_id).first()
        if grant is None or not _may_revoke(actor, grant):
            raise NotFound("未找到该紧急访问")
        if grant.revoked_at is None and grant.expires_at > now:
            grant.revoked_at = now
            grant.save(update_fields=["revoked_at"])
            audit.record(
                actor=actor, action=AuditEvent.Action.UPDATE, obj=grant, summary="撤销紧急访问"
            )
    return grant
