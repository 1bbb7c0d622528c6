"""Print the settings reference (docs/settings.md): every knob settings.py declares, as a table.

Regenerate the checked-in copy after adding or changing a knob:
`shezhi settings_reference > docs/settings.md`."""

from typing import Any

from django.core.management.base import BaseCommand

from shezhi.core.knobs import reference_document


class Command(BaseCommand):
    help = "Print the Markdown settings reference generated from the knobs in settings.py."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(reference_document(), ending="")
