"""Run the care jobs once: triage of new needs and ratings, overdue computation, then escalation
of unacknowledged alerts.

Schedule it (cron or a task queue) every minute: `shezhi care_jobs`.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from shezhi.care.jobs import alerts_escalate, needs_scan, overdue_compute


class Command(BaseCommand):
    help = "计算走访逾期并升级超时未确认的预警"

    def handle(self, *args, **options) -> None:
        now = timezone.now()
        crises = needs_scan(now=now)
        result = overdue_compute(now=now)
        escalated = alerts_escalate(now=now)
        self.stdout.write(
            f"overdue +{result.overdue_opened}/-{result.overdue_closed}, "
            f"no contact +{result.no_contact_opened}/-{result.no_contact_closed}, "
            f"crisis alerts from needs {crises}, escalated {escalated}"
        )
