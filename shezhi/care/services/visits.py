"""Visits: logging one and every rule it sets off (next due date, alerts, needs, risk level,
the scan of its notes)."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.care import cadence
from shezhi.care.models import (
    CHECKLIST,
    CareAlert,
    CareProfile,
    Check,
    Visit,
)
from shezhi.care.selectors import care_resident_get
from shezhi.care.services.common import community_social_worker, may_manage, risk_level_of, rules
from shezhi.care.services.profiles import care_profile_set
from shezhi.care.services.scanning import notify_alert, scan_text
from shezhi.core import audit
from shezhi.core.errors import InvalidInput
from shezhi.core.inputs import validate_model
from shezhi.core.models import AuditEvent
from shezhi.needs.services import need_create
from shezhi.notifications.models import Notification
from shezhi.people.models import Resident


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


def check_visit_input(
    *,
    visited_on: date,
    contact_made: bool,
    checklist: Mapping[str, str] | None,
    notes: Mapping[str, str] | None,
    risk_level: str,
    today: date,
) -> tuple[dict[str, str], dict[str, str]]:
    """The visit's date, outcome and checklist items checked; the checklist and its notes."""
    if not isinstance(visited_on, date) or isinstance(visited_on, datetime):
        raise InvalidInput("请填写走访日期", field="visited_on")
    if visited_on > today:
        raise InvalidInput("走访日期不能晚于今天", field="visited_on")
    if visited_on < today - timedelta(days=366):
        raise InvalidInput("走访日期不能早于一年前", field="visited_on")
    if not isinstance(contact_made, bool):
        raise InvalidInput("请说明是否见到本人", field="contact_made")
    checked, item_notes = dict(checklist or {}), dict(notes or {})
    unknown = (set(checked) | set(item_notes)) - set(CHECKLIST)
    if unknown:
        raise InvalidInput(f"未知的走访检查项：{'、'.join(sorted(unknown))}", field="checklist")
    if risk_level:
        risk_level_of(risk_level)
    return checked, item_notes


def visit_save(
    *,
    actor: User,
    visit: Visit,
    need: NeedDraft | None,
) -> Visit:
    """Validate and save the visit, with the need it raised in the ledger, and audit it."""
    validate_model(visit)
    if need is not None:
        visit.raised_need = need_create(
            actor=actor,
            category=need.category,
            urgency=need.urgency,
            description=need.description,
            title=need.title,
            source="visit",
            resident_id=visit.resident.pk,
        )
    visit.save()
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=visit,
        summary=f"走访{'' if visit.contact_made else '（无人应答）'}：{visit.visited_on:%Y-%m-%d}",
    )
    return visit


def visit_update_profile(
    *, actor: User, visit: Visit, risk_level: str, risk_reasons: str, now: datetime
) -> None:
    """A manager's visit may change the risk level; the profile's dates move on."""
    resident, visited_on = visit.resident, visit.visited_on
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
        profile_after_visit(profile, visit, now)


def visit_update_alerts(*, actor: User, visit: Visit, now: datetime) -> None:
    """Seeing the resident closes the "nobody home twice" alert; a second miss in a row opens it."""
    resident = visit.resident
    if visit.contact_made:
        close_alerts(
            resident_ids=[resident.pk],
            kind=CareAlert.Kind.NOBODY_HOME_TWICE,
            now=now,
            note="走访已见到本人",
        )
    elif nobody_home_twice(resident):
        open_alert(
            resident=resident,
            kind=CareAlert.Kind.NOBODY_HOME_TWICE,
            summary="连续两次走访无人应答，请尽快确认居民安全",
            due_by=now + timedelta(hours=int(settings.SHEZHI_CARE_NOBODY_HOME_ACK_HOURS)),
            actor=actor,
        )


def visit_scan_notes(*, actor: User, visit: Visit, need: NeedDraft | None, now: datetime) -> None:
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
            resident=visit.resident,
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
    checklist, notes = check_visit_input(
        visited_on=visited_on,
        contact_made=contact_made,
        checklist=checklist,
        notes=notes,
        risk_level=risk_level,
        today=timezone.localdate(now),
    )
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
    visit_save(actor=actor, visit=visit, need=need)
    visit_update_profile(
        actor=actor, visit=visit, risk_level=risk_level, risk_reasons=risk_reasons, now=now
    )
    visit_update_alerts(actor=actor, visit=visit, now=now)
    visit_scan_notes(actor=actor, visit=visit, need=need, now=now)
    return visit


def profile_after_visit(profile: CareProfile, visit: Visit, now: datetime) -> None:
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


def nobody_home_twice(resident: Resident) -> bool:
    last_two = list(
        Visit.objects.filter(resident=resident)
        .order_by("-visited_on", "-id")
        .values_list("contact_made", flat=True)[:2]
    )
    return len(last_two) == 2 and not any(last_two)


def open_alert(
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
                assigned_to=community_social_worker(resident.community_id),
                due_by=due_by,
            )
    except IntegrityError:
        return None
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=alert, summary=summary)
    if due_by is not None and alert.assigned_to is not None:  # one that must be acknowledged
        notify_alert(alert, alert.assigned_to, kind=Notification.Kind.CARE_ALERT)
    return alert


def close_alerts(*, resident_ids: Iterable[int], kind: str, now: datetime, note: str) -> int:
    return CareAlert.objects.filter(
        resident_id__in=list(resident_ids), kind=kind, status__in=CareAlert.OPEN_STATUSES
    ).update(status=CareAlert.Status.CLOSED, closed_at=now, close_note=note, updated_at=now)
