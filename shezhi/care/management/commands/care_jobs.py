"""Run the care jobs once (the task care.jobs, scheduled every minute in SHEZHI_SCHEDULE):
triage of new needs and ratings, overdue computation, then escalation of unacknowledged alerts.

For cron without the scheduler: `shezhi care_jobs` every minute.
"""

from django.core.management.base import BaseCommand

from shezhi.care.tasks import jobs


class Command(BaseCommand):
    help = "计算走访逾期并升级超时未确认的预警"

    def handle(self, *args, **options) -> None:
        self.stdout.write(jobs())
