"""Fail import jobs whose server stopped mid-way and purge uploaded files past retention."""

from django.core.management.base import BaseCommand

from shezhi.imports import services


class Command(BaseCommand):
    help = "将中断的导入任务标记为未导入，并删除过期的上传文件"

    def handle(self, *args, **options) -> None:
        failed, purged = services.import_jobs_sweep()
        self.stdout.write(f"failed {failed} purged {purged}")
