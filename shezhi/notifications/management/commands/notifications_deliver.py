"""Send queued notifications (for deployments with SHEZHI_TASKS_INLINE=0, e.g. from cron, and to
retry transient failures): `shezhi notifications_deliver`."""

from django.core.management.base import BaseCommand

from shezhi.notifications.services import deliver_pending


class Command(BaseCommand):
    help = "发送排队中的通知"

    def handle(self, *args, **options) -> None:
        result = deliver_pending()
        self.stdout.write(f"sent {result.sent}, failed {result.failed}, retrying {result.retrying}")
