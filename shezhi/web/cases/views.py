"""Casework desk pages (/desk/cases/): the actor's cases (and, for a supervisor, the caseloads,
overdue reviews and high-risk cases of the workers they supervise), one case file showing only
the parts the actor's role may see, and the pages that write it (intake, assessment, plan,
interventions, team, crisis protocol, referrals, benefits, review, closure, reopening,
supervision notes), the access-log review, the aggregate report, the watermarked export, and an
admin's emergency access by case number.

Every case read goes through `shezhi.cases.selectors`, which logs it; a case outside the actor's
reach is a 404 like a missing one. Writes call one service each; its DomainError goes back onto
the form in Chinese."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shezhi.accounts.models import Role, User
from shezhi.cases import selectors, services
from shezhi.cases.models import BenefitTask, CaseTeamMember, CrisisIntervention, Referral
from shezhi.cases.permissions import (
    ADMIN_ROLES,
    OPEN_ROLES,
    CaseAction,
    case_actions_for,
    case_desk_actions_for,
    case_role_actions,
)
from shezhi.core.errors import DomainError, Forbidden, InvalidInput, NotFound
from shezhi.core.page_errors import NO_OBJECT, form_error, message_error, not_found
from shezhi.web.access import roles_only
from shezhi.web.cases import forms
from shezhi.web.pickers import label_pickers


def _call(fn: Callable[..., Any], **kwargs: Any) -> Any:
    """A selector call: "not found" is a 404 page, a part the role may not see a 403."""
    try:
        return fn(**kwargs)
    except NotFound as exc:
        raise not_found(exc) from None
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None


def _back(case_id: int) -> HttpResponse:
    return redirect("cases:detail", case_id=case_id)


# --- reading ----------------------------------------------------------------------------


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
    access = _call(selectors.case_get, actor=user, case_id=case_id)
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
    access = _call(selectors.case_get, actor=request.user, case_id=case_id)
    logs = _call(selectors.case_access_logs, actor=request.user, case_id=access.case.pk)
    grants = _call(selectors.case_emergency_grants, actor=request.user, case_id=access.case.pk)
    return render(
        request,
        "web/cases/access_log.html",
        {"case": access.case, "logs": logs[:1000], "grants": grants, "now": timezone.now()},
    )


@login_required
@require_GET
def case_export(request: HttpRequest, case_id: int) -> HttpResponse:
    text = _call(selectors.case_export, actor=request.user, case_id=case_id)
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
    rows = _call(selectors.case_report, actor=request.user, by=by)
    benefits = _call(selectors.benefit_report, actor=request.user)
    return render(
        request,
        "web/cases/report.html",
        {"form": form, "rows": rows, "by": by, "benefits": benefits},
    )


# --- intake -----------------------------------------------------------------------------


def _open(user: User, d: dict[str, Any]) -> Any:
    consent = {
        "client_consent": d["client_consent"],
        "guardian_name": d["guardian_name"],
        "guardian_consent": d["guardian_consent"],
    }
    common = {"actor": user, "problem_type": d["problem_type"], "risk_level": d["risk_level"]}
    if d["source"] == "crisis_alert":
        return services.case_open_from_alert(alert_id=d["alert"], **common, **consent)
    if d["source"] == "need":
        return services.case_open_from_need(need_id=d["need"], **common, **consent)
    referral = None
    if d["source"] == "referral_in":
        referral = services.ReferralIn(
            institution_kind=d["institution_kind"],
            institution_name=d["institution_name"],
            reason=d["referral_reason"],
            contact=d["contact"],
        )
    return services.case_open(
        client_id=d["client"],
        source=d["source"],
        opened_on=d["opened_on"],
        referral_in=referral,
        **common,
        **consent,
    )


@roles_only(OPEN_ROLES)
def case_new(request: HttpRequest) -> HttpResponse:
    """接案. A link from a care alert (?alert=) or a need (?need=) prefills the source."""
    initial: dict[str, Any] = {}
    for key, source in (("alert", "crisis_alert"), ("need", "need"), ("resident", "")):
        value = request.GET.get(key, "")
        if value.isdigit():
            initial["client" if key == "resident" else key] = int(value)
            if source:
                initial["source"] = source
                initial["risk_level"] = "urgent" if key == "alert" else "medium"
    form = forms.CaseOpenForm(request.POST or None, initial=initial)
    label_pickers(form, request.user)
    if request.method == "POST" and form.is_valid():
        try:
            case = _open(request.user, form.cleaned_data)
        except NotFound as exc:
            # The need, alert or resident named on the form is not one the actor may see.
            form.add_error(None, exc.message)
        except DomainError as exc:
            form_error(form, exc, forbidden=True)
        else:
            messages.success(request, _("已开案：个案 #%(n)s。") % {"n": case.pk})
            return _back(case.pk)
    return _form_page(request, form, _("开案"), None)


# --- the generic write page -----------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    form: django_forms.Form,
    title: str,
    case: Any,
    *,
    formset: Any = None,
    testid: str = "case-form",
) -> HttpResponse:
    has_errors = bool(form.errors) or bool(formset is not None and formset.total_error_count())
    return render(
        request,
        "web/cases/form.html",
        {"form": form, "title": title, "case": case, "formset": formset, "testid": testid},
        status=400 if request.method == "POST" and has_errors else 200,
    )


def _case_write(
    request: HttpRequest,
    case_id: int,
    *,
    form_class: type[forms.DomainForm],
    title: str,
    perform: Callable[[User, int, dict[str, Any], Any], Any],
    done: str,
    form_kwargs: Callable[..., dict[str, Any]] | None = None,
    testid: str = "case-form",
    action: CaseAction,
) -> HttpResponse:
    """GET shows the form for a case the actor may see (a logged read) and whose relation to
    the case allows `action` (the service checks again, and checks the case's state); POST
    calls `perform` (one service) and returns to the case, or puts the service's message on
    the form."""
    access = _call(selectors.case_get, actor=request.user, case_id=case_id)
    if action not in case_role_actions(access):
        raise PermissionDenied(_("您在本个案中的角色不能进行此操作"))
    case = access.case
    extra = _call(form_kwargs, user=request.user, case_id=case.pk) if form_kwargs else {}
    form = form_class(request.POST or None, **extra)
    if request.method == "POST" and form.is_valid():
        try:
            perform(request.user, case.pk, form.cleaned_data, form)
        except DomainError as exc:
            form_error(form, exc, forbidden=True)
        else:
            messages.success(request, done)
            return _back(case.pk)
    return _form_page(request, form, title, case, testid=testid)


@login_required
def consent(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_write(
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
    return _case_write(
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
    return _case_write(
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
    access = _call(selectors.case_get, actor=user, case_id=case_id)
    if CaseAction.PLAN not in case_role_actions(access):
        raise PermissionDenied(_("您在本个案中的角色不能进行此操作"))
    case = access.case
    members = _call(selectors.case_team, actor=user, case_id=case.pk, active_only=True)
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
            return _back(case.pk)
    return _form_page(request, form, _("服务计划"), case, formset=formset)


def _goals(user: User, case_id: int) -> dict[str, Any]:
    current = selectors.case_plan(actor=user, case_id=case_id)
    return {"goals": list(current.goals.all()) if current else []}


@login_required
def intervention(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_write(
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
    return _case_write(
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
    return _child_status(
        request,
        CaseTeamMember,
        member_id,
        forms.TeamEndForm(request.POST),
        lambda d: services.team_end(actor=request.user, member_id=member_id, **d),
        lambda tm: _("已结束该成员的团队服务。"),
    )


@login_required
def review(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_write(
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
    return _case_write(
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
    return _case_write(
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
    return _case_write(
        request,
        case_id,
        form_class=forms.SupervisionNoteForm,
        title=_("督导记录"),
        action=CaseAction.SUPERVISE,
        done=_("已保存督导记录。"),
        perform=lambda u, c, d, f: services.supervision_note_add(actor=u, case_id=c, **d),
    )


# --- referrals and benefits ----------------------------------------------------------------


@login_required
def referral_new(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_write(
        request,
        case_id,
        form_class=forms.ReferralForm,
        title=_("转介"),
        action=CaseAction.REFER,
        done=_("已登记转介。"),
        perform=lambda u, c, d, f: services.referral_create(actor=u, case_id=c, **d),
        testid="referral-form",
    )


def _child_case(model: Any, pk: int) -> int | None:
    return model.objects.filter(pk=pk).values_list("case_id", flat=True).first()


def _child_status(
    request: HttpRequest,
    model: Any,
    pk: int,
    form: Any,
    perform: Callable[[dict[str, Any]], Any],
    done: Callable[[Any], str],
) -> HttpResponse:
    """A change to a row of a case (a referral's or benefit task's status, a team member's
    end): back to its case with a message; a bad form is shown only to someone who may see
    the case."""
    case_id = _child_case(model, pk)
    if not form.is_valid():
        if case_id is None:
            raise Http404
        _call(selectors.case_access, actor=request.user, case_id=case_id)
        messages.error(request, "；".join(form.labelled_errors()))
        return _back(case_id)
    try:
        obj = perform(form.cleaned_data)
    except DomainError as exc:
        message_error(request, exc, forbidden=True)
        return _back(case_id or 0)
    messages.success(request, done(obj))
    return _back(obj.case_id)


@login_required
@require_POST
def referral_status(request: HttpRequest, referral_id: int) -> HttpResponse:
    return _child_status(
        request,
        Referral,
        referral_id,
        forms.ReferralStatusForm(request.POST),
        lambda d: services.referral_advance(actor=request.user, referral_id=referral_id, **d),
        lambda r: _("转介状态已更新：%(s)s。") % {"s": r.get_status_display()},
    )


@login_required
def benefits_new(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_write(
        request,
        case_id,
        form_class=forms.BenefitForm,
        title=_("救助申请事项"),
        action=CaseAction.START_BENEFITS,
        done=_("已登记救助申请事项。"),
        perform=lambda u, c, d, f: services.benefit_tasks_start(actor=u, case_id=c, **d),
    )


@login_required
@require_POST
def benefit_status(request: HttpRequest, task_id: int) -> HttpResponse:
    return _child_status(
        request,
        BenefitTask,
        task_id,
        forms.BenefitStatusForm(request.POST),
        lambda d: services.benefit_task_set_status(actor=request.user, task_id=task_id, **d),
        lambda t: _("申请状态已更新。"),
    )


# --- crisis intervention ----------------------------------------------------------------------


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
    crises = _call(selectors.case_crises, actor=user, case_id=case_id)
    access = _call(selectors.case_access, actor=user, case_id=case_id)
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
    case_id = _child_case(CrisisIntervention, crisis_id)
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


# --- an admin's emergency access ----------------------------------------------------------------


@roles_only(ADMIN_ROLES)
def emergency_access(request: HttpRequest) -> HttpResponse:
    """管理员紧急访问: an admin asks for time-limited access to a case by its number, with a
    reason, and sees their active grants. The admin cannot list cases, and the page answers an
    unknown number exactly like a case outside their reach (the service's one message)."""
    form = forms.EmergencyAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            grant = services.emergency_access_grant(
                actor=request.user, case_id=d["case_number"], reason=d["reason"], hours=d["hours"]
            )
        except DomainError as exc:
            form_error(form, exc, objects=NO_OBJECT)
        else:
            until = timezone.localtime(grant.expires_at)
            messages.success(
                request,
                _("已开启个案 #%(n)s 的紧急访问，%(t)s 到期；督导和个案社工已收到通知。")
                % {"n": grant.case_id, "t": f"{until:%Y-%m-%d %H:%M}"},
            )
            return redirect("cases:emergency")
    grants = selectors.emergency_grants_active(actor=request.user)
    return render(
        request,
        "web/cases/emergency.html",
        {"form": form, "grants": grants, "max_hours": services.emergency_max_hours()},
        status=400 if request.method == "POST" and form.errors else 200,
    )


@roles_only(ADMIN_ROLES)
@require_POST
def emergency_revoke(request: HttpRequest, grant_id: int) -> HttpResponse:
    try:
        grant = services.emergency_access_revoke(actor=request.user, grant_id=grant_id)
    except NotFound as exc:
        raise not_found(exc) from None
    messages.success(request, _("已结束个案 #%(n)s 的紧急访问。") % {"n": grant.case_id})
    return redirect("cases:emergency")
