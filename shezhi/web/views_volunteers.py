"""Volunteer pages: the volunteer's mobile "我的" page, and the social worker's desk pages for
service records, corrections to verify, late records to approve and teams.

Each view parses input, calls one selector or service and renders; out-of-scope objects are 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shezhi.core.errors import DomainError, NotFound
from shezhi.volunteers import selectors, services, teams
from shezhi.volunteers.models import ServiceRecord, Team
from shezhi.web.forms_volunteers import CorrectionForm, DecisionForm, RecordFilterForm
from shezhi.web.paging import page_number, page_of
from shezhi.web.views import not_found_or, staff_only


def _optional_url(name: str) -> str | None:
    """Links to pages other apps may or may not provide (proofs, time bank)."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _get(fn, **kwargs):
    """Call a selector; NotFound (missing or out of scope) becomes a 404 page."""
    try:
        return fn(**kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from None


# --- the volunteer's "我的" page ---------------------------------------------------------------


def _me_page(request: HttpRequest, form: CorrectionForm | None = None, status: int = 200):
    page = _get(selectors.my_page, actor=request.user)
    form = form or CorrectionForm(records=page.records)
    return render(
        request,
        "web/volunteers/me.html",
        {
            "page": page,
            "form": form,
            "proofs_url": _optional_url("proofs:mine"),
            "timebank_url": _optional_url("timebank:mine"),
        },
        status=status,
    )


@login_required
def me(request: HttpRequest) -> HttpResponse:
    return _me_page(request)


@login_required
def me_record(request: HttpRequest, record_id: int) -> HttpResponse:
    record = _get(selectors.my_record, actor=request.user, record_id=record_id)
    return render(
        request,
        "web/volunteers/my_record.html",
        {
            "record": record,
            "versions": record.versions.all(),
            "corrections": record.corrections.all(),
        },
    )


@login_required
@require_POST
def me_correct(request: HttpRequest) -> HttpResponse:
    page = _get(selectors.my_page, actor=request.user, limit=200)
    form = CorrectionForm(request.POST, records=page.records)
    if form.is_valid():
        try:
            services.correction_request_file(
                actor=request.user,
                record_id=form.cleaned_data["record"],
                changes=form.changes(),
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            not_found_or(exc)
            form.add_domain_error(exc)
        else:
            messages.success(request, _("更正申请已提交，等待记录单位核实。"))
            return redirect("m:me")
    return _me_page(request, form=form, status=400)


# --- desk: records ----------------------------------------------------------------------------


@staff_only
def desk_records(request: HttpRequest) -> HttpResponse:
    form = RecordFilterForm(request.GET or None, status_choices=ServiceRecord.Status.choices)
    status, query = "", ""
    if form.is_valid():
        status, query = form.cleaned_data["status"], form.cleaned_data["q"]
    qs = selectors.records_in_scope(actor=request.user, status=status or None, query=query)
    page = page_of(qs, page_number(request.GET.get("page")))
    return render(request, "web/volunteers/desk_records.html", {"form": form, "page": page})


@staff_only
def desk_record(request: HttpRequest, record_id: int) -> HttpResponse:
    record = _get(selectors.record_get, actor=request.user, record_id=record_id)
    return render(
        request,
        "web/volunteers/desk_record.html",
        {
            "record": record,
            "versions": record.versions.select_related("changed_by"),
            "corrections": record.corrections.select_related("requested_by", "decided_by"),
            "decision_form": DecisionForm(),
        },
    )


@staff_only
def desk_corrections(request: HttpRequest) -> HttpResponse:
    page = page_of(
        selectors.corrections_to_verify(actor=request.user), page_number(request.GET.get("page"))
    )
    return render(
        request, "web/volunteers/desk_corrections.html", {"page": page, "form": DecisionForm()}
    )


@staff_only
@require_POST
def desk_correction_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.correction_request_decide(
                actor=request.user,
                request_id=request_id,
                approve=form.approve,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            not_found_or(exc)
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已处理更正申请。"))
    else:
        messages.error(request, _("请选择结论。"))
    return redirect("desk:corrections")


@staff_only
def desk_late_records(request: HttpRequest) -> HttpResponse:
    page = page_of(
        selectors.late_records_to_approve(actor=request.user), page_number(request.GET.get("page"))
    )
    return render(
        request,
        "web/volunteers/desk_late_records.html",
        {"page": page, "form": DecisionForm()},
    )


@staff_only
@require_POST
def desk_late_decide(request: HttpRequest, record_id: int) -> HttpResponse:
    form = DecisionForm(request.POST)
    if form.is_valid():
        decide = (
            services.service_record_approve_late
            if form.approve
            else services.service_record_reject_late
        )
        try:
            decide(actor=request.user, record_id=record_id, note=form.cleaned_data["reason"])
        except DomainError as exc:
            not_found_or(exc)
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已审批逾期记录。"))
    else:
        messages.error(request, _("请选择结论。"))
    return redirect("desk:late_records")


# --- desk: teams ------------------------------------------------------------------------------


@staff_only
def desk_teams(request: HttpRequest) -> HttpResponse:
    rows = selectors.teams_in_scope(actor=request.user)
    return render(request, "web/volunteers/desk_teams.html", {"teams": rows[:500]})


@login_required
def team_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    """A team's page, for its leader, its members and the staff of its community."""
    team = _get(selectors.team_get, actor=request.user, team_id=team_id)
    return render(
        request,
        "web/volunteers/team.html",
        {
            "team": team,
            "figures": selectors.team_figures(team),
            "members": selectors.team_members(team),
            "history": selectors.team_history(team)[:100],
            "form": DecisionForm(),
            "desk": request.resolver_match.namespace == "desk",
            "can_review": team.status == Team.Status.APPLIED
            and services.may_record_for(request.user, team.community),
        },
    )


@staff_only
@require_POST
def desk_team_review(request: HttpRequest, team_id: int) -> HttpResponse:
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            teams.team_review(
                actor=request.user,
                team_id=team_id,
                approve=form.approve,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            not_found_or(exc)
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已审核服务队申请。"))
    else:
        messages.error(request, _("请选择结论。"))
    return redirect("desk:team", team_id=team_id)
