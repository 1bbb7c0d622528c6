"""Resume import jobs whose worker stopped mid-way (fail them after too many interruptions) and
purge uploaded files past retention."""

from django.core.management.base import BaseCommand

from shezhi.imports.tasks import sweep


class Command(BaseCommand):
    help = "继续运行中断的导入任务（多次中断则标记为未导入），并删除过期的上传文件"

    def handle(self, *args, **options) -> None:
        self.stdout.write(sweep())
