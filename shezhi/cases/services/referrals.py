"""Referrals of a case to and from other institutions (转介)."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.cases.models import Case, Referral
from shezhi.cases.permissions import CaseAction, require_case_role, require_case_state
from shezhi.cases.selectors import case_access
from shezhi.cases.services.common import access_via, checked_choice, lock_case
from shezhi.core import audit
from shezhi.core.errors import InvalidInput
from shezhi.core.inputs import clean_text
from shezhi.core.models import AuditEvent


@dataclass(frozen=True)
class ReferralIn:
    institution_kind: str
    institution_name: str
    reason: str
    contact: str = ""


def referral_new(
    case: Case,
    *,
    actor: User,
    direction: str,
    data: ReferralIn,
    now: datetime,
    status: str = Referral.Status.SENT,
) -> Referral:
    checked_choice(
        data.institution_kind, Referral.InstitutionKind, "请选择机构类型", "institution_kind"
    )
    name = clean_text(
        data.institution_name,
        label="转介机构名称",
        field="institution_name",
        max_length=100,
    )
    reason = clean_text(data.reason, label="转介原因", field="reason", max_length=500)
    contact = clean_text(data.contact, field="contact", max_length=100, required=False)
    referral = Referral.objects.create(
        case=case,
        direction=direction,
        institution_kind=data.institution_kind,
        institution_name=name,
        contact=contact,
        reason=reason,
        status=status,
        sent_at=now,
        received_at=now if status == Referral.Status.RECEIVED else None,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=referral,
        summary=f"转介{referral.get_direction_display()}：{name}",
    )
    return referral


def referral_create(
    *,
    actor: User,
    case_id: int,
    institution_kind: str,
    institution_name: str,
    reason: str,
    contact: str = "",
    direction: str = Referral.Direction.OUT,
    now: datetime | None = None,
) -> Referral:
    now = now or timezone.now()
    access = case_access(actor=actor, case_id=case_id, now=now)
    require_case_role(access, CaseAction.REFER)
    checked_choice(direction, Referral.Direction, "请选择转介方向", "direction")
    data = ReferralIn(institution_kind, institution_name, reason, contact)
    with transaction.atomic():
        case = lock_case(access.case)
        require_case_state(case, CaseAction.REFER)
        return referral_new(case, actor=actor, direction=direction, data=data, now=now)


REFERRAL_NEXT = {
    Referral.Status.SENT: Referral.Status.RECEIVED,
    Referral.Status.RECEIVED: Referral.Status.ANSWERED,
}


def referral_advance(
    *,
    actor: User,
    referral_id: int,
    to_status: str,
    answer: str = "",
    now: datetime | None = None,
) -> Referral:
    """发出 → 已接收 → 已回复; the answer is required when the institution replied."""
    now = now or timezone.now()
    access = access_via(actor, Referral, referral_id, now)
    require_case_role(access, CaseAction.UPDATE_REFERRAL)
    answer = clean_text(answer, field="answer", max_length=500, required=False)
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral_id)
        if REFERRAL_NEXT.get(Referral.Status(referral.status)) != to_status:
            raise InvalidInput(
                f"转介当前为「{referral.get_status_display()}」，不能改为该状态", field="status"
            )
        if to_status == Referral.Status.ANSWERED:
            if not answer:
                raise InvalidInput("请填写对方机构的回复", field="answer")
            referral.answer, referral.answered_at = answer, now
        else:
            referral.received_at = now
        before = referral.status
        referral.status = to_status
        referral.save(update_fields=["status", "received_at", "answered_at", "answer"])
        audit.record(
            actor=actor,
            action=AuditEvent.Action.TRANSITION,
            obj=referral,
            summary="转介进展",
            changes={"status": [before, to_status]},
        )
    return referral
