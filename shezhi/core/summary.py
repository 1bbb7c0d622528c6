"""Short titles from free text, cut only between words (no Django import).

A need's title is shown in the ledger, on order cards, in hour records and messages; the text
behind it may run to 2,000 characters. Cutting it at a fixed count leaves half a word
("…去武汉市第一"), so the title is built from whole words (jieba's segmentation): whole clauses
while they fit, else whole words, trailing punctuation removed, and "…" added only when text was
left out — and then always after a complete word.

jieba is imported and its dictionary loaded on first use only, quietly, in a private Tokenizer.
"""

import importlib
import logging
import re
import threading
from typing import Any

TITLE_CHARS = 20
ELLIPSIS = "…"

_SPACES = re.compile(r"\s+")
# Punctuation that never ends a title: clause and sentence marks, dashes, opening brackets/quotes.
_TRAILING = "，。、；：！？,.;:!?…—-~～·/\\（(【[「『《<“‘\"' "
# Marks that close a clause: a cut just after one keeps whole clauses.
_CLAUSE_END = set("，。；！？,;!?\n")

_lock = threading.Lock()
_tokenizer: Any = None


def _jieba() -> Any:
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba = importlib.import_module("jieba")
                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                _tokenizer = tokenizer
    return _tokenizer


def words(text: str) -> list[str]:
    """The text split into words (Chinese by jieba; Latin words and numbers stay whole)."""
    return [t for t in _jieba().lcut(text, HMM=True) if t]


def clean(text: str) -> str:
    """One line: runs of white space become one space; the ends trimmed."""
    return _SPACES.sub(" ", text or "").strip()


def strip_trailing(text: str) -> str:
    return text.rstrip(_TRAILING)


def summarise(text: str, limit: int = TITLE_CHARS) -> str:
    """A title of at most `limit` characters (the "…" included) from `text`, cut between words.

    Whole clauses are kept when at least half the room is used by them; otherwise as many whole
    words as fit. A single word longer than the room (a long number, a URL) is the only thing
    ever cut inside.
    """
    if limit < 2:
        raise ValueError("limit must be at least 2")
    text = clean(text)
    if len(strip_trailing(text)) <= limit:
        return strip_trailing(text)
    room = limit - len(ELLIPSIS)
    kept: list[str] = []
    used = 0
    clause_cut = 0  # words kept up to the end of the last whole clause that fits
    for word in words(text):
        if used + len(word) > room:
            break
        kept.append(word)
        used += len(word)
        if word[-1] in _CLAUSE_END:
            clause_cut = len(kept)
    if clause_cut and len("".join(kept[:clause_cut])) * 2 >= room:
        kept = kept[:clause_cut]
    head = strip_trailing("".join(kept))
    if not head:  # the first word alone is longer than the room
        head = strip_trailing(text[:room]) or text[:room]
    return head + ELLIPSIS
