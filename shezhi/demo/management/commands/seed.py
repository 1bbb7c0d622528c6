"""`shezhi seed --scale demo --seed 2026 [--if-empty] [--reset]`: load a demo community."""

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from shezhi.core import rollups
from shezhi.demo import seeding
from shezhi.figures.reconcile import figures_reconcile
from shezhi.needs.workflow import STATUS_LABELS, Status


class Command(BaseCommand):
    help = "生成确定性的演示社区数据（同一种子生成相同数据）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(seeding.SCALES), default="demo")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--if-empty", action="store_true", help="数据库已有组织架构时什么也不做"
        )
        parser.add_argument(
            "--reset", action="store_true", help="先删除现有的全部业务数据和账号（慎用）"
        )

    def handle(self, *args, scale: str, seed: int, if_empty: bool, reset: bool, **options):
        if not seeding.is_empty():
            if if_empty:
                self.stdout.write("数据库中已有数据，跳过演示数据生成。")
                return
            if not reset:
                raise CommandError("数据库中已有数据；如需重建请加 --reset（将删除全部现有数据）")
            seeding.wipe()
        started = time.monotonic()
        # The figures' rollups are built once at the end, not re-derived after every commit.
        with rollups.paused():
            result = seeding.seed(scale=scale, seed=seed, log=self.stdout.write)
        figures_reconcile(fix=True)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics, or SQLite may ignore the ledger indexes
        elapsed = time.monotonic() - started
        by_status = "，".join(
            f"{STATUS_LABELS[s]} {result['needs_by_status'].get(s.value, 0)}" for s in Status
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据已生成（{scale}，种子 {seed}，用时 {elapsed:.1f} 秒）：\n"
                f"  组织单元 {result['org_units']}（社区 {result['communities']}、"
                f"小区 {result['compounds']}、网格 {result['grids']}），"
                f"社工站点 {result['stations']}\n"
                f"  居民 {result['residents']}（{result['households']} 户），"
                f"志愿者 {result['volunteers']}，服务队 {result['teams']}，"
                f"账号 {result['users']}\n"
                f"  需求 {result['needs']}：{by_status}；服务记录 {result['service_records']}\n"
                f"  关爱档案 {result['care_profiles']}，走访记录 {result['care_visits']}，"
                f"待处理关爱预警 {result['care_alerts_open']}"
            )
        )
