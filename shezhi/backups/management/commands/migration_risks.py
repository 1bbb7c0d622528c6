"""`shezhi migration_risks [--new]`: migration operations that would rewrite or lock a large
table for long on PostgreSQL (read before an upgrade; see docs/operations.md)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shezhi.backups.migration_risks import find_risks, read_baseline


class Command(BaseCommand):
    help = "List migration operations that would rewrite or lock an existing table for long."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--new",
            action="store_true",
            help="only those not in the reviewed baseline (shezhi/backups/migration_baseline.txt)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        baseline = read_baseline() if options["new"] else set()
        for risk in find_risks():
            if risk.key not in baseline:
                self.stdout.write(str(risk))
