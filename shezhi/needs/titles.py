"""Backfill of need titles cut mid-word by the old rule (the description's first 20 characters)."""

from django.db import transaction

from shezhi.core import summary
from shezhi.needs.models import Need

BATCH = 1000
OLD_CUT = 20


def need_titles_backfill() -> int:
    """Re-title needs whose title is the old fixed cut of a longer description; titles typed by
    a person are left alone. Safe to run again: returns how many titles changed."""
    changed = 0
    last = 0
    while True:
        batch = list(
            Need.objects.filter(pk__gt=last)
            .order_by("pk")
            .only("pk", "title", "description")[:BATCH]
        )
        if not batch:
            return changed
        last = batch[-1].pk
        fixed = []
        for need in batch:
            text = need.description.strip()
            if len(text) > OLD_CUT and need.title == text[:OLD_CUT].strip():
                need.title = summary.summarise(text)
                fixed.append(need)
        with transaction.atomic():
            Need.objects.bulk_update(fixed, ["title"])
        changed += len(fixed)
