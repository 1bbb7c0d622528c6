"""The care app's background work as tasks (shezhi/core/tasks.py)."""

from django.utils import timezone

from shezhi.care.jobs import alerts_escalate, needs_scan, overdue_compute
from shezhi.care.services.scanning import scan_text
from shezhi.core.signals import read_free_text
from shezhi.core.tasks import task
from shezhi.org.models import OrgUnit
from shezhi.people.models import Resident


# Scheduled every minute (SHEZHI_SCHEDULE "care.jobs"); one attempt: the next turn is the retry.
# Idempotent: the needs scan reads past a watermark and skips texts that opened an alert,
# overdue alerts open and close by condition, an alert escalates once (a conditional update).
@task("care.jobs", max_attempts=1)
def jobs() -> str:
    """Triage of new needs and ratings (the safety net of care.triage), overdue visits, then
    escalation of crisis alerts not acknowledged in time."""
    now = timezone.now()
    crises = needs_scan(now=now)
    result = overdue_compute(now=now)
    escalated = alerts_escalate(now=now)
    return (
        f"overdue +{result.overdue_opened}/-{result.overdue_closed}, "
        f"no contact +{result.no_contact_opened}/-{result.no_contact_closed}, "
        f"crisis alerts from needs {crises}, escalated {escalated}"
    )


# Atomic: the alert (with its notice, an outbox row too) and the run's done mark commit together,
# so a run repeated after a worker died opens the alert once. Retried: an alert must not be lost
# to a passing database error; the care.jobs scan is the net beneath for needs and ratings.
@task("care.triage", max_attempts=5, backoff_seconds=10, atomic=True)
def triage(
    *, source_type: str, source_id: str, resident_id: int | None, community_id: int | None
) -> str:
    """Scan a stored free text for danger signals; a signal opens a crisis alert."""
    text = read_free_text(source_type, source_id)
    if not text:
        return "text gone"
    alert = scan_text(
        actor=None,
        text=text,
        source_type=source_type,
        source_id=source_id,
        resident=Resident.objects.filter(pk=resident_id).first() if resident_id else None,
        community=OrgUnit.objects.filter(pk=community_id).first() if community_id else None,
    )
    return f"crisis alert #{alert.pk}" if alert else "no signal"
