"""`shezhi backup_state`: rows per table, the audit log's digest and the proofs that verify, as
JSON — what the backup drill compares before the database is destroyed and after the restore."""

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shezhi.backups.state import database_state, proof_failures, restore_events


class Command(BaseCommand):
    help = "Print the database's state (row counts, audit digest, verified proofs) as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--without-restores",
            action="store_true",
            help="leave out the audit events `shezhi restore` writes (the drill compares so)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        data = asdict(database_state(without_restores=options["without_restores"]))
        data["proof_failures"] = proof_failures()
        data["restores"] = restore_events().count()
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True))
