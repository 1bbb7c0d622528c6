"""Triage: scanning free text for danger signals and alerting the responsible social worker."""

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from shezhi.accounts.models import User
from shezhi.care import triage
from shezhi.care.models import (
    CareAlert,
    ContactAssignment,
    LexiconEntry,
)
from shezhi.care.services.common import (
    community_social_worker,
    crisis_ack_minutes,
)
from shezhi.core import audit
from shezhi.core.models import AuditEvent
from shezhi.notifications.models import Notification
from shezhi.notifications.services import notify
from shezhi.notifications.texts import render
from shezhi.org.models import Level, OrgUnit
from shezhi.people.models import Resident

log = logging.getLogger(__name__)


def lexicon() -> list[triage.Entry]:
    """The built-in lexicon plus the active admin entries that pass validation."""
    entries = list(triage.DEFAULT_LEXICON)
    for row in LexiconEntry.objects.filter(is_active=True):
        try:
            entries.append(triage.validate_entry(row.as_entry()))
        except (triage.LexiconError, ValueError):
            log.error("Skipping invalid lexicon entry #%s", row.pk)
    return entries


def responsible_social_worker(resident: Resident | None, community_id: int) -> User | None:
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
    return community_social_worker(community_id)


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
        assigned_to=responsible_social_worker(resident, community_id),
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
