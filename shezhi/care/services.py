"""Writes to the care registry: profiles, one-on-one contacts, visits, alerts and triage. Each
runs in one transaction and writes its audit event. The scheduled jobs are in `jobs`, the
door-knocking campaigns in `campaigns`.

Settings (all optional): SHEZHI_CARE_CADENCE (see cadence.rules_from_mapping),
SHEZHI_CARE_CRISIS_ACK_MINUTES (default 30), SHEZHI_CARE_NOBODY_HOME_ACK_HOURS (default 24).
"""

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from shezhi.accounts.models import Role, User
from shezhi.care import cadence, triage
from shezhi.care.models import (
    CHECKLIST,
    CareAlert,
    CareProfile,
    Check,
    ContactAssignment,
    LexiconEntry,
    Visit,
)
from shezhi.care.permissions import (
    CareAction,
    alert_role_actions,
    alert_state_actions,
    care_actions_for,
    report_missing,
)
from shezhi.care.selectors import alert_get, care_resident_get
from shezhi.core import audit
from shezhi.core.errors import Conflict, ErrorCode, InvalidInput, NotFound
from shezhi.core.inputs import clean_text, validate_model
from shezhi.core.models import AuditEvent
from shezhi.core.permissions import require
from shezhi.needs.services.intake import need_create
from shezhi.notifications.models import Notification
from shezhi.notifications.services import notify
from shezhi.notifications.texts import render
from shezhi.org.models import Level, OrgUnit
from shezhi.people.models import Resident

log = logging.getLogger(__name__)

CONTACT_KINDS = {
    Role.GRID_WORKER: ContactAssignment.Kind.GRID_WORKER,
    Role.SOCIAL_WORKER: ContactAssignment.Kind.SOCIAL_WORKER,
    Role.VOLUNTEER: ContactAssignment.Kind.VOLUNTEER,
    Role.TEAM_LEADER: ContactAssignment.Kind.VOLUNTEER,
}
BATCH = 2000


def rules() -> cadence.CadenceRules:
    return cadence.rules_from_mapping(settings.SHEZHI_CARE_CADENCE)


def crisis_ack_minutes() -> int:
    return int(settings.SHEZHI_CARE_CRISIS_ACK_MINUTES)


def may_manage(actor: User) -> bool:
    return CareAction.MANAGE_REGISTRY in care_actions_for(actor)


def _require_manager(actor: User) -> None:
    # Before any lookup: the desk's role gate, the same 403 for the page and the API.
    require(CareAction.MANAGE_REGISTRY, care_actions_for(actor), message="您的角色无权维护关爱档案")


def _risk(value: str) -> cadence.RiskLevel:
    try:
        return cadence.RiskLevel(value)
    except ValueError:
        raise InvalidInput("请选择有效的风险等级（高、重点、一般）", field="risk_level") from None


def _community_social_worker(community_id: int) -> User | None:
    return (
        User.objects.filter(role=Role.SOCIAL_WORKER, unit_id=community_id, is_active=True)
        .order_by("id")
        .first()
    )


# --- profiles ---------------------------------------------------------------------------


@transaction.atomic
def care_profile_set(
    *,
    actor: User,
    resident_id: int,
    risk_level: str,
    risk_reasons: str,
    major_change: str = "",
    major_change_at: datetime | None = None,
    now: datetime | None = None,
) -> CareProfile:
    """Register a resident on the care registry, or change their risk level; a major change
    (出院, 丧亲 …) sets a visit deadline of `major_change_hours` after it."""
    now = now or timezone.now()
    _require_manager(actor)
    resident = care_resident_get(actor=actor, resident_id=resident_id)
    level = _risk(risk_level)
    risk_reasons = clean_text(risk_reasons, field="risk_reasons", label="风险原因", max_length=300)
    major_change = (major_change or "").strip()
    if major_change_at is not None and not major_change:
        raise InvalidInput("请说明重大变故（如出院、丧亲）", field="major_change")
    if major_change and major_change_at is None:
        major_change_at = now
    if major_change_at is not None and major_change_at > now:
        raise InvalidInput("重大变故时间不能晚于现在", field="major_change_at")

    profile = CareProfile.objects.select_for_update().filter(
        resident=resident
    ).first() or CareProfile(resident=resident, registered_on=timezone.localdate(now))
    created = profile.pk is None
    before = {"risk_level": profile.risk_level, "risk_reasons": profile.risk_reasons}
    profile.risk_level = level.value
    profile.risk_reasons = risk_reasons
    profile.is_active = True
    r = rules()
    profile.next_visit_due = cadence.next_due(
        level=level, rules=r, last_seen=profile.last_seen_on, registered_on=profile.registered_on
    )
    if major_change_at is not None:
        profile.urgent_visit_by = cadence.urgent_deadline(major_change_at, r)
        profile.major_change_note = major_change[:200]
    validate_model(profile)
    profile.save()
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        obj=profile,
        summary=f"关爱档案：风险等级{level.label}"
        + (f"，重大变故：{major_change}" if major_change else ""),
        changes=audit.diff(before, {"risk_level": level.value, "risk_reasons": risk_reasons}),
    )
    return profile


# --- contact persons --------------------------------------------------------------------


def _check_contact_fits(contact: User, resident: Resident) -> ContactAssignment.Kind:
    kind = CONTACT_KINDS.get(Role(contact.role)) if contact.role in Role.values else None
    if kind is None or not contact.is_active:
        raise InvalidInput("一对一联系人须为网格员、志愿者或社工", field="contact")
    if kind == ContactAssignment.Kind.GRID_WORKER:
        fits = contact.unit_id == resident.grid_id
        where = "该居民所在网格"
    elif kind == ContactAssignment.Kind.SOCIAL_WORKER:
        fits = contact.unit is not None and (
            contact.unit.ancestor(Level.COMMUNITY) == resident.community
        )
        where = "该居民所在社区"
    else:
        volunteer = getattr(contact, "volunteer", None)
        fits = volunteer is not None and volunteer.community_id == resident.community_id
        where = "该居民所在社区"
    if not fits:
        raise InvalidInput(f"联系人应属于{where}", field="contact")
    return kind


@transaction.atomic
def contact_assign(
    *,
    actor: User,
    resident_id: int,
    contact_id: int,
    started_on: date | None = None,
    now: datetime | None = None,
) -> ContactAssignment:
    """Name a one-on-one contact person (一对一联系人); a resident may have several."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    _require_manager(actor)
    resident = care_resident_get(actor=actor, resident_id=resident_id)
    contact = User.objects.select_related("unit").filter(pk=contact_id).first()
    if contact is None:
        raise NotFound("未找到该联系人", field="contact")
    kind = _check_contact_fits(contact, resident)
    started_on = started_on or today
    if started_on > today:
        raise InvalidInput("开始日期不能晚于今天", field="started_on")
    if ContactAssignment.objects.filter(
        resident=resident, contact=contact, ended_on__isnull=True
    ).exists():
        raise Conflict("此人已是该居民的一对一联系人", field="contact")
    assignment = ContactAssignment(
        resident=resident, contact=contact, kind=kind, started_on=started_on, assigned_by=actor
    )
    validate_model(assignment, constraints=False)  # the database's unique constraint decides
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:  # the same pair assigned at the same moment by someone else
        raise Conflict("此人已是该居民的一对一联系人", field="contact") from None
    _close_alerts(
        resident_ids=[resident.pk],
        kind=CareAlert.Kind.NO_CONTACT_PERSON,
        now=now,
        note="已指派一对一联系人",
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=assignment,
        summary=f"指派一对一联系人：{contact}（{assignment.get_kind_display()}）",
    )
    return assignment


@transaction.atomic
def contact_end(
    *,
    actor: User,
    assignment_id: int,
    reason: str,
    ended_on: date | None = None,
    now: datetime | None = None,
) -> ContactAssignment:
    """End a contact assignment; it stays in the history."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    _require_manager(actor)
    assignment = (
        ContactAssignment.objects.select_for_update().filter(pk=assignment_id).first()
        if isinstance(assignment_id, int)
        else None
    )
    if assignment is None:
        raise NotFound("未找到该联系人记录")
    care_resident_get(actor=actor, resident_id=assignment.resident_id)
    if assignment.ended_on is not None:
        raise Conflict("该联系人记录已结束")
    reason = clean_text(reason, field="reason", label="结束原因", max_length=200)
    ended_on = ended_on or today
    if ended_on > today:
        raise InvalidInput("结束日期不能晚于今天", field="ended_on")
    if ended_on < assignment.started_on:
        raise InvalidInput("结束日期不能早于开始日期", field="ended_on")
    assignment.ended_on = ended_on
    assignment.end_reason = reason[:200]
    assignment.save(update_fields=["ended_on", "end_reason"])
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=assignment,
        summary=f"结束一对一联系人：{assignment.contact}，{reason}"[:300],
    )
    return assignment


# --- visits -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NeedDraft:
    """A need found on a visit, entered into the ledger prefilled with the resident."""

    category: str
    urgency: str
    description: str
    title: str = ""


@transaction.atomic
def visit_log(
    *,
    actor: User,
    resident_id: int,
    visited_on: date,
    contact_made: bool,
    mode: str = Visit.Mode.HOME,
    checklist: Mapping[str, str] | None = None,
    notes: Mapping[str, str] | None = None,
    note: str = "",
    risk_level: str = "",
    risk_reasons: str = "",
    need: NeedDraft | None = None,
    now: datetime | None = None,
) -> Visit:
    """Log a visit. Contact made moves the next due date on; a second "nobody answered" in a
    row raises an alert; the visit may raise a need in the ledger and change the risk level;
    its notes are scanned for danger signals."""
    resident = care_resident_get(actor=actor, resident_id=resident_id)
    return visit_record(
        actor=actor,
        resident=resident,
        visited_on=visited_on,
        contact_made=contact_made,
        mode=mode,
        checklist=checklist,
        notes=notes,
        note=note,
        risk_level=risk_level,
        risk_reasons=risk_reasons,
        need=need,
        now=now,
    )


@transaction.atomic
def visit_record(
    *,
    actor: User,
    resident: Resident,
    visited_on: date,
    contact_made: bool,
    mode: str = Visit.Mode.HOME,
    checklist: Mapping[str, str] | None = None,
    notes: Mapping[str, str] | None = None,
    note: str = "",
    risk_level: str = "",
    risk_reasons: str = "",
    need: NeedDraft | None = None,
    now: datetime | None = None,
) -> Visit:
    """visit_log() for a resident the caller has already authorised the actor for (a door on
    the actor's campaign list): one place for every rule a visit sets off."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not isinstance(visited_on, date) or isinstance(visited_on, datetime):
        raise InvalidInput("请填写走访日期", field="visited_on")
    if visited_on > today:
        raise InvalidInput("走访日期不能晚于今天", field="visited_on")
    if visited_on < today - timedelta(days=366):
        raise InvalidInput("走访日期不能早于一年前", field="visited_on")
    if not isinstance(contact_made, bool):
        raise InvalidInput("请说明是否见到本人", field="contact_made")
    checklist, notes = dict(checklist or {}), dict(notes or {})
    unknown = (set(checklist) | set(notes)) - set(CHECKLIST)
    if unknown:
        raise InvalidInput(f"未知的走访检查项：{'、'.join(sorted(unknown))}", field="checklist")
    if risk_level:
        _risk(risk_level)

    visit = Visit(
        resident=resident,
        visitor=actor,
        visited_on=visited_on,
        mode=mode,
        contact_made=contact_made,
        note=(note or "").strip(),
        suggested_risk_level=risk_level or "",
    )
    for item in CHECKLIST:
        setattr(visit, item, checklist.get(item) or Check.UNKNOWN)
        setattr(visit, f"{item}_note", (notes.get(item) or "").strip())
    validate_model(visit)
    if need is not None:
        visit.raised_need = need_create(
            actor=actor,
            category=need.category,
            urgency=need.urgency,
            description=need.description,
            title=need.title,
            source="visit",
            resident_id=resident.pk,
        )
    visit.save()
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=visit,
        summary=f"走访{'' if contact_made else '（无人应答）'}：{visited_on:%Y-%m-%d}",
    )

    profile = CareProfile.objects.select_for_update().filter(resident=resident).first()
    if risk_level and may_manage(actor) and (profile is None or profile.risk_level != risk_level):
        profile = care_profile_set(
            actor=actor,
            resident_id=resident.pk,
            risk_level=risk_level,
            risk_reasons=(risk_reasons or "").strip() or f"走访调整（{visited_on:%Y-%m-%d}）",
            now=now,
        )
    if profile is not None:
        _after_visit(profile, visit, now)
    if contact_made:
        _close_alerts(
            resident_ids=[resident.pk],
            kind=CareAlert.Kind.NOBODY_HOME_TWICE,
            now=now,
            note="走访已见到本人",
        )
    elif _nobody_home_twice(resident):
        _open_alert(
            resident=resident,
            kind=CareAlert.Kind.NOBODY_HOME_TWICE,
            summary="连续两次走访无人应答，请尽快确认居民安全",
            due_by=now + timedelta(hours=int(settings.SHEZHI_CARE_NOBODY_HOME_ACK_HOURS)),
            actor=actor,
        )
    texts = [visit.note, *(getattr(visit, f"{i}_note") for i in CHECKLIST)]
    if need is not None:
        texts.append(need.description)  # the ledger does not scan its own text yet
    text = "\n".join(t for t in texts if t).strip()
    if text:
        scan_text(
            actor=actor,
            text=text,
            source_type="care.visit",
            source_id=str(visit.pk),
            resident=resident,
            now=now,
        )
    return visit


def _after_visit(profile: CareProfile, visit: Visit, now: datetime) -> None:
    r = rules()
    fields = ["last_visit_on", "updated_at"]
    if profile.last_visit_on is None or visit.visited_on > profile.last_visit_on:
        profile.last_visit_on = visit.visited_on
    if visit.contact_made and (
        profile.last_seen_on is None or visit.visited_on > profile.last_seen_on
    ):
        profile.last_seen_on = visit.visited_on
        profile.next_visit_due = cadence.next_due(
            level=profile.risk_level,
            rules=r,
            last_seen=profile.last_seen_on,
            registered_on=profile.registered_on,
        )
        fields += ["last_seen_on", "next_visit_due"]
    if visit.contact_made and profile.urgent_visit_by is not None:
        change_day = timezone.localdate(
            profile.urgent_visit_by - timedelta(hours=r.major_change_hours)
        )
        if visit.visited_on >= change_day:
            profile.urgent_visit_by = None
            fields.append("urgent_visit_by")
    profile.save(update_fields=fields)


def _nobody_home_twice(resident: Resident) -> bool:
    last_two = list(
        Visit.objects.filter(resident=resident)
        .order_by("-visited_on", "-id")
        .values_list("contact_made", flat=True)[:2]
    )
    return len(last_two) == 2 and not any(last_two)


def _open_alert(
    *,
    resident: Resident,
    kind: str,
    summary: str,
    actor: User | None,
    due_by: datetime | None = None,
) -> CareAlert | None:
    if CareAlert.objects.filter(
        resident=resident, kind=kind, status__in=CareAlert.OPEN_STATUSES
    ).exists():
        return None
    try:
        with transaction.atomic():  # a concurrent writer may have opened it first
            alert = CareAlert.objects.create(
                kind=kind,
                resident=resident,
                community_id=resident.community_id,
                grid_id=resident.grid_id,
                summary=summary,
                assigned_to=_community_social_worker(resident.community_id),
                due_by=due_by,
            )
    except IntegrityError:
        return None
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=alert, summary=summary)
    if due_by is not None and alert.assigned_to is not None:  # one that must be acknowledged
        notify_alert(alert, alert.assigned_to, kind=Notification.Kind.CARE_ALERT)
    return alert


def _close_alerts(*, resident_ids: Iterable[int], kind: str, now: datetime, note: str) -> int:
    return CareAlert.objects.filter(
        resident_id__in=list(resident_ids), kind=kind, status__in=CareAlert.OPEN_STATUSES
    ).update(status=CareAlert.Status.CLOSED, closed_at=now, close_note=note, updated_at=now)


# --- triage -----------------------------------------------------------------------------


def lexicon() -> list[triage.Entry]:
    """The built-in lexicon plus the active admin entries that pass validation."""
    entries = list(triage.DEFAULT_LEXICON)
    for row in LexiconEntry.objects.filter(is_active=True):
        try:
            entries.append(triage.validate_entry(row.as_entry()))
        except (triage.LexiconError, ValueError):
            log.error("Skipping invalid lexicon entry #%s", row.pk)
    return entries


def _responsible_social_worker(resident: Resident | None, community_id: int) -> User | None:
    if resident is not None:
        assigned = (
            ContactAssignment.objects.filter(
                resident=resident,
                ended_on__isnull=True,
                kind=ContactAssignment.Kind.SOCIAL_WORKER,
                contact__is_active=True,
            )
            .select_related("contact")
            .order_by("started_on", "id")
            .first()
        )
        if assigned:
            return assigned.contact
    return _community_social_worker(community_id)


@transaction.atomic
def scan_text(
    *,
    actor: User | None,
    text: str,
    source_type: str,
    source_id: str = "",
    resident: Resident | None = None,
    community: OrgUnit | None = None,
    entries: Sequence[triage.Entry] | None = None,
    now: datetime | None = None,
) -> CareAlert | None:
    """Scan free text for danger signals; any signal (negated ones too, marked so) opens one
    crisis alert assigned to the responsible social worker, who must acknowledge it within
    SHEZHI_CARE_CRISIS_ACK_MINUTES. A possible harm to a child carries the duty to report."""
    now = now or timezone.now()
    signals = triage.scan(text or "", entries if entries is not None else lexicon())
    if not signals:
        return None
    community_id = (
        resident.community_id
        if resident is not None
        else community.pk
        if community is not None
        else None
    )
    if community_id is None and actor is not None and actor.unit is not None:
        unit = actor.unit.ancestor(Level.COMMUNITY)
        community_id = unit.pk if unit else None
    if community_id is None:
        log.error("Danger signal in %s #%s with no community to alert", source_type, source_id)
        return None
    first = triage.worst(signals)
    assert first is not None
    label = first.category.label
    summary = f"危机信号（{label}）：{first.context}"
    if all(s.negated for s in signals):
        summary = f"疑似危机信号（含否定，请人工判断，{label}）：{first.context}"
    alert = CareAlert.objects.create(
        kind=CareAlert.Kind.CRISIS,
        resident=resident,
        community_id=community_id,
        grid_id=resident.grid_id if resident else None,
        summary=summary[:300],
        category=first.category.value,
        signals=[s.as_dict() for s in signals],
        source_type=source_type[:40],
        source_id=str(source_id)[:40],
        assigned_to=_responsible_social_worker(resident, community_id),
        due_by=now + timedelta(minutes=crisis_ack_minutes()),
        mandatory_report=any(s.category == triage.Category.CHILD_HARM for s in signals),
    )
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=alert, summary=alert.summary)
    if alert.assigned_to is not None:
        notify_alert(alert, alert.assigned_to, kind=Notification.Kind.CARE_CRISIS)
    return alert


def notify_alert(alert: CareAlert, recipient: User, *, kind: str) -> None:
    """Tell a person an alert needs them, in the inbox and by SMS where configured. The text
    names no resident and quotes nothing: an SMS leaves the platform."""
    if kind == Notification.Kind.CARE_CRISIS:
        title, body = render(
            "care_crisis",
            category=alert.get_category_display() or gettext_lazy("危机"),
            minutes=crisis_ack_minutes(),
            number=alert.pk,
        )
    elif kind == Notification.Kind.CARE_ESCALATED:
        title, body = render("care_escalated", number=alert.pk)
    else:
        title, body = render("care_alert", category=alert.get_kind_display(), number=alert.pk)
    notify(
        recipient=recipient,
        kind=kind,
        title=title,
        body=body,
        link=reverse("care:alerts"),
        dedupe_key=f"{kind}:{alert.pk}",
    )


# --- alerts -----------------------------------------------------------------------------


def _load_alert(actor: User, alert_id: int) -> CareAlert:
    alert = alert_get(actor=actor, alert_id=alert_id)
    return CareAlert.objects.select_for_update().get(pk=alert.pk)


@transaction.atomic
def alert_acknowledge(*, actor: User, alert_id: int, now: datetime | None = None) -> CareAlert:
    now = now or timezone.now()
    alert = _load_alert(actor, alert_id)
    action = CareAction.ACKNOWLEDGE
    require(action, alert_role_actions(actor, alert), message="您的角色无权确认预警")
    require(action, alert_state_actions(alert), message="该预警已确认或已关闭", state_refusal=True)
    before = alert.status
    alert.status = CareAlert.Status.ACKNOWLEDGED
    alert.acknowledged_by, alert.acknowledged_at = actor, now
    alert.save(update_fields=["status", "acknowledged_by", "acknowledged_at", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=alert,
        summary="确认预警",
        changes={"status": [before, alert.status]},
    )
    return alert


@transaction.atomic
def alert_record_report(
    *,
    actor: User,
    alert_id: int,
    reported_to: str,
    reported_at: datetime | None = None,
    now: datetime | None = None,
) -> CareAlert:
    """强制报告: record when and to whom a possible harm to a child was reported."""
    now = now or timezone.now()
    alert = _load_alert(actor, alert_id)
    require(CareAction.REPORT, alert_role_actions(actor, alert), message="您的角色无权维护关爱档案")
    require(
        CareAction.REPORT,
        alert_state_actions(alert),
        message="该预警已登记强制报告或已关闭"
        if alert.mandatory_report
        else "该预警不涉及强制报告",
        state_refusal=True,
    )
    reported_to = clean_text(
        reported_to,
        field="reported_to",
        label="报告对象",
        max_length=100,
        missing="请填写报告对象（公安、民政、教育部门及经办人）",
    )
    reported_at = reported_at or now
    if reported_at > now:
        raise InvalidInput("报告时间不能晚于现在", field="reported_at")
    alert.reported_to, alert.reported_at, alert.reported_by = reported_to[:100], reported_at, actor
    alert.save(update_fields=["reported_to", "reported_at", "reported_by", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=alert,
        summary=f"强制报告：{timezone.localtime(reported_at):%Y-%m-%d %H:%M} 报告{reported_to}"[
            :300
        ],
    )
    return alert


@transaction.atomic
def alert_close(
    *, actor: User, alert_id: int, note: str, confirmed: bool, now: datetime | None = None
) -> CareAlert:
    """Close an alert: a deliberate second step (confirmed) with the reason it may be closed."""
    now = now or timezone.now()
    alert = _load_alert(actor, alert_id)
    require(CareAction.CLOSE, alert_role_actions(actor, alert), message="您的角色无权维护关爱档案")
    require(
        CareAction.CLOSE, alert_state_actions(alert), message="该预警已关闭", state_refusal=True
    )
    note = clean_text(
        note, field="note", label="处置说明", max_length=500, missing="请填写关闭原因（处置说明）"
    )
    if not confirmed:
        raise InvalidInput("关闭预警须再次确认：请勾选“确认关闭”", field="confirm")
    if report_missing(alert):
        raise Conflict(
            "涉及儿童受害的预警须先登记强制报告的时间和对象",
            field="reported_to",
            code=ErrorCode.ILLEGAL_TRANSITION,
        )
    before = alert.status
    alert.status = CareAlert.Status.CLOSED
    alert.closed_by, alert.closed_at, alert.close_note = actor, now, note[:500]
    alert.save(update_fields=["status", "closed_by", "closed_at", "close_note", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=alert,
        summary=f"关闭预警：{note}"[:300],
        changes={"status": [before, alert.status]},
    )
    return alert
