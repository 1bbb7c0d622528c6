"""A low-level hook that keeps aggregate tables (rollups) current as records change.

Domain code cannot import the app that owns the rollups (figures sits above every domain app),
so the domains call this module and the figures app registers what to do:

- `rollups_touch(source, unit_id, day)`: the bucket (unit, day) of `source` (a measure code or a
  name a handler knows) may have changed in this transaction.
- `rollups_touch_rows(model_label, ids)`: these rows are about to change (or were just created);
  call it BEFORE a queryset `.update()` or a raw write so that the buckets the rows sit in now
  are known; the buckets they sit in after the change are read again on commit. Saves and deletes
  through the ORM need no call: figures connects `pre_save`/`post_save`/`pre_delete` for the
  models it counts and calls this itself.

Touches are collected per transaction (per database connection) and handed to the registered
handlers once, after commit (`transaction.on_commit`): the record change is never held back by
the rollups, and a bucket touched a hundred times in one transaction is re-derived once. A
touch outside a transaction is handed over at once. If the process dies between the commit and
the re-derivation the nightly reconciliation (figures) finds and fixes the drift.
"""

import logging
import threading
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction

log = logging.getLogger("shezhi.rollups")

Bucket = tuple[str, int, date]  # (source, unit id, day)
# Handlers: one for buckets, and one that turns touched rows into a snapshot to compare on commit.
BucketHandler = Callable[[set[Bucket]], None]
RowsBefore = Callable[[str, list[Any]], dict[int, Any]]
RowsAfter = Callable[[str, dict[int, Any]], set[Bucket]]

_handlers: dict[str, Any] = {}
_state = threading.local()


def register(*, buckets: BucketHandler, rows_before: RowsBefore, rows_after: RowsAfter) -> None:
    """Called once by the app that owns the rollups (figures, in AppConfig.ready)."""
    _handlers.update(buckets=buckets, rows_before=rows_before, rows_after=rows_after)


def enabled() -> bool:
    return bool(_handlers) and not getattr(_state, "paused", False)


class paused:
    """`with rollups.paused():` — writes inside are not tracked (bulk loads that rebuild the
    rollups afterwards, e.g. the demo seeder or a benchmark's fixture)."""

    def __enter__(self) -> None:
        self.before = getattr(_state, "paused", False)
        _state.paused = True

    def __exit__(self, *exc: object) -> None:
        _state.paused = self.before


def _pending(using: str) -> dict[str, Any] | None:
    """The touches collected on this thread's connection, with a flush due on commit; None
    outside a transaction. The flush is registered again with each touch (so that it also runs
    inside a test's captured callbacks); the first run takes everything, later runs find nothing."""
    conn = connections[using]
    if not conn.in_atomic_block:
        return None
    store: dict[str, dict[str, Any]] = getattr(_state, "pending", None) or {}
    _state.pending = store
    entry = store.get(using)
    if entry is None:
        entry = {"buckets": set(), "rows": {}}

        def flush(entry: dict[str, Any] = entry) -> None:
            taken = {"buckets": entry["buckets"], "rows": entry["rows"]}
            entry["buckets"], entry["rows"] = set(), {}
            if taken["buckets"] or taken["rows"]:
                _flush(taken)

        entry["flush"] = flush
        store[using] = entry
    transaction.on_commit(entry["flush"], using=using)
    return entry


def _flush(entry: dict[str, Any]) -> None:
    buckets: set[Bucket] = set(entry["buckets"])
    try:
        for label, befores in entry["rows"].items():
            buckets |= _handlers["rows_after"](label, befores)
        if buckets:
            _handlers["buckets"](buckets)
    except Exception:  # the records are committed; reconciliation repairs the rollups
        log.exception("rollups: re-deriving %d buckets failed", len(buckets))


def rollups_touch(source: str, unit_id: int | None, day: date | None) -> None:
    """Mark one bucket for re-derivation after commit (ignored when unit or day is unknown)."""
    if not enabled() or unit_id is None or day is None:
        return
    bucket = (source, int(unit_id), day)
    entry = _pending(DEFAULT_DB_ALIAS)
    if entry is None:
        _handlers["buckets"]({bucket})
    else:
        entry["buckets"].add(bucket)


def rollups_touch_rows(model_label: str, rows: Iterable[Any], *, created: bool = False) -> None:
    """These rows of `model_label` ("needs.Need") change in this transaction: remember where
    they are counted now, and look again on commit. `rows` are ids, or model instances as loaded
    (their state at loading is used, without a query). Call it before a queryset `.update()`,
    or after a `bulk_create` with created=True."""
    if not enabled():
        return
    items = {(row if isinstance(row, int) else row.pk): row for row in rows}
    items.pop(None, None)  # type: ignore[call-overload]
    entry = _pending(DEFAULT_DB_ALIAS)
    if entry is not None:
        known = entry["rows"].get(model_label, {})
        items = {pk: row for pk, row in items.items() if pk not in known}
    if not items:
        return
    if created:
        remember_rows(model_label, dict.fromkeys(items))
    else:
        remember_rows(model_label, _handlers["rows_before"](model_label, list(items.values())))


def remember_rows(model_label: str, befores: dict[int, Any]) -> None:
    """Record rows' state before the change as the handler describes it (the first one known
    in a transaction is kept); handed to the handler again on commit."""
    if not enabled() or not befores:
        return
    entry = _pending(DEFAULT_DB_ALIAS)
    if entry is None:
        buckets = _handlers["rows_after"](model_label, befores)
        if buckets:
            _handlers["buckets"](buckets)
        return
    rows = entry["rows"].setdefault(model_label, {})
    for pk, before in befores.items():
        rows.setdefault(pk, before)
