"""The crisis-intervention protocol page and its actions."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shezhi.cases import selectors, services
from shezhi.cases.models import CrisisIntervention
from shezhi.cases.permissions import case_actions_for
from shezhi.core.errors import DomainError, InvalidInput
from shezhi.core.page_errors import message_error
from shezhi.web.cases import forms
from shezhi.web.cases.views.common import call_selector, child_case


def _step_rows(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for s in steps:
        done_at = None
        if s.get("done_at"):
            try:
                done_at = timezone.localtime(datetime.fromisoformat(s["done_at"]))
            except (TypeError, ValueError):
                done_at = None
        rows.append({**s, "done_at": done_at})
    return rows


@login_required
def crisis(request: HttpRequest, case_id: int) -> HttpResponse:
    """危机干预: start the protocol (the supervisor line is told at once), tick the steps, write
    the safety plan and end it when every required step is done."""
    user = request.user
    crises = call_selector(selectors.case_crises, actor=user, case_id=case_id)
    access = call_selector(selectors.case_access, actor=user, case_id=case_id)
    if request.method == "POST":
        try:
            services.crisis_start(actor=user, case_id=access.case.pk)
        except DomainError as exc:
            message_error(request, exc, forbidden=True)
        else:
            messages.success(request, _("已启动危机干预，已通知督导。"))
        return redirect("cases:crisis", case_id=access.case.pk)
    active = next((c for c in crises if c.ended_at is None), None)
    return render(
        request,
        "web/cases/crisis.html",
        {
            "case": access.case,
            "access": access,
            "actions": case_actions_for(access),
            "active": active,
            "steps": _step_rows(active.steps) if active else [],
            "past": [c for c in crises if c is not active],
            "safety_form": forms.SafetyPlanForm(
                initial={"safety_plan": active.safety_plan} if active else None
            ),
        },
    )


def _crisis_action(request: HttpRequest, crisis_id: int, act: Callable[[], Any]) -> HttpResponse:
    case_id = child_case(CrisisIntervention, crisis_id)
    try:
        act()
    except DomainError as exc:
        message_error(request, exc, forbidden=True)
    if case_id is None:
        raise Http404
    return redirect("cases:crisis", case_id=case_id)


@login_required
@require_POST
def crisis_step(request: HttpRequest, crisis_id: int) -> HttpResponse:
    form = forms.CrisisStepForm(request.POST)
    step = form.cleaned_data["step"] if form.is_valid() else ""

    def act() -> Any:
        if not step:
            raise InvalidInput(_("请选择处置步骤"), field="step")
        return services.crisis_step_done(actor=request.user, crisis_id=crisis_id, step=step)

    return _crisis_action(request, crisis_id, act)


@login_required
@require_POST
def crisis_safety_plan(request: HttpRequest, crisis_id: int) -> HttpResponse:
    form = forms.SafetyPlanForm(request.POST)

    def act() -> Any:
        if not form.is_valid():
            raise InvalidInput("；".join(form.labelled_errors()), field="safety_plan")
        return services.crisis_safety_plan(
            actor=request.user, crisis_id=crisis_id, text=form.cleaned_data["safety_plan"]
        )

    return _crisis_action(request, crisis_id, act)


@login_required
@require_POST
def crisis_end(request: HttpRequest, crisis_id: int) -> HttpResponse:
    return _crisis_action(
        request,
        crisis_id,
        lambda: services.crisis_end(actor=request.user, crisis_id=crisis_id),
    )
