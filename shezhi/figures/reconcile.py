"""The nightly reconciliation: every rollup bucket compared with the domain tables, drift
reported and fixed. Also the way to build the rollups from scratch (after a bulk load, a restore,
or the first migration): the same comparison against empty tables."""

import logging
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max, Min

from shezhi.figures.measures import MEASURES, Measure, Slot, raw_range, raw_span
from shezhi.figures.models import FigureBucket, FigureMember
from shezhi.figures.rollups import write_bucket

log = logging.getLogger("shezhi.figures")

CHUNK_DAYS = 31


@dataclass
class Drift:
    """What a reconciliation found: buckets that differed per measure, and the time it took."""

    buckets: dict[str, int] = field(default_factory=dict)
    checked: int = 0
    seconds: float = 0.0
    fixed: bool = False

    @property
    def total(self) -> int:
        return sum(self.buckets.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "drifted_buckets": self.total,
            "by_measure": dict(self.buckets),
            "checked_buckets": self.checked,
            "seconds": round(self.seconds, 2),
            "fixed": self.fixed,
        }


def _stored(measure: Measure, start: date, end: date) -> dict[Slot, Any]:
    if measure.kind == "distinct":
        out: dict[Slot, Any] = {}
        rows = FigureMember.objects.filter(
            measure=measure.code, day__gte=start, day__lte=end
        ).values_list("unit_id", "day", "by", "key", "member")
        for unit, day, by, key, member in rows:
            out.setdefault((unit, day, by, key), set()).add(member)
        return out
    return {
        (unit, day, by, key): value
        for unit, day, by, key, value in FigureBucket.objects.filter(
            measure=measure.code, day__gte=start, day__lte=end
        ).values_list("unit_id", "day", "by", "key", "value")
    }


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, set) or isinstance(b, set):
        return set(a or ()) == set(b or ())
    return Decimal(a or 0) == Decimal(b or 0)


def _span(measure: Measure) -> tuple[date, date] | None:
    model = FigureMember if measure.kind == "distinct" else FigureBucket
    stored = model.objects.filter(measure=measure.code).aggregate(lo=Min("day"), hi=Max("day"))
    days = [d for d in (stored["lo"], stored["hi"]) if d is not None]
    raw = raw_span(measure)
    if raw:
        days += list(raw)
    return (min(days), max(days)) if days else None


def figures_reconcile(
    *, fix: bool = True, codes: list[str] | None = None, start: date | None = None
) -> Drift:
    """Compare every bucket (of `codes`, default all measures; from `start`, default the first
    day anything is recorded) with the domain tables, month by month; fix the drifted ones."""
    began = time.monotonic()
    drift = Drift(fixed=fix)
    for code in codes or list(MEASURES):
        measure = MEASURES[code]
        span = _span(measure)
        if span is None:
            continue
        lo, hi = span
        if start is not None:
            lo = max(lo, start)
        day = lo
        while day <= hi:
            last = min(hi, day + timedelta(days=CHUNK_DAYS - 1))
            raw = raw_range(measure, day, last)
            stored = _stored(measure, day, last)
            slots = set(raw) | set(stored)
            drift.checked += len(slots)
            off = {
                (u, d)
                for (u, d, by, key) in slots
                if not _same(raw.get((u, d, by, key)), stored.get((u, d, by, key)))
            }
            if off:
                drift.buckets[code] = drift.buckets.get(code, 0) + len(off)
                if fix:
                    for unit, d in sorted(off):
                        values = {
                            (by, key): v
                            for (u, dd, by, key), v in raw.items()
                            if u == unit and dd == d
                        }
                        with transaction.atomic():
                            write_bucket(measure, unit, d, values)
            day = last + timedelta(days=1)
    drift.seconds = time.monotonic() - began
    if drift.total:
        log.warning("figures reconciliation: %s", drift.as_dict())
    return drift
