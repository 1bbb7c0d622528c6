"""Send the reminders before activities, then the notification queue (the task
activities.reminders, scheduled in SHEZHI_SCHEDULE). For cron without the scheduler:
`shezhi activity_reminders` every few minutes. Running it twice sends nothing twice."""

from django.core.management.base import BaseCommand

from shezhi.activities.tasks import reminders


class Command(BaseCommand):
    help = "发送志愿活动开始前的提醒"

    def handle(self, *args, **options) -> None:
        self.stdout.write(reminders())
