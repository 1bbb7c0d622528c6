"""Compare the figures' rollup tables with the domain tables and fix any drift.

Scheduled nightly in SHEZHI_SCHEDULE (`shezhi figures_reconcile`); also builds the rollups from
scratch after a bulk load or a restore. `--check` only reports (exit status 1 on drift)."""

from django.core.management.base import BaseCommand, CommandError

from shezhi.figures.reconcile import figures_reconcile


class Command(BaseCommand):
    help = "核对统计汇总表与业务数据，发现偏差时修正（--check 只报告）"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--check", action="store_true", help="只报告偏差，不修正")

    def handle(self, *args, **options) -> None:
        drift = figures_reconcile(fix=not options["check"])
        report = drift.as_dict()
        self.stdout.write(
            f"checked {report['checked_buckets']} buckets in {report['seconds']} s, "
            f"drifted {report['drifted_buckets']} {report['by_measure']}"
            + (", fixed" if drift.fixed and drift.total else "")
        )
        if options["check"] and drift.total:
            raise CommandError("统计汇总表与业务数据不一致")
