from django.core.management.base import BaseCommand

from shezhi.needs.titles import need_titles_backfill


class Command(BaseCommand):
    help = "重新生成被截断在词中间的需求标题（只处理旧规则自动截取的标题）"

    def handle(self, *args, **options):
        n = need_titles_backfill()
        self.stdout.write(f"已更新 {n} 条需求标题")
