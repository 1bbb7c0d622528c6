"""Remove personal data past its retention period and print what was done (run daily)."""

from django.core.management.base import BaseCommand

from shezhi.privacy.retention import retention_run


class Command(BaseCommand):
    help = "按保存期限删除到期的个人信息，并报告处理结果"

    def handle(self, *args, **options) -> None:
        run = retention_run()
        lines = [f"{k}: {v}" for k, v in run.report.items()]
        self.stdout.write(
            f"保存期限清理 #{run.pk}，共处理 {run.total} 条（" + "；".join(lines) + "）"
        )
