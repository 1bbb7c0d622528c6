"""`shezhi backup [--to DIR] [--prune]`: a verified backup of the database and uploaded files."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shezhi.backups.services import BackupError, backup_create, backup_prune, backup_verify


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump custom format, or SQLite's online backup) and the "
        "uploaded files into a new folder with a manifest of SHA-256 checksums."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", type=Path, help="parent folder (default SHEZHI_BACKUP_DIR)")
        parser.add_argument(
            "--prune",
            action="store_true",
            help="then delete older backups the SHEZHI_BACKUP_KEEP_* knobs do not keep",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            folder = backup_create(into=options["to"])
            found = backup_verify(folder=folder)  # read back what was written
            pruned = backup_prune(within=options["to"]) if options["prune"] else []
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(found.state.tables.values())
        self.stdout.write(
            f"备份完成：{folder}\n"
            f"  {len(found.state.tables)} 张表，{rows} 行；{found.state.proofs} 份证明；"
            f"{len(found.files) - 1} 个上传文件（{found.media}）"
        )
        for path in pruned:
            self.stdout.write(f"  按保留规则删除旧备份：{path}")
