"""The pages that write one case file: consent, stage, assessment, plan, interventions, team,
review, closure, reopening, supervision notes."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shezhi.accounts.models import User
from shezhi.cases import selectors, services
from shezhi.cases.models import CaseTeamMember
from shezhi.cases.permissions import CaseAction, case_role_actions
from shezhi.core.errors import DomainError
from shezhi.core.page_errors import form_error
from shezhi.web.cases import forms
from shezhi.web.cases.views.common import (
    back_to_case,
    call_selector,
    case_write,
    child_status,
    form_page,
)


@login_required
def consent(request: HttpRequest, case_id: int) -> HttpResponse:
    return case_write(
        request,
        case_id,
        form_class=forms.ConsentForm,
        title=_("记录知情同意"),
        action=CaseAction.RECORD_CONSENT,
        done=_("已记录知情同意。"),
        perform=lambda u, c, d, f: services.case_record_consent(actor=u, case_id=c, **d),
    )


@login_required
def advance(request: HttpRequest, case_id: int) -> HttpResponse:
    return case_write(
        request,
        case_id,
        form_class=forms.AdvanceForm,
        title=_("转入下一阶段"),
        action=CaseAction.ADVANCE,
        done=_("个案阶段已更新。"),
        perform=lambda u, c, d, f: services.case_advance(actor=u, case_id=c, **d),
    )


@login_required
def assessment(request: HttpRequest, case_id: int) -> HttpResponse:
    return case_write(
        request,
        case_id,
        form_class=forms.AssessmentForm,
        title=_("预估"),
        action=CaseAction.ASSESS,
        done=_("已保存预估。"),
        perform=lambda u, c, d, f: services.assessment_record(actor=u, case_id=c, **d),
    )


@login_required
def plan(request: HttpRequest, case_id: int) -> HttpResponse:
    """服务计划 with its goals (a formset); a plan without goals is refused by the service."""
    user = request.user
    access = call_selector(selectors.case_get, actor=user, case_id=case_id)
    if CaseAction.PLAN not in case_role_actions(access):
        raise PermissionDenied(_("您在本个案中的角色不能进行此操作"))
    case = access.case
    members = call_selector(selectors.case_team, actor=user, case_id=case.pk, active_only=True)
    form = forms.PlanForm(request.POST or None)
    formset = forms.GoalFormSet(
        request.POST or None, prefix="goals", form_kwargs={"members": members}
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        goals = [
            services.GoalInput(
                description=g["description"],
                interventions=g["interventions"],
                responsible_id=g["responsible"],
                due_on=g["due_on"],
            )
            for g in formset.cleaned_data
            if g
        ]
        try:
            services.plan_create(
                actor=user, case_id=case.pk, goals=goals, summary=form.cleaned_data["summary"]
            )
        except DomainError as exc:
            form_error(form, exc, forbidden=True)
        else:
            messages.success(request, _("已保存服务计划。"))
            return back_to_case(case.pk)
    return form_page(request, form, _("服务计划"), case, formset=formset)


def _goals(user: User, case_id: int) -> dict[str, Any]:
    current = selectors.case_plan(actor=user, case_id=case_id)
    return {"goals": list(current.goals.all()) if current else []}


@login_required
def intervention(request: HttpRequest, case_id: int) -> HttpResponse:
    return case_write(
        request,
        case_id,
        form_class=forms.InterventionForm,
        title=_("登记介入记录"),
        action=CaseAction.LOG_SESSION,
        done=_("已登记介入记录。"),
        form_kwargs=_goals,
        perform=lambda u, c, d, f: services.intervention_log(
            actor=u, case_id=c, goal_id=d.pop("goal"), **d
        ),
    )


def _team_add(user: User, case_id: int, d: dict[str, Any], form: Any) -> Any:
    member = User.objects.filter(username=d["username"].strip()).values_list("pk", flat=True)
    return services.team_add(
        actor=user,
        case_id=case_id,
        user_id=member.first(),
        role=d["role"],
        ended_on=d["ended_on"],
    )


@login_required
def team_add(request: HttpRequest, case_id: int) -> HttpResponse:
    return case_write(
        request,
        case_id,
        form_class=forms.TeamAddForm,
        title=_("邀请团队成员"),
        action=CaseAction.ADD_MEMBER,
        done=_("已加入个案团队。"),
        perform=_team_add,
    )


@login_required
@require_POST
def team_end(request: HttpRequest, member_id: int) -> HttpResponse:
    return child_status(
        request,
        CaseTeamMember,
        member_id,
        forms.TeamEndForm(request.POST),
        lambda d: services.team_end(actor=request.user, member_id=member_id, **d),
        lambda tm: _("已结束该成员的团队服务。"),
    )


@login_required
def review(request: HttpRequest, case_id: int) -> HttpResponse:
    return case_write(
        request,
        case_id,
        form_class=forms.ReviewForm,
        title=_("个案复核"),
        action=CaseAction.REVIEW,
        done=_("已记录复核。"),
        perform=lambda u, c, d, f: services.case_review(actor=u, case_id=c, **d),
    )


def _close(user: User, case_id: int, d: dict[str, Any], form: Any) -> Any:
    fields = ("reason", "outcome", "outcome_note", "closed_on", "follow_up_on")
    return services.case_close(
        actor=user,
        case_id=case_id,
        goal_statuses=form.goal_statuses(),
        **{k: d[k] for k in fields},
    )


@login_required
def close(request: HttpRequest, case_id: int) -> HttpResponse:
    return case_write(
        request,
        case_id,
        form_class=forms.CloseForm,
        title=_("结案"),
        action=CaseAction.CLOSE,
        done=_("个案已结案。"),
        form_kwargs=_goals,
        perform=_close,
    )


@login_required
def reopen(request: HttpRequest, case_id: int) -> HttpResponse:
    return case_write(
        request,
        case_id,
        form_class=forms.ReopenForm,
        title=_("重开个案"),
        action=CaseAction.REOPEN,
        done=_("个案已重开，原结案记录保留。"),
        perform=lambda u, c, d, f: services.case_reopen(actor=u, case_id=c, **d),
    )


@login_required
def supervision_note(request: HttpRequest, case_id: int) -> HttpResponse:
    return case_write(
        request,
        case_id,
        form_class=forms.SupervisionNoteForm,
        title=_("督导记录"),
        action=CaseAction.SUPERVISE,
        done=_("已保存督导记录。"),
        perform=lambda u, c, d, f: services.supervision_note_add(actor=u, case_id=c, **d),
    )
