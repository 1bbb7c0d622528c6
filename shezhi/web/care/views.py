"""Care pages (关爱不漏一人). On the phone (/m/care/): the contact person's "today" list, a
resident's care card, the visit form, and the doors of a door-knocking campaign in walking order.
At the desk (/desk/care/): the registry with filters, a resident's profile and contact persons,
alerts (acknowledge, mandatory report, close), campaigns (launch, live progress) and coverage.

Each view parses input, calls one selector or service and renders; anything outside the actor's
units is a 404; a service's DomainError goes back onto the form in Chinese."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shezhi.accounts.models import User
from shezhi.care import campaigns, cards, selectors, services
from shezhi.care.cadence import days_overdue
from shezhi.care.models import (
    CHECKLIST,
    Campaign,
    CampaignStop,
    CareAlert,
    CareProfile,
)
from shezhi.care.permissions import (
    CARE_ROLES,
    MANAGE_ROLES,
    alert_actions_for,
    stop_actions_for,
)
from shezhi.cases import selectors as case_selectors
from shezhi.cases.permissions import CaseDeskAction, case_desk_actions_for
from shezhi.core.errors import DomainError, Forbidden, NotFound
from shezhi.core.page_errors import NO_OBJECT, form_error, message_error, not_found
from shezhi.org.models import Level
from shezhi.web.access import roles_only
from shezhi.web.care import forms
from shezhi.web.paging import page_number, page_of

# The pages' role gates come from the care permission module; the services check the same.
care_only = roles_only(CARE_ROLES)
desk_only = roles_only(MANAGE_ROLES)


def _get(fn: Callable[..., Any], **kwargs: Any) -> Any:
    try:
        return fn(**kwargs)
    except NotFound as exc:
        raise not_found(exc) from None


def _cadence(profile: CareProfile | None) -> str:
    if profile is None:
        return ""
    return services.rules().interval(profile.risk_level).describe()


# --- phone: today, card, visit ------------------------------------------------------------


@care_only
@require_GET
def today(request: HttpRequest) -> HttpResponse:
    user = request.user
    day = timezone.localdate()
    due = page_of(selectors.today_list(actor=user, today=day), page_number(request.GET.get("page")))
    rows = [
        {
            "profile": p,
            "overdue": days_overdue(p.next_visit_due, day),
            # On their own list the contact person sees the door; the phone stays masked.
            "address": cards.shown_address(user, p.resident, is_contact=True),
            "phone": cards.listed_phone(p.resident),
        }
        for p in due.items
    ]
    active = (
        selectors.campaigns_visible_to(user)
        .filter(status=Campaign.Status.ACTIVE)
        .order_by("-created_at")[:10]
    )
    # Staff see their whole unit; "mine" counts those the actor is the contact person of.
    mine = selectors.my_profiles(actor=user).count()
    return render(
        request,
        "web/care/today.html",
        {"rows": rows, "page": due, "campaigns": active, "mine": mine, "today": day},
    )


@care_only
@require_GET
def card(request: HttpRequest, resident_id: int) -> HttpResponse:
    c = _get(cards.care_card, actor=request.user, resident_id=resident_id)
    return render(
        request,
        "web/care/card.html",
        {"c": c, "cadence": _cadence(c.profile), "today": timezone.localdate()},
    )


@care_only
def visit(request: HttpRequest, resident_id: int) -> HttpResponse:
    resident = _get(selectors.care_resident_get, actor=request.user, resident_id=resident_id)
    form = forms.VisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        need = None
        if d["raise_need"]:
            need = services.NeedDraft(
                category=d["category"], urgency=d["urgency"], description=d["need_description"]
            )
        try:
            logged = services.visit_log(
                actor=request.user,
                resident_id=resident.pk,
                visited_on=d["visited_on"],
                contact_made=d["contact_made"],
                mode=d["mode"],
                checklist={i: d[i] for i in CHECKLIST},
                notes={i: d[f"{i}_note"] for i in CHECKLIST},
                note=d["note"],
                risk_level=d["risk_level"],
                risk_reasons=d["risk_reasons"],
                need=need,
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("已登记走访。"))
            if logged.raised_need_id:
                messages.success(
                    request,
                    _("已登记需求 #%(n)s，进入民情台账等待派单。") % {"n": logged.raised_need_id},
                )
            return redirect("care:card", resident_id=resident.pk)
    return render(
        request,
        "web/care/visit.html",
        {"resident": resident, "form": form},
        status=400 if form.errors else 200,
    )


# --- phone: campaign doors ----------------------------------------------------------------


@care_only
@require_GET
def stops(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _get(selectors.campaign_get, actor=request.user, campaign_id=campaign_id)
    # The walker's own doors: they must find them, so the address is in full.
    doors = [
        {
            "stop": s,
            "address": cards.shown_address(request.user, s.resident, is_contact=True),
            "actions": stop_actions_for(request.user, s, mine=True),
        }
        for s in selectors.campaign_my_stops(
            actor=request.user, campaign_id=campaign.pk
        ).select_related("resident__compound", "campaign")[:500]
    ]
    return render(
        request,
        "web/care/stops.html",
        {"campaign": campaign, "doors": doors, "form": forms.StopForm()},
    )


@care_only
@require_POST
def stop_record(request: HttpRequest, stop_id: int) -> HttpResponse:
    form = forms.StopForm(request.POST)
    campaign_id = request.POST.get("campaign", "")
    if not form.is_valid():
        messages.error(request, "；".join(form.labelled_errors()))
    else:
        try:
            stop = campaigns.campaign_stop_record(
                actor=request.user,
                stop_id=stop_id,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            message_error(request, exc)
        else:
            campaign_id = str(stop.campaign_id)
            messages.success(
                request,
                _("第 %(n)s 户：%(o)s") % {"n": stop.position, "o": stop.get_outcome_display()},
            )
    if campaign_id.isdigit():
        return redirect("care:stops", campaign_id=int(campaign_id))
    return redirect("care:today")


# --- desk: registry and profile -----------------------------------------------------------


def _units(user: User) -> list[tuple[int, str]]:
    qs = (
        selectors.units_in_reach(actor=user)
        .filter(level__in=[Level.COMMUNITY, Level.GRID])
        .order_by("path")
    )
    return [(u.pk, ("" if u.level == Level.COMMUNITY else "　") + u.name) for u in qs[:300]]


@desk_only
@require_GET
def registry(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = forms.RegistryFilter(request.GET or None, units=_units(user))
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    qs = selectors.registry(
        actor=user,
        risk=filters.get("risk") or "",
        unit_id=filters.get("unit") or None,
        no_contact=bool(filters.get("no_contact")),
        q=filters.get("q") or "",
    )
    page = page_of(qs, page_number(request.GET.get("page")))
    day = timezone.localdate()
    rows = [
        {
            "profile": p,
            "overdue": days_overdue(p.next_visit_due, day),
            "address": cards.shown_address(user, p.resident, is_contact=False),
            "phone": cards.listed_phone(p.resident),
        }
        for p in page.items
    ]
    return render(
        request,
        "web/care/registry.html",
        {
            "form": form,
            "rows": rows,
            "page": page,
            "can_launch": campaigns.may_launch(user),
            "register_form": forms.RegisterForm(),
        },
        status=400 if form.errors else 200,
    )


@desk_only
@require_GET
def register(request: HttpRequest) -> HttpResponse:
    form = forms.RegisterForm(request.GET)
    if not form.is_valid():
        messages.error(request, "；".join(form.labelled_errors()))
        return redirect("care:registry")
    return redirect("care:profile", resident_id=form.cleaned_data["resident"])


def _candidates(resident) -> list[tuple[User, str]]:
    users = selectors.contact_candidates(resident=resident)
    return [(u, f"{u}（{u.get_role_display()}）") for u in users]


def _profile_page(request: HttpRequest, resident_id: int, status: int = 200, **bound):
    c = _get(cards.care_card, actor=request.user, resident_id=resident_id)
    profile = c.profile
    initial = (
        {"risk_level": profile.risk_level, "risk_reasons": profile.risk_reasons} if profile else {}
    )
    context = {
        "c": c,
        "cadence": _cadence(profile),
        "profile_form": bound.get("profile_form") or forms.ProfileForm(initial=initial),
        "contact_form": bound.get("contact_form")
        or forms.ContactForm(candidates=_candidates(c.resident)),
        "open_alerts": selectors.alerts_open(actor=request.user).filter(resident=c.resident),
    }
    return render(request, "web/care/profile.html", context, status=status)


@desk_only
@require_GET
def profile(request: HttpRequest, resident_id: int) -> HttpResponse:
    return _profile_page(request, resident_id)


@desk_only
@require_POST
def profile_set(request: HttpRequest, resident_id: int) -> HttpResponse:
    form = forms.ProfileForm(request.POST)
    if form.is_valid():
        try:
            services.care_profile_set(
                actor=request.user, resident_id=resident_id, **form.cleaned_data
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("关爱档案已保存。"))
            return redirect("care:profile", resident_id=resident_id)
    return _profile_page(request, resident_id, status=400, profile_form=form)


@desk_only
@require_POST
def contact_assign(request: HttpRequest, resident_id: int) -> HttpResponse:
    resident = _get(selectors.care_resident_get, actor=request.user, resident_id=resident_id)
    form = forms.ContactForm(request.POST, candidates=_candidates(resident))
    if form.is_valid():
        try:
            a = services.contact_assign(
                actor=request.user,
                resident_id=resident_id,
                contact_id=form.cleaned_data["contact"],
                started_on=form.cleaned_data["started_on"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("已指派一对一联系人：%(n)s") % {"n": a.contact})
            return redirect("care:profile", resident_id=resident_id)
    return _profile_page(request, resident_id, status=400, contact_form=form)


@desk_only
@require_POST
def contact_end(request: HttpRequest, assignment_id: int) -> HttpResponse:
    form = forms.ContactEndForm(request.POST)
    # The resident must be in the actor's scope before anything is said about the record.
    assignment = _get(
        selectors.contact_assignment_get, actor=request.user, assignment_id=assignment_id
    )
    if not form.is_valid():
        messages.error(request, "；".join(form.labelled_errors()))
    else:
        try:
            services.contact_end(
                actor=request.user, assignment_id=assignment_id, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            message_error(request, exc)
        else:
            messages.success(request, _("已结束该联系人，记录保留在历史中。"))
    return redirect("care:profile", resident_id=assignment.resident_id)


# --- desk: alerts -------------------------------------------------------------------------


@desk_only
@require_GET
def alerts(request: HttpRequest) -> HttpResponse:
    form = forms.AlertFilter(request.GET or None)
    kind = form.cleaned_data["kind"] if form.is_bound and form.is_valid() else ""
    qs = selectors.alerts_open(actor=request.user, kind=kind or None).select_related(
        "grid", "resident__compound"
    )
    page = page_of(qs, page_number(request.GET.get("page")))
    alerts = page.items
    ids = [a.pk for a in alerts]
    case_of = case_selectors.cases_of_alerts(actor=request.user, alert_ids=ids)
    with_case = case_selectors.alerts_with_case(alert_ids=ids)
    for a in alerts:
        a.case_link = case_of.get(a.pk)
        a.has_case = a.pk in with_case
        a.actions = alert_actions_for(request.user, a)
    return render(
        request,
        "web/care/alerts.html",
        {
            "form": form,
            "alerts": alerts,
            "page": page,
            "now": timezone.now(),
            "can_open_case": CaseDeskAction.OPEN_CASE in case_desk_actions_for(request.user),
        },
    )


def _alert_action(request: HttpRequest, action: Callable[[], str]) -> HttpResponse:
    try:
        message = action()
    except DomainError as exc:
        message_error(request, exc)
    else:
        messages.success(request, message)
    return redirect("care:alerts")


@desk_only
@require_POST
def alert_ack(request: HttpRequest, alert_id: int) -> HttpResponse:
    def action() -> str:
        services.alert_acknowledge(actor=request.user, alert_id=alert_id)
        return _("已确认预警，请尽快处置。")

    return _alert_action(request, action)


@desk_only
@require_POST
def alert_report(request: HttpRequest, alert_id: int) -> HttpResponse:
    form = forms.ReportForm(request.POST)
    if not form.is_valid():
        _get(selectors.alert_get, actor=request.user, alert_id=alert_id)
        messages.error(request, "；".join(form.labelled_errors()))
        return redirect("care:alerts")

    def action() -> str:
        alert = services.alert_record_report(
            actor=request.user,
            alert_id=alert_id,
            reported_to=form.cleaned_data["reported_to"],
            reported_at=form.cleaned_data["reported_at"],
        )
        return _("已登记强制报告：%(t)s 报告%(to)s") % {
            "t": timezone.localtime(alert.reported_at).strftime("%Y-%m-%d %H:%M"),
            "to": alert.reported_to,
        }

    return _alert_action(request, action)


@desk_only
def alert_close(request: HttpRequest, alert_id: int) -> HttpResponse:
    """A page of its own: closing is a second, deliberate step with the reason written down."""
    alert = _get(selectors.alert_get, actor=request.user, alert_id=alert_id)
    form = forms.CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.alert_close(
                actor=request.user,
                alert_id=alert_id,
                note=form.cleaned_data["note"],
                confirmed=form.cleaned_data["confirm"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("预警已关闭。"))
            return redirect("care:alerts")
    status = 400 if form.errors else 200
    return render(
        request, "web/care/alert_close.html", {"alert": alert, "form": form}, status=status
    )


# --- desk: campaigns ----------------------------------------------------------------------


@desk_only
def campaign_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    can_launch = campaigns.may_launch(user)
    form = forms.CampaignForm(request.POST or None, units=_units(user))
    if request.method == "POST":
        if not can_launch:
            messages.error(request, _("只有社工或督导可以发起敲门行动"))
            return redirect("care:campaigns")
        if form.is_valid():
            try:
                campaign = campaigns.campaign_launch(
                    actor=user,
                    unit_id=form.cleaned_data["unit"],
                    name=form.cleaned_data["name"],
                    reason=form.cleaned_data["reason"],
                    tags=form.cleaned_data["tags"],
                    risk_levels=form.cleaned_data["risk_levels"],
                )
            except DomainError as exc:
                form_error(form, exc, objects=NO_OBJECT)
            else:
                messages.success(request, _("敲门行动已发起。"))
                return redirect("care:campaign", campaign_id=campaign.pk)
    return render(
        request,
        "web/care/campaigns.html",
        {
            "form": form,
            "can_launch": can_launch,
            "campaigns": selectors.campaign_list(actor=user),
            "campaign_total": selectors.campaigns_visible_to(user).count(),
        },
        status=400 if form.errors else 200,
    )


@desk_only
@require_GET
def campaign(request: HttpRequest, campaign_id: int) -> HttpResponse:
    c = _get(selectors.campaign_get, actor=request.user, campaign_id=campaign_id)
    progress = selectors.campaign_progress(actor=request.user, campaign_id=c.pk)
    # Every door of the campaign (it is in the actor's scope), with who walks it.
    doors = [
        {"stop": s, "address": cards.shown_address(request.user, s.resident, is_contact=False)}
        for s in c.stops.select_related(
            "household__compound", "resident__compound", "grid", "assignee", "team"
        ).order_by("position")[:1000]
    ]
    return render(
        request,
        "web/care/campaign.html",
        {"campaign": c, "progress": progress, "outcomes": _outcomes(progress), "doors": doors},
    )


def _outcomes(progress: selectors.CampaignProgress) -> list[tuple[str, str, int]]:
    return [(v, label, progress.by_outcome.get(v, 0)) for v, label in CampaignStop.Outcome.choices]


# --- desk: coverage -----------------------------------------------------------------------


@login_required
@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    form = forms.CoverageForm(request.GET or None)
    by = (form.cleaned_data.get("by") if form.is_bound and form.is_valid() else "") or "grid"
    try:
        overview = selectors.coverage_for_desk(actor=request.user, by=by)
    except Forbidden:
        raise PermissionDenied from None  # a page, not an object: nothing leaks
    rows = overview.rows
    overdue = [
        {"profile": p, "days": days_overdue(p.next_visit_due, overview.today)}
        for p in overview.overdue
    ]
    chart = {
        "names": [r.unit_name for r in rows],
        "shares": [round(r.share * 100, 1) for r in rows],
        "title": _("走访覆盖率（%）"),
    }
    registered, covered = overview.registered, overview.covered
    return render(
        request,
        "web/care/coverage.html",
        {
            "form": form,
            "by": by,
            "rows": rows,
            "chart": chart,
            "overdue": overdue,
            "registered": registered,
            "covered": covered,
            "share": covered / registered if registered else None,
            "open_alerts": selectors.alerts_open(actor=request.user).count(),
            "crisis": selectors.alerts_open(actor=request.user, kind=CareAlert.Kind.CRISIS).count(),
        },
    )
