"""Keeping the rollup tables current: which rows a measure counts, where (unit, day) they sit
before and after a change, and re-deriving the buckets they touch.

The domain tables are tracked through `core/rollups.py`: ORM saves and deletes of every model a
measure reads are seen through signals (connected in `FiguresConfig.ready`); queryset updates are
announced by the services with `rollups_touch_rows` before they run. On commit each changed row
yields the buckets it sat in before and sits in now, for its own measures and for the measures
that read it through a relation (an activity's status counts its attendances); each bucket is
then re-derived from the domain tables with the measure's one definition (`raw_buckets`).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.db.models import F, Model, Q
from django.db.models.signals import post_delete, post_init, post_save, pre_delete
from django.utils import timezone

from shezhi.core import rollups as hook
from shezhi.figures.measures import MEASURES, Measure, Part, raw_buckets
from shezhi.figures.models import FigureBucket, FigureMember

Bucket = tuple[str, int, date]  # (measure code, unit id, day)
SNAPSHOT = "_figures_before"


@dataclass(frozen=True)
class Reader:
    """A measure part that reads rows of a tracked model: directly (`via` == "") or through the
    relation `via` from the part's model to the tracked one."""

    measure: Measure
    part: Part
    via: str = ""
    fields: frozenset[str] = frozenset()  # the tracked model's fields that change its count


def _lookups(q: Q) -> list[str]:
    out: list[str] = []
    for child in q.children:
        if isinstance(child, Q):
            out += _lookups(child)
        else:
            lookup, value = child
            out.append(lookup)
            if hasattr(value, "name"):  # F("resolve_by")
                out.append(value.name)
    return out


def _paths(part: Part) -> list[str]:
    """Every field path the part's definition reads."""
    where = part.where if isinstance(part.where, Q) else Q()
    paths = [*part.units, part.day, *(path for _, path in part.keys), *_lookups(where)]
    if part.value and part.value[0].isalpha() and part.value != "1":
        paths.append(part.value)
    if part.value and part.value.startswith("-"):
        paths.append(part.value[1:])
    if part.value == "@ack_seconds":
        paths += ["created_at", "acknowledged_at"]
    return paths


def _attname(model: type[Model], name: str) -> str | None:
    try:
        field = model._meta.get_field(name)
    except Exception:
        return None
    if not getattr(field, "concrete", False):
        return None
    return str(field.attname)


def _local_fields(model: type[Model], paths: Iterable[str], prefix: str = "") -> set[str]:
    out = set()
    for path in paths:
        if prefix:
            if not path.startswith(prefix + "__"):
                continue
            path = path[len(prefix) + 2 :]
        name = _attname(model, path.split("__")[0])
        if name:
            out.add(name)
    return out


class Tracking:
    """What is tracked, built once from the measures."""

    def __init__(self) -> None:
        self.readers: dict[str, list[Reader]] = defaultdict(list)
        self.fields: dict[str, set[str]] = defaultdict(set)
        for measure in MEASURES.values():
            for part in measure.parts:
                model = apps.get_model(part.model)
                own = frozenset(_local_fields(model, _paths(part)))
                self.readers[part.model].append(Reader(measure, part, "", own))
                self.fields[part.model] |= own
                for label, via, extra in part.via:
                    target = apps.get_model(label)
                    theirs = frozenset(_local_fields(target, _paths(part), via) | set(extra))
                    self.readers[label].append(Reader(measure, part, via, theirs))
                    self.fields[label] |= theirs
        for label in self.readers:
            self.fields[label].add("id")

    def models(self) -> list[type[Model]]:
        return [apps.get_model(label) for label in self.readers]


_tracking: Tracking | None = None


def tracking() -> Tracking:
    global _tracking
    if _tracking is None:
        _tracking = Tracking()
    return _tracking


def _day(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value  # type: ignore[no-any-return]


def _place(part: Part, row: dict[str, Any], path_of: dict[str, str]) -> tuple[int, date] | None:
    """(unit id, day) of a row given the values of the part's paths (renamed by path_of)."""
    unit = next((row[path_of[u]] for u in part.units if row.get(path_of[u]) is not None), None)
    day = _day(row.get(path_of[part.day]))
    if unit is None or day is None:
        return None
    return int(unit), day


def _placements(
    reader: Reader, pks: list[int], befores: dict[int, Any] | None = None
) -> set[Bucket]:
    """Buckets the reader's rows sit in now (and, given the tracked rows' snapshots from before
    the change, where they sat before: a moved record leaves its old bucket too)."""
    part = reader.part
    model = apps.get_model(part.model)
    rel = f"{reader.via}__in" if reader.via else "pk__in"
    paths = [*part.units, part.day]
    cols = {p: f"c{i}" for i, p in enumerate(paths)}
    anchor = reader.via or "pk"
    rows = model._default_manager.filter(**{rel: pks}).values(
        a=_path_value(anchor), **{c: _path_value(p) for p, c in cols.items()}
    )
    out: set[Bucket] = set()
    for row in rows:
        spot = _place(part, row, cols)
        if spot:
            out.add((reader.measure.code, *spot))
        before = (befores or {}).get(row["a"])
        if before and before.get("local"):
            old = dict(row)
            for path, col in cols.items():
                name = _before_name(model, reader, path)
                if name and name in before["local"]:
                    old[col] = before["local"][name]
            spot = _place(part, old, cols)
            if spot:
                out.add((reader.measure.code, *spot))
    return out


def _path_value(path: str) -> Any:
    return F(path)


def _before_name(model: type[Model], reader: Reader, path: str) -> str | None:
    """The tracked row's attname holding `path`'s value, when the path is one of its own fields."""
    target = apps.get_model(reader.part.model if not reader.via else _via_label(reader))
    if reader.via:
        if not path.startswith(reader.via + "__"):
            return None
        rest = path[len(reader.via) + 2 :]
    else:
        rest = path
    if "__" in rest:
        return None
    return _attname(target, rest)


def _via_label(reader: Reader) -> str:
    for label, via, _extra in reader.part.via:
        if via == reader.via:
            return label
    raise LookupError(reader.via)


# Snapshots ------------------------------------------------------------------------------------


def snapshot(label: str, instance: Model) -> dict[str, Any] | None:
    fields = tracking().fields[label]
    deferred = instance.get_deferred_fields()
    if fields & deferred:
        return None
    return {name: getattr(instance, name) for name in fields}


def rows_before(label: str, rows: list[Any]) -> dict[int, Any]:
    """The rows' state before a change: from instances as loaded (no query), else read."""
    out: dict[int, Any] = {}
    wanted = []
    for row in rows:
        local = getattr(row, SNAPSHOT, None) if not isinstance(row, int) else None
        if local is not None:
            out[row.pk] = {"local": local}
        else:
            wanted.append(row if isinstance(row, int) else row.pk)
    if wanted:
        model = apps.get_model(label)
        fields = sorted(tracking().fields[label])
        for values in model._default_manager.filter(pk__in=wanted).values(*fields):
            out[values["id"]] = {"local": values}
    return out


def rows_deleted(label: str, pk: int) -> dict[int, Any]:
    """A row about to be deleted: the buckets it sits in now (it is gone by the commit)."""
    buckets: set[Bucket] = set()
    for reader in tracking().readers[label]:
        if not reader.via:
            buckets |= _placements(reader, [pk])
    return {pk: {"local": None, "buckets": buckets}}


def rows_after(label: str, befores: dict[int, Any]) -> set[Bucket]:
    """Buckets to re-derive for rows that changed: where they sat before and sit now, for the
    measures reading them directly, and for those reading them through a relation when a field
    those read changed."""
    model = apps.get_model(label)
    fields = sorted(tracking().fields[label])
    now = {
        row["id"]: row
        for row in model._default_manager.filter(pk__in=list(befores)).values(*fields)
    }
    out: set[Bucket] = set()
    for before in befores.values():
        if before and before.get("buckets"):
            out |= before["buckets"]
    for reader in tracking().readers[label]:
        changed = [pk for pk, before in befores.items() if _changed(reader, before, now.get(pk))]
        if reader.via:
            # A new or deleted row of the related table changes nothing by itself (its own rows
            # are tracked), except a reverse relation's (a contact person assigned).
            changed = [
                pk for pk in changed if (befores.get(pk) or {}).get("local") or "__" in reader.via
            ]
        if changed:
            out |= _placements(reader, changed, befores)
    return out


def _changed(reader: Reader, before: Any, now: dict[str, Any] | None) -> bool:
    """Whether a row changed in a field the reader counts by (created and deleted rows did)."""
    if not before or not before.get("local") or now is None:
        return True
    return any(before["local"].get(name) != now.get(name) for name in reader.fields)


# Re-deriving buckets --------------------------------------------------------------------------


def rederive(buckets: Iterable[Bucket]) -> int:
    """Rewrite each bucket from the domain tables; returns the number of rows changed."""
    changed = 0
    for code, unit_id, day in sorted(set(buckets)):
        measure = MEASURES.get(code)
        if measure is None:
            continue
        with transaction.atomic():
            _lock(code, unit_id, day)
            changed += write_bucket(
                measure, unit_id, day, raw_buckets(measure, unit_id=unit_id, day=day)
            )
    return changed


def _lock(code: str, unit_id: int, day: date) -> None:
    """One re-derivation of a bucket at a time (PostgreSQL): the last one to write has read
    every commit made before it started."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"figures:{code}:{unit_id}:{day}"]
            )


def write_bucket(measure: Measure, unit_id: int, day: date, values: dict[Any, Any]) -> int:
    """Make the stored bucket equal `values` ({(by, key): number or member ids})."""
    if measure.kind == "distinct":
        stored = set(
            FigureMember.objects.filter(measure=measure.code, unit_id=unit_id, day=day).values_list(
                "by", "key", "member"
            )
        )
        wanted = {(by, key, m) for (by, key), members in values.items() for m in members}
        gone, new = stored - wanted, wanted - stored
        for by, key, member in gone:
            FigureMember.objects.filter(
                measure=measure.code, unit_id=unit_id, day=day, by=by, key=key, member=member
            ).delete()
        FigureMember.objects.bulk_create(
            [
                FigureMember(
                    measure=measure.code, unit_id=unit_id, day=day, by=by, key=key, member=m
                )
                for by, key, m in new
            ]
        )
        return len(gone) + len(new)
    stored_rows = {
        (by, key): value
        for by, key, value in FigureBucket.objects.filter(
            measure=measure.code, unit_id=unit_id, day=day
        ).values_list("by", "key", "value")
    }
    wanted_rows = {k: v for k, v in values.items() if v}
    if stored_rows == wanted_rows:
        return 0
    FigureBucket.objects.filter(measure=measure.code, unit_id=unit_id, day=day).delete()
    FigureBucket.objects.bulk_create(
        [
            FigureBucket(measure=measure.code, unit_id=unit_id, day=day, by=by, key=key, value=v)
            for (by, key), v in wanted_rows.items()
        ]
    )
    return len(set(stored_rows) | set(wanted_rows))


def touched_buckets(buckets: set[hook.Bucket]) -> None:
    """The hook's bucket handler: `source` is a measure code or a model label."""
    wanted: set[Bucket] = set()
    for source, unit_id, day in buckets:
        if source in MEASURES:
            wanted.add((source, unit_id, day))
        else:
            wanted |= {(r.measure.code, unit_id, day) for r in tracking().readers.get(source, [])}
    rederive(wanted)


# Signals --------------------------------------------------------------------------------------


def _label(sender: type[Model]) -> str:
    return sender._meta.label


def _on_init(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    if instance.pk is not None and hook.enabled():
        setattr(instance, SNAPSHOT, snapshot(_label(sender), instance))


def _on_save(sender: type[Model], instance: Model, created: bool, **kwargs: Any) -> None:
    if kwargs.get("raw") or not hook.enabled():
        return
    before = None if created else getattr(instance, SNAPSHOT, None)
    if before is None and not created:
        hook.rollups_touch_rows(_label(sender), [instance.pk])
    else:
        hook.remember_rows(_label(sender), {instance.pk: {"local": before} if before else None})
    setattr(instance, SNAPSHOT, snapshot(_label(sender), instance))


def _on_pre_delete(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    if hook.enabled() and instance.pk is not None:
        instance._figures_deleting = rows_deleted(_label(sender), instance.pk)


def _on_delete(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    befores = getattr(instance, "_figures_deleting", None)
    if befores:
        hook.remember_rows(_label(sender), befores)


def connect() -> None:
    hook.register(buckets=touched_buckets, rows_before=rows_before, rows_after=rows_after)
    for model in tracking().models():
        uid = f"figures:{model._meta.label}"
        post_init.connect(_on_init, sender=model, dispatch_uid=uid, weak=False)
        post_save.connect(_on_save, sender=model, dispatch_uid=uid, weak=False)
        pre_delete.connect(_on_pre_delete, sender=model, dispatch_uid=uid, weak=False)
        post_delete.connect(_on_delete, sender=model, dispatch_uid=uid, weak=False)
