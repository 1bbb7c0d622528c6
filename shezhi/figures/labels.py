"""Breakdown keys: how raw keys (a birth year, a political status) group into the keys shown
(an age band, party member or not), their Chinese labels, and which keys are sensitive."""

from collections import defaultdict
from collections.abc import Iterable, Sequence

from shezhi.activities.models import Activity
from shezhi.care.models import RISK_CHOICES
from shezhi.cases.models import BenefitTask, Case, Referral
from shezhi.figures.measures import Key, Number
from shezhi.figures.periods import Period
from shezhi.needs.models import NeedCategory, UrgencyLevel
from shezhi.volunteers.models import ServiceCategory, Team

Table = dict[str, dict[Key, Number]]

# Age bands by 统计年份 − 出生年份; the first is minors (sensitive).
AGE_BANDS: tuple[tuple[str, str, int, int], ...] = (
    ("under18", "18岁以下", 0, 17),
    ("18_35", "18–35岁", 18, 35),
    ("36_59", "36–59岁", 36, 59),
    ("60_up", "60岁及以上", 60, 999),
)
PARTY_STATUSES = frozenset({"party", "probationary"})
PARTY_LABELS = {"party": "中共党员（含预备党员）", "other": "群众及其他"}
SENSITIVE_KEYS = {("age_band", "under18")}
_NATURAL = {"age_band", "party", "star"}


def age_band(birth_year: int, year: int) -> str:
    age = year - birth_year
    for key, _label, low, high in AGE_BANDS:
        if low <= age <= high:
            return key
    return AGE_BANDS[0][0]


def shown_key(by: str, raw: str, period: Period) -> str:
    """The key shown for a raw key of a breakdown in a period."""
    if by == "age_band":
        return age_band(int(raw), period.end.year) if raw else AGE_BANDS[0][0]
    if by == "party":
        return "party" if raw in PARTY_STATUSES else "other"
    return raw


def regroup(raw: Table, by: str, periods: Sequence[Period]) -> tuple[Table, list[str]]:
    """Sum raw keys into shown keys (disjoint: a person has one birth year, one status), and
    list the shown keys in their natural order (all bands and levels for age and party)."""
    table: Table = {}
    found: set[str] = set()
    for code, values in raw.items():
        out: dict[Key, Number] = defaultdict(int)
        for (group, key, index), value in values.items():
            shown = shown_key(by, key, periods[index])
            out[(group, shown, index)] += value
            found.add(shown)
        table[code] = dict(out)
    if by == "age_band":
        return table, [key for key, *_ in AGE_BANDS]
    if by == "party":
        return table, list(PARTY_LABELS)
    if by == "star":
        return table, [str(n) for n in range(0, 6)]
    return table, sorted(found)


def is_sensitive_key(by: str, key: str) -> bool:
    return (by, key) in SENSITIVE_KEYS


def natural_order(by: str) -> bool:
    return by in _NATURAL


def key_labels(code: str, by: str, keys: Iterable[str]) -> dict[str, str]:
    """Chinese labels of the keys of breakdown `by` of figure `code`."""
    keys = list(keys)
    names: dict[str, str]
    if by == "age_band":
        names = {key: label for key, label, *_ in AGE_BANDS}
    elif by == "party":
        names = dict(PARTY_LABELS)
    elif by == "star":
        names = {"0": "未评星", **{str(n): f"{n}星" for n in range(1, 6)}}
    elif by == "team_type":
        names = dict(Team.Kind.choices)
    elif by == "category" and code.startswith("needs_"):
        ids = [int(k) for k in keys if k.isdigit()]
        names = {
            str(pk): n
            for pk, n in NeedCategory.objects.filter(pk__in=ids).values_list("pk", "name")
        }
    elif by == "category" and code.startswith(("service_",)):
        names = {}  # a record's category is its own text ("助餐")
    elif by == "category":
        names = dict(ServiceCategory.choices) | dict(
            Activity._meta.get_field("category").choices or []
        )
    elif by == "urgency":
        ids = [int(k) for k in keys if k.isdigit()]
        names = {
            str(pk): n
            for pk, n in UrgencyLevel.objects.filter(pk__in=ids).values_list("pk", "name")
        }
    elif by == "problem_type":
        names = dict(Case.ProblemType.choices)
    elif by == "institution_kind":
        names = dict(Referral.InstitutionKind.choices)
    elif by == "benefit_kind":
        names = dict(BenefitTask.Kind.choices)
    elif by == "risk_level":
        names = dict(RISK_CHOICES)
    else:
        names = {}
    return {k: str(names.get(k) or k or "未分类") for k in keys}
