"""Remove personal data past its retention period and print what was done (the task
privacy.retention, daily in SHEZHI_SCHEDULE)."""

from django.core.management.base import BaseCommand

from shezhi.privacy.tasks import retention


class Command(BaseCommand):
    help = "按保存期限删除到期的个人信息，并报告处理结果"

    def handle(self, *args, **options) -> None:
        self.stdout.write(retention())
