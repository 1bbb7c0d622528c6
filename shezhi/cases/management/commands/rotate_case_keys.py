"""Re-encrypt every encrypted case-file field with the current (first) key.

Rotation: put the new key first in SHEZHI_CASE_KEYS (keep the old ones after it), run this,
then remove the old keys.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shezhi.cases.crypto import CaseKeyError
from shezhi.cases.keys import rotate_all


class Command(BaseCommand):
    help = "用当前密钥重新加密全部个案敏感字段（密钥轮换）"

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = rotate_all()
        except CaseKeyError as exc:
            raise CommandError(str(exc)) from None
        for label, n in counts.items():
            self.stdout.write(f"{label}: {n}")
        self.stdout.write(self.style.SUCCESS(f"已重新加密 {sum(counts.values())} 个字段值"))
