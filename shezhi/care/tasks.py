"""The care app's background work as tasks (shezhi/core/tasks.py)."""

from django.utils import timezone

from shezhi.care.jobs import alerts_escalate, needs_scan, overdue_compute
from shezhi.core.tasks import task


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
