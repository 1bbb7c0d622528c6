"""Case lists: my cases, supervisors' caseloads, overdue reviews, high-risk cases, and the
links from care alerts to their cases."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.cases.models import Case, RiskLevel, Stage
from shezhi.cases.selectors.access import active_team, cases_visible_to, log_list, supervision_q
from shezhi.core.errors import Forbidden


def my_cases(
    *, actor: User, include_closed: bool = False, now: datetime | None = None
) -> list[Case]:
    """Cases the actor works on (as worker or active team member); each listing is logged."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    qs = Case.objects.filter(
        Q(worker=actor) | Q(Exists(active_team(actor, today).filter(case_id=OuterRef("pk"))))
    ).select_related("client", "worker")
    if not actor.is_active:
        qs = qs.none()
    if not include_closed:
        qs = qs.exclude(status=Stage.CLOSED)
    cases = list(qs.order_by("next_review_on", "id"))
    log_list(actor, cases, now)
    return cases


def _require_supervisor(actor: User) -> Q:
    q = supervision_q(actor)
    if q is None:
        raise Forbidden("只有督导可以查看督导视图")
    return q


@dataclass(frozen=True)
class CaseloadRow:
    worker_id: int
    worker_name: str
    open_cases: int
    high_risk: int
    overdue_reviews: int


def supervised_caseloads(*, actor: User, now: datetime | None = None) -> list[CaseloadRow]:
    """Open cases per supervised worker, with counts only (no client data)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    q = _require_supervisor(actor)
    rows = (
        Case.objects.filter(q)
        .exclude(status=Stage.CLOSED)
        .order_by()
        .values("worker_id", "worker__display_name", "worker__username")
        .annotate(
            open_cases=Count("id"),
            high_risk=Count("id", filter=Q(risk_level__in=[RiskLevel.URGENT, RiskLevel.HIGH])),
            overdue=Count("id", filter=Q(next_review_on__lt=today)),
        )
    )
    return sorted(
        (
            CaseloadRow(
                worker_id=r["worker_id"],
                worker_name=r["worker__display_name"] or r["worker__username"],
                open_cases=r["open_cases"],
                high_risk=r["high_risk"],
                overdue_reviews=r["overdue"],
            )
            for r in rows
        ),
        key=lambda r: (-r.open_cases, r.worker_name),
    )


def overdue_reviews(*, actor: User, now: datetime | None = None) -> list[Case]:
    now = now or timezone.now()
    q = _require_supervisor(actor)
    cases = list(
        Case.objects.filter(q, next_review_on__lt=timezone.localdate(now))
        .exclude(status=Stage.CLOSED)
        .select_related("client", "worker")
        .order_by("next_review_on", "id")
    )
    log_list(actor, cases, now, part="overdue")
    return cases


def high_risk_cases(*, actor: User, now: datetime | None = None) -> list[Case]:
    now = now or timezone.now()
    q = _require_supervisor(actor)
    cases = list(
        Case.objects.filter(q, risk_level__in=[RiskLevel.URGENT, RiskLevel.HIGH])
        .exclude(status=Stage.CLOSED)
        .select_related("client", "worker")
        .order_by("risk_level", "next_review_on", "id")
    )
    log_list(actor, cases, now, part="high_risk")
    return cases


def cases_of_alerts(*, actor: User, alert_ids: list[int]) -> dict[int, int]:
    """alert id -> the open case opened from it, among the cases the actor may see. An alert
    with a case links to it and is not offered 开案 again (the service refuses a second case);
    a case the actor may not see stays unnamed here (its page would be 'not found')."""
    if not alert_ids:
        return {}
    rows = (
        cases_visible_to(actor)
        .filter(care_alert_id__in=alert_ids)
        .exclude(status=Stage.CLOSED)
        .order_by()
        .values_list("care_alert_id", "pk")
    )
    return {alert_id: case_id for alert_id, case_id in rows}


def alerts_with_case(*, alert_ids: list[int]) -> set[int]:
    """The alerts that already have an open case, whoever may see it: 开案 is not offered."""
    return set(
        Case.objects.filter(care_alert_id__in=alert_ids)
        .exclude(status=Stage.CLOSED)
        .values_list("care_alert_id", flat=True)
    )
