"""Send the reminders before activities, then the notification queue. Schedule it (cron or a
task queue) every few minutes: `shezhi activity_reminders`. Running it twice sends nothing twice."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from shezhi.activities.notices import reminders_send
from shezhi.notifications.services import deliver_pending


class Command(BaseCommand):
    help = "发送志愿活动开始前的提醒"

    def handle(self, *args, **options) -> None:
        made = reminders_send(now=timezone.now())
        result = deliver_pending()
        self.stdout.write(f"reminders {made}, sent {result.sent}, failed {result.failed}")
