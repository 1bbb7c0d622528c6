"""Signals that let lower apps announce events to the apps above them without importing them."""

import logging
from collections.abc import Callable

from django.dispatch import Signal

log = logging.getLogger(__name__)

# Free text a person entered (a need's description, a rating's comment …), sent inside the
# transaction that stores it. Receivers get: source_type ("needs.need"), source_id, text,
# resident_id (or None), community_id (or None), and only queue work (a task run, written with
# the caller's transaction and run after commit): crisis triage listens (shezhi.care).
free_text_saved = Signal()

# source_type → a function reading that text again by source_id (None when it is gone): a task
# carries ids, never the text itself, and reads it when it runs.
_readers: dict[str, Callable[[str], str | None]] = {}


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
    free_text_saved.send(
        sender=sender,
        source_type=source_type,
        source_id=source_id,
        text=text,
        resident_id=resident_id,
        community_id=community_id,
    )


def register_free_text_reader(source_type: str, reader: Callable[[str], str | None]) -> None:
    """The app that stores texts of source_type says how to read one (in AppConfig.ready)."""
    _readers[source_type] = reader


def read_free_text(source_type: str, source_id: str) -> str | None:
    """The stored text of a source, None when it is gone; LookupError for an unknown source."""
    try:
        reader = _readers[source_type]
    except KeyError:
        raise LookupError(f"no reader registered for free text of {source_type!r}") from None
    return reader(source_id)
