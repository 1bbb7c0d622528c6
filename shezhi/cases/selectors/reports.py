"""Aggregate case reports: counts only, no personal data."""

from dataclasses import dataclass

from django.db.models import Count, Q

from shezhi.accounts.models import User
from shezhi.accounts.scoping import unit_scope
from shezhi.cases.models import BenefitTask, Case, CaseClosure, Stage
from shezhi.cases.permissions import CaseDeskAction, case_desk_actions_for
from shezhi.cases.selectors.access import REPORT_REFUSAL
from shezhi.core.errors import InvalidInput
from shezhi.core.permissions import require

REPORT_DIMENSIONS = {
    "worker": "worker_id",
    "community": "community_id",
    "problem_type": "problem_type",
    "outcome": "outcome",
}


@dataclass(frozen=True)
class ReportRow:
    key: str
    label: str
    total: int
    open: int
    closed: int


def case_report(*, actor: User, by: str) -> list[ReportRow]:
    """Case counts by worker, community, problem type or closure outcome within the actor's
    units. Only counts and labels: no client is named, no case is read (so none is logged)."""
    if by not in REPORT_DIMENSIONS:
        raise InvalidInput("统计维度应为社工、社区、问题类型或结案成效", field="by")
    require(CaseDeskAction.VIEW_REPORT, case_desk_actions_for(actor), message=REPORT_REFUSAL)
    qs = Case.objects.filter(unit_scope(actor, community_field="community_id")).order_by()
    closed = Q(status=Stage.CLOSED)
    if by == "outcome":
        current = CaseClosure.objects.filter(
            case_id__in=qs.filter(closed).values("pk"), reopened_at__isnull=True
        )
        labels = dict(CaseClosure.Outcome.choices)
        return [
            ReportRow(
                key=r["outcome"],
                label=labels.get(r["outcome"], r["outcome"]),
                total=r["n"],
                open=0,
                closed=r["n"],
            )
            for r in current.values("outcome").annotate(n=Count("id")).order_by("outcome")
        ]
    field = REPORT_DIMENSIONS[by]
    if by == "worker":
        rows = qs.values(field, "worker__display_name", "worker__username")
    elif by == "community":
        rows = qs.values(field, "community__name")
    else:
        rows = qs.values(field)
    rows = rows.annotate(total=Count("id"), closed=Count("id", filter=closed))
    problem_labels = dict(Case.ProblemType.choices)
    out = []
    for r in rows:
        if by == "worker":
            label = r["worker__display_name"] or r["worker__username"]
        elif by == "community":
            label = r["community__name"]
        else:
            label = problem_labels.get(r[field], r[field])
        out.append(
            ReportRow(
                key=str(r[field]),
                label=label,
                total=r["total"],
                open=r["total"] - r["closed"],
                closed=r["closed"],
            )
        )
    return sorted(out, key=lambda r: (-r.total, r.label))


@dataclass(frozen=True)
class BenefitRow:
    kind: str
    label: str
    total: int
    by_status: dict[str, int]  # status → count, every status present


def benefit_report(*, actor: User) -> list[BenefitRow]:
    """Benefit applications (低保, 残疾证 …) run for clients in the actor's units, counted by
    kind and status. Only counts and labels: no client is named, no case is read."""
    require(CaseDeskAction.VIEW_REPORT, case_desk_actions_for(actor), message=REPORT_REFUSAL)
    cases = Case.objects.filter(unit_scope(actor, community_field="community_id"))
    counts: dict[str, dict[str, int]] = {}
    for r in (
        BenefitTask.objects.filter(case__in=cases.values("pk"))
        .order_by()
        .values("kind", "status")
        .annotate(n=Count("id"))
    ):
        counts.setdefault(r["kind"], dict.fromkeys(BenefitTask.Status.values, 0))[r["status"]] = r[
            "n"
        ]
    labels = dict(BenefitTask.Kind.choices)
    rows = [
        BenefitRow(kind=k, label=labels.get(k, k), total=sum(v.values()), by_status=v)
        for k, v in counts.items()
    ]
    return sorted(rows, key=lambda r: (-r.total, r.label))
