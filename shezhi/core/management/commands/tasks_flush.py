"""Hand over queued task runs that never reached a runner (the broker was down, the process
restarted), retries that are due and runs whose runner died; delete old finished runs.

The task core.flush, scheduled in SHEZHI_SCHEDULE (run_scheduler or Celery beat): `shezhi
tasks_flush` runs it once."""

from django.core.management.base import BaseCommand

from shezhi.core import tasks


class Command(BaseCommand):
    help = "发送积压在数据库中的后台任务，并清理过期的任务记录"

    def handle(self, *args, **options) -> None:
        self.stdout.write(tasks.flush_task())
