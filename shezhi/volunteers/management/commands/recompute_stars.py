"""`shezhi recompute_stars`: recompute every volunteer's verified hours and star level in bulk."""

import time

from django.core.management.base import BaseCommand

from shezhi.volunteers.stars import stars_recompute


class Command(BaseCommand):
    help = "按各区域规则批量重算志愿者有效时长和星级"

    def handle(self, *args, **options):
        started = time.perf_counter()
        result = stars_recompute()
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"已重算 {result.volunteers} 名志愿者的星级（有效时长变化 {result.hours_changed} 人，"
            f"星级变化 {result.stars_changed} 人），用时 {elapsed:.1f} 秒"
        )
