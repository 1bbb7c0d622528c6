"""How each figure is counted from the domain tables: measures and formulas.

A *measure* is one countable quantity read from one or more domain tables: a count, a sum of a
field, or a set of distinct members (people). Each row it counts is placed at one org unit (the
most specific one the record knows: a grid, a compound, a community, or a street for records
organised by a street) and on one day. A *figure* is a formula over measures (one measure, a sum
of measures, or a ratio of two).

`raw_values` computes measures straight from the domain tables, for any set of units (as path
prefixes) and periods in one query per measure part; the rollups re-derive their buckets with
the same definitions (`raw_buckets`), so the raw definition here is the only one.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Literal

from django.apps import apps
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear, TruncDate
from django.utils import timezone

from shezhi.figures.catalogue import FIGURES
from shezhi.figures.periods import Period

Number = int | Decimal
MeasureKind = Literal["count", "sum", "distinct"]


@dataclass(frozen=True)
class Part:
    """One table's contribution to a measure."""

    model: str  # "app_label.Model"
    units: tuple[str, ...]  # FK paths to OrgUnit, most specific first (first non-null wins)
    day: str  # date or datetime field path
    where: Q = field(default_factory=Q)
    value: str | None = None  # sum: the field summed; distinct: the member field
    keys: tuple[tuple[str, str], ...] = ()  # breakdown name -> field path of its key
    datetime: bool = False
    # Relations through which other tables' rows change what this part counts:
    # (model label, lookup path from this part's model to it, fields of it that matter beyond
    # those the paths name).
    via: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    exists: Callable[[], Q] | None = None  # a condition on other rows (built when queried)

    def queryset(self) -> QuerySet[Any]:
        model: type[Model] = apps.get_model(self.model)
        qs = model._default_manager.filter(self.where)
        if self.exists is not None:
            qs = qs.filter(self.exists())
        return qs.order_by()

    def key_field(self, by: str) -> str | None:
        return dict(self.keys).get(by)


@dataclass(frozen=True)
class Measure:
    code: str
    kind: MeasureKind
    parts: tuple[Part, ...]
    stock: bool = False  # a level at the period's end: rows dated on or before the end count
    integral: bool = False  # a sum of whole numbers (shown without decimals)

    @property
    def breakdowns(self) -> frozenset[str]:
        names = {name for part in self.parts for name, _ in part.keys}
        return frozenset(n for n in names if all(p.key_field(n) for p in self.parts))


def _has_contact() -> Q:
    contacts = apps.get_model("care", "ContactAssignment").objects.filter(
        resident=OuterRef("resident"), ended_on__isnull=True
    )
    return Q(Exists(contacts))


RECORD_UNITS = ("organiser_unit", "volunteer__community")
VOLUNTEER_KEYS = (
    ("age_band", "volunteer__birth_date__year"),
    ("party", "volunteer__political_status"),
)
VIA_VOLUNTEER = (("volunteers.Volunteer", "volunteer", ()),)
VIA_ACTIVITY = (("activities.Activity", "activity", ()),)
VIA_CASE = (("cases.Case", "case", ()),)
NEED_UNITS = ("grid", "community")
NEED_KEYS = (("category", "category_id"), ("urgency", "urgency_id"))
SOLVED = Q(status__in=["done", "rated"], completed_at__isnull=False)
FINISHED = Q(activity__status="finished")

_MEASURES: list[Measure] = [
    Measure(
        "volunteers_registered",
        "count",
        (
            Part(
                "volunteers.Volunteer",
                ("compound", "community"),
                "created_at",
                Q(is_active=True),
                keys=(
                    ("age_band", "birth_date__year"),
                    ("party", "political_status"),
                    ("star", "star"),
                ),
                datetime=True,
            ),
        ),
        stock=True,
    ),
    Measure(
        "volunteers_active",
        "distinct",
        (
            Part(
                "volunteers.ServiceRecord",
                RECORD_UNITS,
                "service_date",
                Q(status="counted"),
                value="volunteer_id",
                keys=VOLUNTEER_KEYS,
                via=VIA_VOLUNTEER,
            ),
        ),
    ),
    Measure(
        "teams",
        "count",
        (
            Part(
                "volunteers.Team",
                ("community",),
                "created_at",
                Q(status="founded"),
                keys=(("team_type", "kind"),),
                datetime=True,
            ),
        ),
        stock=True,
    ),
    Measure(
        "service_hours",
        "sum",
        (
            Part(
                "volunteers.ServiceRecord",
                RECORD_UNITS,
                "service_date",
                Q(status="counted"),
                value="hours",
                keys=(("category", "category"),),
                via=VIA_VOLUNTEER,
            ),
        ),
    ),
    Measure(
        "service_records",
        "count",
        (
            Part(
                "volunteers.ServiceRecord",
                RECORD_UNITS,
                "service_date",
                Q(status="counted"),
                keys=(("category", "category"),),
                via=VIA_VOLUNTEER,
            ),
        ),
    ),
    Measure(
        "activities_held",
        "count",
        (
            Part(
                "activities.Activity",
                ("organiser_unit",),
                "starts_at",
                Q(status="finished"),
                keys=(("category", "category"),),
                datetime=True,
            ),
        ),
    ),
    Measure(
        "participants_times",
        "count",
        (
            Part(
                "activities.Attendance",
                ("activity__organiser_unit",),
                "activity__starts_at",
                FINISHED,
                via=VIA_ACTIVITY,
                keys=(("category", "activity__category"),),
                datetime=True,
            ),
        ),
    ),
    Measure(
        "participants_distinct",
        "distinct",
        (
            Part(
                "activities.Attendance",
                ("activity__organiser_unit",),
                "activity__starts_at",
                FINISHED,
                via=VIA_ACTIVITY,
                value="volunteer_id",
                datetime=True,
            ),
        ),
    ),
    Measure(
        "people_served_times",
        "sum",
        (
            Part(
                "activities.Beneficiary",
                ("activity__organiser_unit",),
                "activity__starts_at",
                FINISHED,
                via=VIA_ACTIVITY,
                value="1",
                datetime=True,
            ),
            Part(
                "activities.Activity",
                ("organiser_unit",),
                "starts_at",
                Q(status="finished", beneficiaries_headcount__gt=0),
                value="beneficiaries_headcount",
                datetime=True,
            ),
            Part(
                "needs.Need",
                NEED_UNITS,
                "completed_at",
                SOLVED & Q(resident__isnull=False),
                value="1",
                datetime=True,
            ),
        ),
    ),
    Measure(
        "people_served_distinct",
        "distinct",
        (
            Part(
                "activities.Beneficiary",
                ("activity__organiser_unit",),
                "activity__starts_at",
                FINISHED,
                via=VIA_ACTIVITY,
                value="resident_id",
                datetime=True,
            ),
            Part(
                "needs.Need",
                NEED_UNITS,
                "completed_at",
                SOLVED & Q(resident__isnull=False),
                value="resident_id",
                datetime=True,
            ),
        ),
    ),
    Measure(
        "needs_received",
        "count",
        (Part("needs.Need", NEED_UNITS, "created_at", keys=NEED_KEYS, datetime=True),),
    ),
    Measure(
        "needs_solved",
        "count",
        (Part("needs.Need", NEED_UNITS, "completed_at", SOLVED, keys=NEED_KEYS, datetime=True),),
    ),
    Measure(
        "needs_on_time",
        "count",
        (
            Part(
                "needs.Need",
                NEED_UNITS,
                "completed_at",
                SOLVED & Q(completed_at__lte=F("resolve_by")),
                keys=NEED_KEYS,
                datetime=True,
            ),
        ),
    ),
    Measure(
        "needs_rated",
        "count",
        (
            Part(
                "needs.Need",
                NEED_UNITS,
                "rated_at",
                Q(rating__isnull=False, rated_at__isnull=False),
                keys=(("category", "category_id"),),
                datetime=True,
            ),
        ),
    ),
    Measure(
        "needs_rating_sum",
        "sum",
        (
            Part(
                "needs.Need",
                NEED_UNITS,
                "rated_at",
                Q(rating__isnull=False, rated_at__isnull=False),
                value="rating",
                keys=(("category", "category_id"),),
                datetime=True,
            ),
        ),
    ),
    Measure(
        "needs_reopened",
        "count",
        (
            Part(
                "needs.NeedTransition",
                ("need__grid", "need__community"),
                "at",
                Q(action="reopen"),
                datetime=True,
                via=(("needs.Need", "need", ()),),
            ),
        ),
    ),
    Measure(
        "care_registry",
        "count",
        (
            Part(
                "care.CareProfile",
                ("grid", "compound", "community"),
                "registered_on",
                Q(is_active=True),
                keys=(("risk_level", "risk_level"),),
            ),
        ),
        stock=True,
    ),
    Measure(
        "care_covered",
        "count",
        (
            Part(
                "care.CareProfile",
                ("grid", "compound", "community"),
                "registered_on",
                Q(is_active=True),
                exists=_has_contact,
                via=(("care.ContactAssignment", "resident__care_contacts", ("ended_on",)),),
            ),
        ),
        stock=True,
    ),
    Measure(
        "care_visits",
        "count",
        (
            Part(
                "care.Visit",
                ("resident__grid",),
                "visited_on",
                via=(("people.Resident", "resident", ()),),
            ),
        ),
    ),
    Measure(
        "care_visits_overdue",
        "count",
        (
            Part(
                "care.CareAlert",
                ("grid", "community"),
                "created_at",
                Q(kind="overdue"),
                datetime=True,
            ),
        ),
    ),
    Measure(
        "crisis_alerts",
        "count",
        (
            Part(
                "care.CareAlert",
                ("grid", "community"),
                "created_at",
                Q(kind="crisis"),
                datetime=True,
            ),
        ),
    ),
    Measure(
        "crisis_acked",
        "count",
        (
            Part(
                "care.CareAlert",
                ("grid", "community"),
                "created_at",
                Q(kind="crisis", acknowledged_at__isnull=False),
                datetime=True,
            ),
        ),
    ),
    Measure(
        "crisis_ack_seconds",
        "sum",
        (
            Part(
                "care.CareAlert",
                ("grid", "community"),
                "created_at",
                Q(kind="crisis", acknowledged_at__isnull=False),
                value="@ack_seconds",
                datetime=True,
            ),
        ),
    ),
    Measure(
        "cases_opened",
        "count",
        (
            Part(
                "cases.Case", ("community",), "opened_on", keys=(("problem_type", "problem_type"),)
            ),
        ),
    ),
    Measure(
        "cases_closed",
        "count",
        (
            Part(
                "cases.CaseClosure",
                ("case__community",),
                "closed_on",
                Q(reopened_at__isnull=True),
                keys=(("problem_type", "case__problem_type"),),
                via=VIA_CASE,
            ),
        ),
    ),
    Measure(
        "referrals",
        "count",
        (
            Part(
                "cases.Referral",
                ("case__community",),
                "sent_at",
                keys=(("institution_kind", "institution_kind"),),
                via=VIA_CASE,
                datetime=True,
            ),
        ),
    ),
    Measure(
        "benefit_tasks_done",
        "count",
        (
            Part(
                "cases.BenefitTask",
                ("case__community",),
                "updated_at",
                Q(status="approved"),
                keys=(("benefit_kind", "kind"),),
                via=VIA_CASE,
                datetime=True,
            ),
        ),
    ),
    Measure(
        "coins_deposited",
        "sum",
        (
            Part(
                "timebank.Deposit",
                ("account__community",),
                "decided_at",
                Q(status="approved", decided_at__isnull=False),
                value="amount",
                keys=(("category", "category"),),
                datetime=True,
            ),
        ),
    ),
    Measure(
        "coins_spent",
        "sum",
        (
            Part(
                "timebank.Posting",
                ("account__community",),
                "transaction__created_at",
                Q(transaction__kind="spend", amount__lt=0) & ~Q(account__kind="clearing"),
                value="-amount",
                datetime=True,
            ),
        ),
    ),
    Measure(
        "partners_active",
        "count",
        (
            Part(
                "org.PartnerOrganisation", ("unit",), "created_at", Q(is_active=True), datetime=True
            ),
        ),
        stock=True,
    ),
]

_INTEGRAL = {"people_served_times", "crisis_ack_seconds", "needs_rating_sum"}
MEASURES: dict[str, Measure] = {
    m.code: replace(m, integral=m.code in _INTEGRAL or m.kind != "sum") for m in _MEASURES
}


# Formulas: figure code -> (how, measure codes). "one": the measure; "ratio": 100·a/b (%);
# "mean": a/b; "minutes": a/b/60.
Formula = tuple[Literal["one", "ratio", "mean", "minutes"], tuple[str, ...]]
FORMULAS: dict[str, Formula] = {code: ("one", (code,)) for code in FIGURES if code in MEASURES} | {
    "needs_on_time_rate": ("ratio", ("needs_on_time", "needs_solved")),
    "needs_rating_avg": ("mean", ("needs_rating_sum", "needs_rated")),
    "care_contacts_coverage": ("ratio", ("care_covered", "care_registry")),
    "crisis_ack_minutes": ("minutes", ("crisis_ack_seconds", "crisis_acked")),
}


def measures_of(codes: Iterable[str]) -> list[Measure]:
    seen: dict[str, Measure] = {}
    for code in codes:
        for m in FORMULAS[code][1]:
            seen.setdefault(m, MEASURES[m])
    return list(seen.values())


def combine(code: str, values: dict[str, Number | None]) -> Number | None:
    """The figure's value from its measures' values."""
    how, names = FORMULAS[code]
    if how == "one":
        return values.get(names[0]) or 0
    top, bottom = (values.get(n) or 0 for n in names)
    if not bottom:
        return None
    if how == "ratio":
        return (Decimal(top) * 100 / Decimal(bottom)).quantize(Decimal("0.1"))
    if how == "mean":
        return (Decimal(top) / Decimal(bottom)).quantize(Decimal("0.1"))
    return int((Decimal(top) / Decimal(bottom) / 60).to_integral_value())


def _seconds_between(start: datetime, end: datetime) -> int:
    return int((end - start).total_seconds())


# Values computed in Python from a row's fields (a duration is not summed alike by every database).
PYTHON_VALUES: dict[str, tuple[tuple[str, ...], Callable[..., Number]]] = {
    "@ack_seconds": (("created_at", "acknowledged_at"), _seconds_between),
}

# Raw computation ------------------------------------------------------------------------------

Group = tuple[int, str]  # (group id, unit path prefix)
Key = tuple[int, str, int]  # (group id, breakdown key or "", period index)


def _placed(qs: QuerySet[Any], part: Part) -> QuerySet[Any]:
    """Annotate the row's unit id and path (first non-null of the part's unit fields) and day."""
    if len(part.units) == 1:
        unit: Any = F(f"{part.units[0]}_id")
        path: Any = F(f"{part.units[0]}__path")
    else:
        unit = Coalesce(*[F(f"{u}_id") for u in part.units], output_field=IntegerField())
        path = Coalesce(*[F(f"{u}__path") for u in part.units])
    day: Any = TruncDate(part.day) if part.datetime else F(part.day)
    return qs.annotate(_unit=unit, _path=path, _day=day)


def _value_expr(part: Part) -> Any:
    if part.value == "1":
        return Value(1)
    if part.value and part.value.startswith("-"):
        return -F(part.value[1:])
    return F(part.value or "pk")


def _key_expr(part: Part, by: str) -> Any:
    path = part.key_field(by)
    if path is None:
        return Value("")
    if path.endswith("__year"):
        return ExtractYear(path[: -len("__year")])
    return F(path)


def _window(period: Period, stock: bool) -> Q:
    if stock:
        return Q(_day__lte=period.end)
    return Q(_day__gte=period.start, _day__lte=period.end)


def raw_values(
    measure: Measure,
    groups: Sequence[Group],
    periods: Sequence[Period],
    by: str = "",
) -> dict[Key, Number]:
    """The measure for each group (all units under its path), breakdown key and period,
    straight from the domain tables; one query per part. Absent keys are zero."""
    out: dict[Key, Number] = defaultdict(int)
    members: dict[Key, set[Any]] = defaultdict(set)
    if not groups or not periods:
        return out
    lo = min(p.start for p in periods)
    hi = max(p.end for p in periods)
    for part in measure.parts:
        qs = _placed(part.queryset(), part)
        prefixes = Q()
        for _gid, prefix in groups:
            prefixes |= Q(_path__startswith=prefix)
        qs = qs.filter(prefixes)
        qs = qs.filter(_day__lte=hi) if measure.stock else qs.filter(_day__gte=lo, _day__lte=hi)
        if len(groups) == 1:
            qs = qs.annotate(_group=Value(groups[0][0]))
        else:
            qs = qs.annotate(
                _group=Case(
                    *[When(_path__startswith=prefix, then=Value(gid)) for gid, prefix in groups],
                    output_field=IntegerField(),
                )
            )
        qs = qs.annotate(_key=_key_expr(part, by) if by else Value(""))
        if part.value in PYTHON_VALUES:
            fields, fn = PYTHON_VALUES[part.value]
            for gid, key, day, *cols in qs.values_list("_group", "_key", "_day", *fields):
                for index, period in enumerate(periods):
                    if (
                        (day <= period.end)
                        if measure.stock
                        else (period.start <= day <= period.end)
                    ):
                        out[(gid, _s(key), index)] += fn(*cols)
            continue
        if measure.kind == "distinct":
            rows = qs.values_list("_group", "_key", "_day", part.value or "pk").distinct()
            for gid, key, day, member in rows:
                for index, period in enumerate(periods):
                    if (
                        (day <= period.end)
                        if measure.stock
                        else (period.start <= day <= period.end)
                    ):
                        members[(gid, _s(key), index)].add(member)
            continue
        aggregates: dict[str, Any] = {}
        for index, period in enumerate(periods):
            window = _window(period, measure.stock)
            if measure.kind == "count":
                aggregates[f"v{index}"] = Count("pk", filter=window)
            else:
                aggregates[f"v{index}"] = Sum(_value_expr(part), filter=window)
        for row in qs.values("_group", "_key").annotate(**aggregates):
            for index in range(len(periods)):
                value = row[f"v{index}"]
                if value:
                    key = (row["_group"], _s(row["_key"]), index)
                    out[key] += _number(value)
    for key, found in members.items():
        out[key] = len(found)
    return out


def raw_buckets(
    measure: Measure, *, unit_id: int, day: date
) -> dict[tuple[str, str], Number | frozenset[int]]:
    """One rollup bucket re-derived from the domain tables: the rows the measure places at
    exactly this unit on this day, as {(breakdown, key): value} (("", "") the total); for a
    distinct measure the members' ids instead of a number."""
    out: dict[tuple[str, str], Any] = {}
    names = [""] + sorted(measure.breakdowns)
    for part in measure.parts:
        qs = part.queryset().filter(bucket_filter(part, unit_id, day))
        qs = _placed(qs, part).filter(_unit=unit_id, _day=day)
        for by in names:
            keyed = qs.annotate(_key=_key_expr(part, by) if by else Value(""))
            if part.value in PYTHON_VALUES:
                fields, fn = PYTHON_VALUES[part.value]
                for key, *cols in keyed.values_list("_key", *fields):
                    slot = (by, _s(key))
                    out[slot] = out.get(slot, 0) + fn(*cols)
                continue
            if measure.kind == "distinct":
                for key, member in keyed.values_list("_key", part.value or "pk").distinct():
                    out.setdefault((by, _s(key)), set()).add(member)
                continue
            agg = Count("pk") if measure.kind == "count" else Sum(_value_expr(part))
            for row in keyed.values("_key").annotate(v=agg):
                if row["v"]:
                    slot = (by, _s(row["_key"]))
                    out[slot] = out.get(slot, 0) + _number(row["v"])
    return {k: frozenset(v) if isinstance(v, set) else v for k, v in out.items()}


def bucket_filter(part: Part, unit_id: int, day: date) -> Q:
    """Rows of `part` placed at exactly this unit on this day, in terms the indexes serve."""
    placed = Q(pk__in=[])
    for i, unit in enumerate(part.units):
        earlier = {f"{u}__isnull": True for u in part.units[:i]}
        placed |= Q(**earlier, **{f"{unit}_id" if "__" not in unit else unit: unit_id})
    if not part.datetime:
        return placed & Q(**{part.day: day})
    start = timezone.make_aware(datetime.combine(day, time.min))
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    return placed & Q(**{f"{part.day}__gte": start, f"{part.day}__lt": end})


def _s(key: Any) -> str:
    return "" if key is None else str(key)


def _number(value: Any) -> Number:
    if hasattr(value, "total_seconds"):
        return int(value.total_seconds())
    if isinstance(value, float):
        return Decimal(str(value))
    return value  # type: ignore[no-any-return]


Slot = tuple[int, date, str, str]  # (unit id, day, breakdown, key)


def raw_range(measure: Measure, start: date, end: date) -> dict[Slot, Any]:
    """Every bucket of the measure with a day from start to end, from the domain tables:
    {(unit, day, breakdown, key): number, or a set of member ids for a distinct measure}."""
    out: dict[Slot, Any] = {}
    names = [""] + sorted(measure.breakdowns)
    for part in measure.parts:
        if part.datetime:
            lo = timezone.make_aware(datetime.combine(start, time.min))
            hi = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
            window = Q(**{f"{part.day}__gte": lo, f"{part.day}__lt": hi})
        else:
            window = Q(**{f"{part.day}__gte": start, f"{part.day}__lte": end})
        qs = _placed(part.queryset().filter(window), part).filter(
            _unit__isnull=False, _day__gte=start, _day__lte=end
        )
        for by in names:
            keyed = qs.annotate(_key=_key_expr(part, by) if by else Value(""))
            if part.value in PYTHON_VALUES:
                fields, fn = PYTHON_VALUES[part.value]
                for unit, day, key, *cols in keyed.values_list("_unit", "_day", "_key", *fields):
                    slot = (unit, day, by, _s(key))
                    out[slot] = out.get(slot, 0) + fn(*cols)
                continue
            if measure.kind == "distinct":
                rows = keyed.values_list("_unit", "_day", "_key", part.value or "pk").distinct()
                for unit, day, key, member in rows:
                    out.setdefault((unit, day, by, _s(key)), set()).add(member)
                continue
            agg = Count("pk") if measure.kind == "count" else Sum(_value_expr(part))
            for row in keyed.values("_unit", "_day", "_key").annotate(v=agg):
                if row["v"]:
                    slot = (row["_unit"], row["_day"], by, _s(row["_key"]))
                    out[slot] = out.get(slot, 0) + _number(row["v"])
    return out


def raw_span(measure: Measure) -> tuple[date, date] | None:
    """The first and last day any row of the measure sits on (None: no rows)."""
    days: list[date] = []
    for part in measure.parts:
        found = part.queryset().aggregate(first=Min(part.day), last=Max(part.day))
        for value in found.values():
            if value is not None:
                days.append(
                    timezone.localtime(value).date() if isinstance(value, datetime) else value
                )
    return (min(days), max(days)) if days else None
