"""Signals that let lower apps announce events to the apps above them without importing them."""

from django.db import transaction
from django.dispatch import Signal

# Free text a person entered (a need's description, a rating's comment …), sent once the
# transaction that stored it commits. Receivers get: source_type ("needs.need"), source_id,
# text, resident_id (or None), community_id (or None). Crisis triage listens (shezhi.care).
free_text_saved = Signal()


def announce_free_text(
    *,
    sender: type,
    source_type: str,
    source_id: str,
    text: str,
    resident_id: int | None,
    community_id: int | None,
) -> None:
    if not (text or "").strip():
        return
    transaction.on_commit(
        lambda: free_text_saved.send(
            sender=sender,
            source_type=source_type,
            source_id=source_id,
            text=text,
            resident_id=resident_id,
            community_id=community_id,
        )
    )
