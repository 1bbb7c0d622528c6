"""Print the settings reference (docs/settings.md): every knob settings.py declares, as a table.

Regenerate the checked-in copies after adding or changing a knob:
`shezhi settings_reference > docs/settings.md` and
`shezhi settings_reference --env > deploy/shezhi.env` (the operator's environment file)."""

from typing import Any

from django.core.management.base import BaseCommand

from shezhi.core.knobs import env_template, reference_document


class Command(BaseCommand):
    help = "Print the Markdown settings reference generated from the knobs in settings.py."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--env", action="store_true", help="Print the environment file template instead."
        )

    def handle(self, *args: Any, env: bool = False, **options: Any) -> None:
        self.stdout.write(env_template() if env else reference_document(), ending="")
