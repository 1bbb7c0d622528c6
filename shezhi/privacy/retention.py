"""The retention job (`shezhi privacy_retention`, daily in SHEZHI_SCHEDULE): removes personal
data past its period (policy.rules) and reports what it did in a RetentionRun and the audit trail.

Rows stay, so counts stay; only their free text goes. Each step only touches rows that still hold
text, so a second run the same day changes nothing."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from shezhi.care.models import Visit
from shezhi.cases.models import (
    Assessment,
    BenefitTask,
    Case,
    CaseClosure,
    CaseReview,
    CaseTransition,
    CrisisIntervention,
    Goal,
    InterventionLog,
    Referral,
    ServicePlan,
    Stage,
    SupervisionNote,
)
from shezhi.core import audit
from shezhi.core.models import AuditEvent
from shezhi.needs.models import Need
from shezhi.needs.workflow import Status as NeedStatus
from shezhi.notifications.models import Notification
from shezhi.people.models import Resident
from shezhi.privacy.anonymise import NEED_TEXTS, VISIT_NOTES, anonymise_resident
from shezhi.privacy.models import RetentionRun, RightsRequest
from shezhi.privacy.policy import cutoff
from shezhi.privacy.selectors import cases_in_retention, periods

FINISHED_NEEDS = (
    NeedStatus.DONE,
    NeedStatus.RATED,
    NeedStatus.CANCELLED,
    NeedStatus.UNRESOLVABLE,
)
# Case-file text cleared once the case is past retention: (model, fields).
CASE_TEXTS = (
    (Assessment, ("presenting_problem", "family_support", "health", "risks", "strengths")),
    (Assessment, ("narrative",)),
    (ServicePlan, ("summary",)),
    (Goal, ("description", "interventions")),
    (InterventionLog, ("content",)),
    (CaseReview, ("note",)),
    (CrisisIntervention, ("safety_plan",)),
    (Referral, ("contact", "reason", "answer")),
    (BenefitTask, ("note",)),
    (SupervisionNote, ("text",)),
    (CaseTransition, ("note",)),
    (CaseClosure, ("outcome_note", "reopen_reason")),
)


def _holding_text(fields: tuple[str, ...]) -> Q:
    q = Q()
    for f in fields:
        q |= ~Q(**{f: ""})
    return q


def _expired_cases(today) -> Q:
    limit = cutoff(today, years=periods().case_years)
    recent = CaseClosure.objects.filter(
        case=OuterRef("pk"), reopened_at__isnull=True, closed_on__gt=limit
    )
    return Q(status=Stage.CLOSED) & ~Q(Exists(recent))


@transaction.atomic
def retention_run(*, now: datetime | None = None) -> RetentionRun:
    now = now or timezone.now()
    today = timezone.localdate(now)
    p = periods()
    report: dict[str, int] = {}

    need_cut = cutoff(today, years=p.need_years)
    needs = Need.objects.filter(status__in=FINISHED_NEEDS, updated_at__date__lt=need_cut)
    report["need"] = needs.filter(_holding_text(NEED_TEXTS)).update(**dict.fromkeys(NEED_TEXTS, ""))

    visit_cut = cutoff(today, years=p.visit_years)
    visits = Visit.objects.filter(visited_on__lt=visit_cut).filter(_holding_text(VISIT_NOTES))
    report["care"] = visits.update(**dict.fromkeys(VISIT_NOTES, ""))

    notice_cut = now - timedelta(days=p.notification_days)
    deleted = Notification.objects.filter(created_at__lt=notice_cut).delete()[1]
    report["notification"] = deleted.get(Notification._meta.label, 0)

    expired = Case.objects.filter(_expired_cases(today))
    cleared = 0
    for model, fields in CASE_TEXTS:
        link = "plan__case__in" if model is Goal else "case__in"
        rows = model.objects.filter(**{link: expired}).filter(_holding_text(fields))
        cleared += rows.update(**dict.fromkeys(fields, ""))
    cleared += expired.exclude(guardian_name="").update(guardian_name="")
    crisis = CrisisIntervention.objects.filter(case__in=expired).exclude(steps=[])
    cleared += crisis.update(steps=[])
    report["case"] = cleared

    # Deletions that waited for a case file's retention to end.
    finished = 0
    waiting = RightsRequest.objects.filter(
        kind=RightsRequest.Kind.DELETION,
        status=RightsRequest.Status.PARTLY,
        resident__anonymised_at__isnull=True,
    ).select_related("resident")
    for request in waiting:
        resident = Resident.objects.select_for_update().get(pk=request.resident_id)
        if cases_in_retention(resident, today).exists():
            continue
        changed = anonymise_resident(resident, now=now)
        request.outcome = {**request.outcome, "completed_at": now.isoformat(), "later": changed}
        request.save(update_fields=["outcome", "updated_at"])
        finished += 1
    report["resident"] = finished

    run = RetentionRun.objects.create(report=report, total=sum(report.values()))
    audit.record(
        actor=None,
        action=AuditEvent.Action.UPDATE,
        obj=run,
        summary="保存期限清理：" + "，".join(f"{k} {v}" for k, v in report.items() if v)
        if run.total
        else "保存期限清理：无到期数据",
        changes=report,
    )
    return run
