"""Casework pages that read: the actor's cases and caseloads, one case file, its access log,
the watermarked export, the aggregate report."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from shezhi.accounts.models import Role
from shezhi.cases import selectors
from shezhi.cases.permissions import case_actions_for, case_desk_actions_for
from shezhi.web.cases import forms
from shezhi.web.cases.views.common import call_selector


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {
        "cases": selectors.my_cases(actor=user),
        "desk": case_desk_actions_for(user),
        "today": timezone.localdate(),
    }
    if user.role == Role.SUPERVISOR:
        context.update(
            caseloads=selectors.supervised_caseloads(actor=user),
            overdue=selectors.overdue_reviews(actor=user),
            high_risk=selectors.high_risk_cases(actor=user),
        )
    return render(request, "web/cases/list.html", context)


@login_required
@require_GET
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    user = request.user
    access = call_selector(selectors.case_get, actor=user, case_id=case_id)
    # Each part is read (and logged) only when the actor's role may see it.
    readers = {
        selectors.ASSESSMENT: ("assessments", selectors.case_assessments),
        selectors.PLAN: ("plan", selectors.case_plan),
        selectors.SESSIONS: ("sessions", selectors.case_interventions),
        selectors.TEAM: ("team", selectors.case_team),
        selectors.CRISIS: ("crises", selectors.case_crises),
        selectors.REFERRALS: ("referrals", selectors.case_referrals),
        selectors.BENEFITS: ("benefits", selectors.case_benefit_tasks),
        selectors.REVIEWS: ("reviews", selectors.case_reviews),
        selectors.HISTORY: ("history", selectors.case_history),
        selectors.SUPERVISION: ("supervision", selectors.case_supervision_notes),
    }
    context: dict[str, Any] = {
        "access": access,
        "case": access.case,
        "client_name": selectors.case_client_name(actor=user, access=access),
        "actions": case_actions_for(access),
    }
    for part, (name, read) in readers.items():
        if access.can(part):
            context[name] = read(actor=user, case_id=access.case.pk)
    return render(request, "web/cases/detail.html", context)


@login_required
@require_GET
def case_access_log(request: HttpRequest, case_id: int) -> HttpResponse:
    """The audit trail of a case, for the supervisor line."""
    access = call_selector(selectors.case_get, actor=request.user, case_id=case_id)
    logs = call_selector(selectors.case_access_logs, actor=request.user, case_id=access.case.pk)
    grants = call_selector(
        selectors.case_emergency_grants, actor=request.user, case_id=access.case.pk
    )
    return render(
        request,
        "web/cases/access_log.html",
        {"case": access.case, "logs": logs[:1000], "grants": grants, "now": timezone.now()},
    )


@login_required
@require_GET
def case_export(request: HttpRequest, case_id: int) -> HttpResponse:
    text = call_selector(selectors.case_export, actor=request.user, case_id=case_id)
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="case-{int(case_id)}.txt"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def case_report(request: HttpRequest) -> HttpResponse:
    """Caseload and outcome counts; no personal data, no case read."""
    form = forms.ReportForm(request.GET or None)
    by = form.cleaned_data["by"] if form.is_valid() and form.cleaned_data["by"] else "worker"
    rows = call_selector(selectors.case_report, actor=request.user, by=by)
    benefits = call_selector(selectors.benefit_report, actor=request.user)
    return render(
        request,
        "web/cases/report.html",
        {"form": form, "rows": rows, "by": by, "benefits": benefits},
    )
