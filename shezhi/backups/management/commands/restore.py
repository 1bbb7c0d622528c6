"""`shezhi restore FOLDER [--force]`: restore a backup, after verifying every checksum."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shezhi.backups.services import BackupError, backup_restore, backup_verify


class Command(BaseCommand):
    help = (
        "Restore a backup made by `shezhi backup`: checksums are verified first; a database "
        "that already holds data is refused unless --force; afterwards row counts, the audit "
        "log and every proof's signature are checked against the manifest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)
        parser.add_argument(
            "--force", action="store_true", help="overwrite a database that holds data"
        )
        parser.add_argument(
            "--verify-only", action="store_true", help="only check the backup's files"
        )
        parser.add_argument(
            "--by",
            default="",
            metavar="USERNAME",
            help="the platform account of the admin who restores (written to the audit log "
            "with the server account running the command)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = options["folder"]
        try:
            if options["verify_only"]:
                found = backup_verify(folder=folder)
                self.stdout.write(f"备份校验通过：{folder}（{len(found.files)} 个文件）")
                return
            result = backup_restore(folder=folder, force=options["force"], by=options["by"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        state = result.state
        self.stdout.write(
            f"恢复完成并核对通过：{folder}\n"
            f"  {len(state.tables)} 张表，{sum(state.tables.values())} 行；审计日志一致；"
            f"{state.proofs} 份证明签名有效；{result.media_files} 个上传文件\n"
            "  本次恢复（操作人、时间、备份）已记入审计日志\n"
            "  如代码版本比备份新，请接着运行 shezhi migrate"
        )
