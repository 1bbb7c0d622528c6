"""Run queued import jobs (for deployments with SHEZHI_TASKS_INLINE=0, e.g. from cron)."""

from django.core.management.base import BaseCommand

from shezhi.imports import services


class Command(BaseCommand):
    help = "运行排队中的导入任务"

    def handle(self, *args, **options) -> None:
        for job in services.import_jobs_run_pending():
            self.stdout.write(f"{job.pk} {job.status} {job.imported_rows}/{job.total_rows}")
