"""Tell social workers about needs near or past their deadlines, then send the queue.

Schedule it every few minutes (SHEZHI_SCHEDULE or cron): `shezhi needs_jobs`. Running it twice
tells nobody twice."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from shezhi.needs.notices import deadlines_check
from shezhi.notifications.services import deliver_pending


class Command(BaseCommand):
    help = "提醒社工即将超时和已超时的需求"

    def handle(self, *args, **options) -> None:
        made = deadlines_check(now=timezone.now())
        result = deliver_pending()
        self.stdout.write(f"deadline notices {made}, sent {result.sent}, failed {result.failed}")
