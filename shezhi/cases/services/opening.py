"""Opening case files (接案): from a need, a care alert or a visit, with consent."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.care.models import CareAlert, Visit
from shezhi.care.selectors import alert_get, visits_of
from shezhi.care.services import alert_acknowledge
from shezhi.cases.models import Case, CaseTeamMember, Referral, RiskLevel, Stage, TeamRole
from shezhi.cases.permissions import (
    CaseAction,
    CaseDeskAction,
    case_desk_actions_for,
    require_case_role,
    require_case_state,
)
from shezhi.cases.selectors import case_access
from shezhi.cases.services.common import (
    checked_choice,
    is_minor,
    lock_case,
    next_review,
    not_future,
    record_transition,
)
from shezhi.cases.services.referrals import ReferralIn, referral_new
from shezhi.core import audit
from shezhi.core.errors import Conflict, InvalidInput
from shezhi.core.inputs import clean_text, validate_model
from shezhi.core.models import AuditEvent
from shezhi.core.permissions import require
from shezhi.needs.models import Need
from shezhi.needs.selectors import need_get
from shezhi.people.models import Resident
from shezhi.people.selectors import resident_get


def case_open(
    *,
    actor: User,
    client_id: int,
    source: str,
    problem_type: str,
    risk_level: str,
    client_consent: bool,
    guardian_name: str = "",
    guardian_consent: bool = False,
    opened_on: date | None = None,
    need_id: int | None = None,
    care_alert_id: int | None = None,
    visit_id: int | None = None,
    referral_in: ReferralIn | None = None,
    now: datetime | None = None,
) -> Case:
    """接案. The actor becomes the case worker and first team member. Consent is the client's
    and, for a minor, the guardian's too; a case from a crisis alert may be opened before
    consent (PIPL art. 13: protecting life) but cannot leave intake without it."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    require(
        CaseDeskAction.OPEN_CASE, case_desk_actions_for(actor), message="只有社工和督导可以开案"
    )
    client = resident_get(actor=actor, resident_id=client_id)
    _check_kinds(source, problem_type, risk_level)
    opened_on = opened_on or today
    not_future(opened_on, today, field="opened_on", what="接案日期")
    guardian_name = clean_text(guardian_name, field="guardian_name", max_length=30, required=False)
    if source != Case.Source.CRISIS_ALERT:
        _check_consent(is_minor(client, opened_on), client_consent, guardian_name, guardian_consent)
    elif guardian_consent and not guardian_name:
        raise InvalidInput("请填写监护人姓名", field="guardian_name")
    links = _source_links(
        actor, client, need_id=need_id, care_alert_id=care_alert_id, visit_id=visit_id
    )
    _check_source(source, links, referral_in)

    with transaction.atomic():
        case = Case(
            client=client,
            community_id=client.community_id,
            worker=actor,
            source=source,
            need=links.need,
            care_alert=links.alert,
            visit=links.visit,
            problem_type=problem_type,
            risk_level=risk_level,
            opened_on=opened_on,
            next_review_on=next_review(risk_level, opened_on),
            client_consent_at=now if client_consent else None,
            guardian_name=guardian_name,
            guardian_consent_at=now if guardian_consent else None,
            created_by=actor,
        )
        _save_new_case(case, actor=actor, referral_in=referral_in, now=now)
    return case


@dataclass(frozen=True)
class _SourceLinks:
    """What a case was opened from: a need, a care alert, a visit (each optional)."""

    need: Need | None
    alert: CareAlert | None
    visit: Visit | None


def _check_kinds(source: str, problem_type: str, risk_level: str) -> None:
    checked_choice(source, Case.Source, "请选择有效的个案来源", "source")
    checked_choice(problem_type, Case.ProblemType, "请选择问题类型", "problem_type")
    checked_choice(risk_level, RiskLevel, "请选择有效的风险等级（紧急、高、中、低）", "risk_level")


def _source_links(
    actor: User,
    client: Resident,
    *,
    need_id: int | None,
    care_alert_id: int | None,
    visit_id: int | None,
) -> _SourceLinks:
    """Fetch the need, alert and visit the case comes from, each within the actor's scope and
    of this client."""
    need = alert = visit = None
    if need_id is not None:
        need = need_get(actor=actor, need_id=need_id)
        if need.resident_id != client.pk:
            raise InvalidInput("该需求不属于此服务对象", field="need")
    if care_alert_id is not None:
        alert = alert_get(actor=actor, alert_id=care_alert_id)
        if alert.resident_id != client.pk:
            raise InvalidInput("该预警不属于此服务对象", field="care_alert")
    if visit_id is not None:
        visit = visits_of(actor=actor, resident_id=client.pk).filter(pk=visit_id).first()
        if visit is None:
            raise InvalidInput("未找到此服务对象的这次走访", field="visit")
    return _SourceLinks(need=need, alert=alert, visit=visit)


def _check_source(source: str, links: _SourceLinks, referral_in: ReferralIn | None) -> None:
    if source == Case.Source.REFERRAL_IN and referral_in is None:
        raise InvalidInput("外部转介的个案请填写转介机构", field="referral")
    required_link = {Case.Source.NEED: links.need, Case.Source.CRISIS_ALERT: links.alert}
    if source in required_link and required_link[source] is None:
        raise InvalidInput("请关联来源需求或预警", field="source")


def _save_new_case(
    case: Case, *, actor: User, referral_in: ReferralIn | None, now: datetime
) -> None:
    """Save a validated new case with its first team member (the worker), the incoming
    referral if any, and the audit of its opening. Runs inside the caller's transaction."""
    validate_model(case, exclude=["community"])
    case.save()
    CaseTeamMember.objects.create(
        case=case, user=actor, role=TeamRole.CASEWORKER, started_on=case.opened_on, added_by=actor
    )
    if referral_in is not None:
        referral_new(
            case,
            actor=actor,
            direction=Referral.Direction.IN,
            data=referral_in,
            now=now,
            status=Referral.Status.RECEIVED,
        )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=case,
        summary=f"开案（{case.get_source_display()}）",
    )
    record_transition(case, to=Stage.INTAKE, before="", actor=actor, now=now)


def _check_consent(minor: bool, client: bool, guardian_name: str, guardian: bool) -> None:
    if not client:
        raise InvalidInput("开案须取得服务对象本人同意", field="client_consent")
    if minor and not (guardian and guardian_name):
        raise InvalidInput("服务对象未满18周岁，须取得监护人同意并填写监护人姓名", field="guardian")


def case_open_from_alert(
    *,
    actor: User,
    alert_id: int,
    problem_type: str,
    risk_level: str = RiskLevel.URGENT,
    client_consent: bool = False,
    guardian_name: str = "",
    guardian_consent: bool = False,
    now: datetime | None = None,
) -> Case:
    """Open a case from a care alert (a crisis signal): linked to the alert, which is
    acknowledged if nobody had yet."""
    now = now or timezone.now()
    alert = alert_get(actor=actor, alert_id=alert_id)
    if alert.resident_id is None:
        raise InvalidInput("该预警没有关联居民，无法开案", field="care_alert")
    if Case.objects.filter(care_alert=alert).exclude(status=Stage.CLOSED).exists():
        raise Conflict("该预警已开案")
    source = Case.Source.CRISIS_ALERT if alert.kind == CareAlert.Kind.CRISIS else Case.Source.VISIT
    case = case_open(
        actor=actor,
        client_id=alert.resident_id,
        source=source,
        problem_type=problem_type,
        risk_level=risk_level,
        client_consent=client_consent,
        guardian_name=guardian_name,
        guardian_consent=guardian_consent,
        care_alert_id=alert.pk,
        now=now,
    )
    if alert.status in (CareAlert.Status.OPEN, CareAlert.Status.ESCALATED):
        alert_acknowledge(actor=actor, alert_id=alert.pk, now=now)
    return case


def case_open_from_need(
    *,
    actor: User,
    need_id: int,
    problem_type: str,
    risk_level: str,
    client_consent: bool,
    guardian_name: str = "",
    guardian_consent: bool = False,
    now: datetime | None = None,
) -> Case:
    need = need_get(actor=actor, need_id=need_id)
    if need.resident_id is None:
        raise InvalidInput("该需求没有关联居民，无法开案", field="need")
    return case_open(
        actor=actor,
        client_id=need.resident_id,
        source=Case.Source.NEED,
        problem_type=problem_type,
        risk_level=risk_level,
        client_consent=client_consent,
        guardian_name=guardian_name,
        guardian_consent=guardian_consent,
        need_id=need.pk,
        now=now,
    )


def case_record_consent(
    *,
    actor: User,
    case_id: int,
    client_consent: bool,
    guardian_name: str = "",
    guardian_consent: bool = False,
    now: datetime | None = None,
) -> Case:
    now = now or timezone.now()
    access = case_access(actor=actor, case_id=case_id, now=now)
    require_case_role(access, CaseAction.RECORD_CONSENT)
    guardian_name = clean_text(guardian_name, field="guardian_name", max_length=30, required=False)
    with transaction.atomic():
        case = lock_case(access.case)
        require_case_state(case, CaseAction.RECORD_CONSENT)
        # Consents may come one at a time; leaving intake needs all that apply.
        if not client_consent:
            raise InvalidInput("请记录服务对象本人同意", field="client_consent")
        if guardian_consent and not guardian_name:
            raise InvalidInput("请填写监护人姓名", field="guardian_name")
        case.client_consent_at = case.client_consent_at or now
        if guardian_consent:
            case.guardian_name = guardian_name
            case.guardian_consent_at = case.guardian_consent_at or now
        case.save(
            update_fields=[
                "client_consent_at",
                "guardian_name",
                "guardian_consent_at",
                "updated_at",
            ]
        )
        audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=case, summary="记录知情同意")
    return case
