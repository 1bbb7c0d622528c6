"""Removing a person's identifiers from stored text and JSON (pure; no Django import).

A deleted resident's name, ID number and phone may sit inside free text that others wrote (a
visit note, an audit summary, a need's description). `scrub_text` replaces each occurrence with a
mask; `scrub_json` does the same in every string of a JSON value, keys included."""

from collections.abc import Iterable
from typing import Any

MASK = "***"
MIN_NAME_CHARS = 2  # a one-character "name" would cut holes into unrelated text


def needles(name: str, id_number: str, phone: str) -> tuple[str, ...]:
    """The strings to remove, longest first (so an ID number is masked whole, not in part);
    blanks and one-character names are left out. An ID number's final X is matched either way."""
    found: set[str] = set()
    if len(name.strip()) >= MIN_NAME_CHARS:
        found.add(name.strip())
    if id_number.strip():
        found |= {id_number.strip().upper(), id_number.strip().lower()}
    if phone.strip():
        found.add(phone.strip())
    return tuple(sorted(found, key=lambda s: (-len(s), s)))


def scrub_text(text: str, targets: Iterable[str]) -> str:
    for target in targets:
        if target and target in text:
            text = text.replace(target, MASK)
    return text


def scrub_json(value: Any, targets: Iterable[str]) -> Any:
    targets = tuple(targets)
    if isinstance(value, str):
        return scrub_text(value, targets)
    if isinstance(value, list):
        return [scrub_json(v, targets) for v in value]
    if isinstance(value, dict):
        return {scrub_text(str(k), targets): scrub_json(v, targets) for k, v in value.items()}
    return value


def contains(value: Any, targets: Iterable[str]) -> bool:
    """Whether any target occurs in a text or anywhere in a JSON value."""
    targets = tuple(targets)
    if isinstance(value, str):
        return any(t and t in value for t in targets)
    if isinstance(value, list):
        return any(contains(v, targets) for v in value)
    if isinstance(value, dict):
        return any(contains(str(k), targets) or contains(v, targets) for k, v in value.items())
    return False
