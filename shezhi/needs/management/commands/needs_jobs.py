"""Tell social workers about needs near or past their deadlines, then send the queue (the task
needs.deadlines, scheduled in SHEZHI_SCHEDULE). For cron without the scheduler: `shezhi
needs_jobs` every few minutes. Running it twice tells nobody twice."""

from django.core.management.base import BaseCommand

from shezhi.needs.tasks import deadlines


class Command(BaseCommand):
    help = "提醒社工即将超时和已超时的需求"

    def handle(self, *args, **options) -> None:
        self.stdout.write(deadlines())
