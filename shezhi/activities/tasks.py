"""The activities app's background work as tasks (shezhi/core/tasks.py)."""

from django.utils import timezone

from shezhi.activities.notices import reminders_send
from shezhi.core.tasks import task
from shezhi.notifications.services import deliver_pending


# Scheduled every few minutes (SHEZHI_SCHEDULE "activities.reminders"). Idempotent: a reminder
# carries a dedupe key (activity, lead time, start), so a repeated run reminds nobody twice.
@task("activities.reminders", max_attempts=1)
def reminders() -> str:
    """Remind confirmed volunteers before their activities start, then send what is queued (for
    deployments that do not queue deliveries, SHEZHI_TASKS_INLINE off)."""
    made = reminders_send(now=timezone.now())
    result = deliver_pending()
    return f"reminders {made}, sent {result.sent}, failed {result.failed}"
