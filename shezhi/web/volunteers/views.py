"""Volunteer pages: the volunteer's mobile "我的" page, team pages, and the social worker's desk
pages for volunteers, service records, corrections to verify, late records to approve and teams.

Each view parses input, calls one selector or service and renders; out-of-scope objects are 404
and every other DomainError is shown in Chinese on the form or as a message.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shezhi.accounts.scoping import sees_everything
from shezhi.activities import calendar
from shezhi.core.errors import DomainError, NotFound
from shezhi.core.page_errors import ANY_FIELD, form_error, message_error, not_found
from shezhi.org.models import Level, OrgUnit
from shezhi.timebank.selectors import balance_of
from shezhi.volunteers import holds, selectors, services, teams
from shezhi.volunteers.models import (
    ServiceCategory,
    ServiceRecord,
    SkillTag,
    Team,
    TeamMembership,
)
from shezhi.volunteers.permissions import TeamAction, team_actions_for
from shezhi.web.access import staff_only
from shezhi.web.paging import page_number, page_of
from shezhi.web.volunteers.forms import (
    AddMemberForm,
    CorrectionForm,
    DecisionForm,
    HeldConfirmForm,
    HeldRejectForm,
    HonourForm,
    RecordFilterForm,
    RecordForm,
    RoleForm,
    TeamApplyForm,
    TrainingForm,
    VolunteerRegisterForm,
    VolunteerSearchForm,
    VolunteerSkillsForm,
)

Role = TeamMembership.TeamRole


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
        raise not_found(exc) from None


def _side(request: HttpRequest) -> str:
    """ "desk" or "m": the namespace of the page the request came through."""
    return "desk" if request.resolver_match and request.resolver_match.namespace == "desk" else "m"


# --- the volunteer's "我的" page ---------------------------------------------------------------


def _my_records(request: HttpRequest):
    """One page of the volunteer's records, newest first (30 a page, never counted twice)."""
    qs = selectors.service_records_of(request.user).order_by("-service_date", "-id")
    return page_of(qs, page_number(request.GET.get("page")), per_page=30)


def _me_page(request: HttpRequest, form: CorrectionForm | None = None, status: int = 200):
    page = _get(selectors.my_page, actor=request.user, limit=0)
    # The correction form lives on each record's page; here it shows only to report errors
    # (rendering form widgets costs more than the rest of this page).
    return render(
        request,
        "web/volunteers/me.html",
        {
            "page": page,
            "records": _my_records(request),
            "form": form,
            "memberships": list(selectors.teams_of(volunteer=page.volunteer)),
            "balance": balance_of(volunteer=page.volunteer),
            "proofs_url": _optional_url("proofs:mine"),
            "timebank_url": _optional_url("timebank:mine"),
        },
        status=status,
    )


@login_required
def me(request: HttpRequest) -> HttpResponse:
    return _me_page(request)


def _my_record_page(request: HttpRequest, record: ServiceRecord, form=None, status: int = 200):
    return render(
        request,
        "web/volunteers/my_record.html",
        {
            "record": record,
            "versions": record.versions.order_by("-version"),
            "corrections": record.corrections.order_by("-created_at", "-id"),
            "form": form or CorrectionForm(fixed_record=record),
        },
        status=status,
    )


@login_required
def me_record(request: HttpRequest, record_id: int) -> HttpResponse:
    record = _get(selectors.my_record, actor=request.user, record_id=record_id)
    return _my_record_page(request, record)


@login_required
@require_POST
def me_correct(request: HttpRequest) -> HttpResponse:
    """File a correction request, from the "我的" page or from one record's page."""
    records = _my_records(request).items
    on_record = request.POST.get("on_record") == "1"
    form = CorrectionForm(request.POST, records=records)
    if form.is_valid():
        try:
            services.correction_request_file(
                actor=request.user,
                record_id=form.cleaned_data["record"],
                changes=form.changes(),
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("更正申请已提交，等待记录单位核实。"))
            if on_record:
                return redirect("m:me_record", record_id=form.cleaned_data["record"])
            return redirect("m:me")
    if on_record and form.cleaned_data.get("record"):
        record = _get(
            selectors.my_record, actor=request.user, record_id=form.cleaned_data["record"]
        )
        form.fields["record"].widget = CorrectionForm(fixed_record=record).fields["record"].widget
        return _my_record_page(request, record, form=form, status=400)
    return _me_page(request, form=form, status=400)


# --- desk: volunteers -------------------------------------------------------------------------


@staff_only
def desk_volunteers(request: HttpRequest) -> HttpResponse:
    form = VolunteerSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    qs = selectors.volunteers_in_scope(actor=request.user, query=query)
    page = page_of(qs, page_number(request.GET.get("page")))
    return render(request, "web/volunteers/desk_volunteers.html", {"form": form, "page": page})


def _register_form(request: HttpRequest, data=None) -> VolunteerRegisterForm:
    units = list(selectors.recording_units(actor=request.user))
    communities = [u for u in units if u.level == Level.COMMUNITY]
    return VolunteerRegisterForm(
        data,
        communities=communities,
        compounds=OrgUnit.objects.filter(
            level=Level.COMPOUND, parent__in=[c.pk for c in communities]
        ).order_by("path")[:1000],
        all_communities=OrgUnit.objects.filter(level=Level.COMMUNITY).order_by("path")[:2000],
        skills=SkillTag.objects.order_by("code"),
    )


@staff_only
def desk_volunteer_new(request: HttpRequest) -> HttpResponse:
    """志愿者登记 by a social worker of the community."""
    form = _register_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            volunteer = services.volunteer_register(actor=request.user, **form.register_fields())
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request,
                _("已登记志愿者，志愿者编号 %(no)s。") % {"no": volunteer.volunteer_no},
            )
            return redirect("desk:volunteer", volunteer_id=volunteer.pk)
    status = 400 if form.errors else 200
    return render(request, "web/volunteers/desk_volunteer_new.html", {"form": form}, status=status)


def _volunteer_page(
    request, volunteer_id: int, *, training=None, honour=None, skills=None, status=200
):
    volunteer = _get(selectors.volunteer_get, actor=request.user, volunteer_id=volunteer_id)
    skill_rows = list(volunteer.skill_levels.select_related("skill"))
    records = selectors.records_in_scope(actor=request.user).filter(volunteer=volunteer)
    return render(
        request,
        "web/volunteers/desk_volunteer.html",
        {
            "volunteer": volunteer,
            "hours_total": volunteer.total_hours(),
            "records": records[:20],
            "availability": volunteer.availability.all(),
            "certificates": volunteer.certificates.all(),
            "consents": volunteer.consents.order_by("agreed_at"),
            "trainings": volunteer.trainings.order_by("-day", "-id")[:100],
            "honours": volunteer.honours.order_by("-day", "-id")[:100],
            "memberships": selectors.teams_of(volunteer=volunteer),
            "skills": skill_rows,
            "skills_form": skills
            or VolunteerSkillsForm(
                prefix="s",
                skills=SkillTag.objects.order_by("code"),
                current={r.skill.code: r.level for r in skill_rows},
            ),
            "categories": [
                dict(ServiceCategory.choices).get(c, c) for c in volunteer.service_categories
            ],
            "training_form": training or TrainingForm(prefix="t"),
            "honour_form": honour or HonourForm(prefix="h"),
        },
        status=status,
    )


@staff_only
def desk_volunteer(request: HttpRequest, volunteer_id: int) -> HttpResponse:
    return _volunteer_page(request, volunteer_id)


@staff_only
@require_POST
def desk_volunteer_training(request: HttpRequest, volunteer_id: int) -> HttpResponse:
    form = TrainingForm(request.POST, prefix="t")
    if form.is_valid():
        try:
            services.training_record_create(
                actor=request.user, volunteer_id=volunteer_id, **form.cleaned_data
            )
        except DomainError as exc:
            form_error(form, exc, objects=ANY_FIELD)
        else:
            messages.success(request, _("已记录培训。"))
            return redirect("desk:volunteer", volunteer_id=volunteer_id)
    return _volunteer_page(request, volunteer_id, training=form, status=400)


@staff_only
@require_POST
def desk_volunteer_honour(request: HttpRequest, volunteer_id: int) -> HttpResponse:
    form = HonourForm(request.POST, prefix="h")
    if form.is_valid():
        try:
            services.honour_create(
                actor=request.user, volunteer_id=volunteer_id, **form.cleaned_data
            )
        except DomainError as exc:
            form_error(form, exc, objects=ANY_FIELD)
        else:
            messages.success(request, _("已记录荣誉。"))
            return redirect("desk:volunteer", volunteer_id=volunteer_id)
    return _volunteer_page(request, volunteer_id, honour=form, status=400)


@staff_only
@require_POST
def desk_volunteer_skills(request: HttpRequest, volunteer_id: int) -> HttpResponse:
    """修改专业技能及等级."""
    form = VolunteerSkillsForm(request.POST, prefix="s", skills=SkillTag.objects.order_by("code"))
    if form.is_valid():
        try:
            services.volunteer_skills_set(
                actor=request.user, volunteer_id=volunteer_id, **form.cleaned_data
            )
        except DomainError as exc:
            form_error(form, exc, objects=ANY_FIELD)
        else:
            messages.success(request, _("已修改专业技能。"))
            return redirect("desk:volunteer", volunteer_id=volunteer_id)
    return _volunteer_page(request, volunteer_id, skills=form, status=400)


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
def desk_record_new(request: HttpRequest) -> HttpResponse:
    """记录志愿服务 ("谁组织谁记录"): the organising unit's social worker records a service."""
    units = {u.pk: u for u in selectors.recording_units(actor=request.user)[:500]}
    team_list = list(selectors.teams_in_scope(actor=request.user, status=Team.Status.FOUNDED)[:500])
    form = RecordForm(
        request.POST or None,
        units=units.values(),
        teams=team_list,
        initial={"volunteer_no": request.GET.get("volunteer", "")[:20]},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            volunteer = selectors.volunteer_get(actor=request.user, volunteer_no=d["volunteer_no"])
            team = next((t for t in team_list if t.pk == d["team"]), None)
            record = services.service_record_create(
                recorder=request.user,
                volunteer=volunteer,
                organiser_unit=units[d["organiser_unit"]],
                team=team,
                **form.record_fields(),
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            if record.status == ServiceRecord.Status.PENDING:
                messages.warning(
                    request, _("已记录。该记录超过记录期限，须经督导审批后才计入服务时长。")
                )
            else:
                messages.success(request, _("已记录志愿服务 %(h)s 小时。") % {"h": record.hours})
            return redirect("desk:record", record_id=record.pk)
    status = 400 if form.errors else 200
    return render(request, "web/volunteers/desk_record_new.html", {"form": form}, status=status)


@staff_only
def desk_record(request: HttpRequest, record_id: int) -> HttpResponse:
    record = _get(selectors.record_get, actor=request.user, record_id=record_id)
    return render(
        request,
        "web/volunteers/desk_record.html",
        {
            "record": record,
            "versions": record.versions.select_related("changed_by").order_by("-version"),
            "corrections": record.corrections.select_related("requested_by", "decided_by").order_by(
                "-created_at", "-id"
            ),
            "decision_form": DecisionForm(),
            "may_approve": record.status == ServiceRecord.Status.PENDING
            and services.may_approve_late(request.user, record.organiser_unit),
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
            message_error(request, exc)
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
        {
            "page": page,
            "form": DecisionForm(),
            "may_approve": request.user.role in services.APPROVING_ROLES
            or sees_everything(request.user),
        },
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
            message_error(request, exc)
        else:
            messages.success(request, _("已审批逾期记录。"))
    else:
        messages.error(request, _("请选择结论。"))
    return redirect("desk:late_records")


# --- teams ------------------------------------------------------------------------------------


@staff_only
def desk_teams(request: HttpRequest) -> HttpResponse:
    rows = selectors.teams_in_scope(actor=request.user)
    return render(request, "web/volunteers/desk_teams.html", {"teams": rows[:500]})


def _team_apply_form(request: HttpRequest, data=None) -> TeamApplyForm:
    staff = request.user.is_staff_role or sees_everything(request.user)
    if staff:
        communities = [
            u
            for u in selectors.recording_units(actor=request.user)[:500]
            if u.level == Level.COMMUNITY
        ]
    else:
        own = selectors.volunteer_of(request.user)
        communities = [own.community] if own is not None else []
    return TeamApplyForm(data, communities=communities, staff=staff)


@login_required
def team_apply(request: HttpRequest) -> HttpResponse:
    """申请成立服务队: a volunteer (who becomes its leader) or a social worker (who names one)."""
    form = _team_apply_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            leader_id = None
            if d.get("leader_no"):
                leader_id = selectors.volunteer_get(
                    actor=request.user, volunteer_no=d["leader_no"]
                ).pk
            team = teams.team_apply(
                actor=request.user,
                community_id=d["community"],
                name=d["name"],
                kind=d["kind"],
                charter=d["charter"],
                leader_id=leader_id,
            )
        except DomainError as exc:
            if exc.field == "volunteer_no":
                exc.field = "leader_no"
            form_error(form, exc)
        else:
            messages.success(request, _("已提交成立申请，等待指导社工审核。"))
            return redirect(f"{_side(request)}:team", team_id=team.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "web/volunteers/team_apply.html",
        {"form": form, "desk": _side(request) == "desk"},
        status=status,
    )


def _team_page(request: HttpRequest, team_id: int, *, add_form=None, status: int = 200):
    team = _get(selectors.team_get, actor=request.user, team_id=team_id)
    staff = services.may_record_for(request.user, team.community)
    my_role = selectors.team_role_of(actor=request.user, team=team)
    actions = team_actions_for(request.user, team)
    return render(
        request,
        "web/volunteers/team.html",
        {
            "team": team,
            "figures": selectors.team_figures(team),
            "members": selectors.team_members(team),
            "history": selectors.team_history(team).order_by("-at", "-id")[:100],
            "form": DecisionForm(),
            "desk": _side(request) == "desk",
            "ns": _side(request),
            "my_role": my_role,
            "actions": actions,
            "add_form": add_form
            or (
                AddMemberForm(candidates=selectors.team_candidates(team=team))
                if TeamAction.MANAGE_MEMBERS in actions
                else None
            ),
            "role_choices": Role.choices,
            # The team's calendar feed, for its members and the community's staff only.
            "calendar": calendar.Subscription(team.name, calendar.feed_url(calendar.TEAM, team.pk))
            if team.status == Team.Status.FOUNDED and (staff or my_role is not None)
            else None,
        },
        status=status,
    )


@login_required
def team_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    """A team's page, for its leader, its members and the staff of its community."""
    return _team_page(request, team_id)


def _team_action(request: HttpRequest, team_id: int, call, done: str) -> HttpResponse:
    try:
        call()
    except DomainError as exc:
        message_error(request, exc)
    else:
        messages.success(request, done)
    return redirect(f"{_side(request)}:team", team_id=team_id)


def _posted_id(request: HttpRequest, name: str = "volunteer") -> int | None:
    try:
        value = int(request.POST.get(name, ""))
    except ValueError:
        return None
    return value if 0 < value < 2**63 else None


@login_required
@require_POST
def team_join(request: HttpRequest, team_id: int) -> HttpResponse:
    return _team_action(
        request,
        team_id,
        lambda: teams.team_join(actor=request.user, team_id=team_id),
        _("已加入服务队。"),
    )


@login_required
@require_POST
def team_leave(request: HttpRequest, team_id: int) -> HttpResponse:
    """Leave the team oneself, or (leaders and staff) remove the posted member."""
    volunteer_id = _posted_id(request)
    return _team_action(
        request,
        team_id,
        lambda: teams.team_leave(
            actor=request.user,
            team_id=team_id,
            volunteer_id=volunteer_id,
            note=request.POST.get("note", "")[:200],
        ),
        _("已退出服务队。") if volunteer_id is None else _("已移出队员。"),
    )


@login_required
@require_POST
def team_add_member(request: HttpRequest, team_id: int) -> HttpResponse:
    team = _get(selectors.team_get, actor=request.user, team_id=team_id)
    form = AddMemberForm(request.POST, candidates=selectors.team_candidates(team=team))
    if form.is_valid():
        try:
            teams.team_join(
                actor=request.user, team_id=team_id, volunteer_id=form.cleaned_data["volunteer"]
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("已添加队员。"))
            return redirect(f"{_side(request)}:team", team_id=team_id)
    return _team_page(request, team_id, add_form=form, status=400)


@login_required
@require_POST
def team_set_role(request: HttpRequest, team_id: int) -> HttpResponse:
    form = RoleForm(request.POST)
    volunteer_id = _posted_id(request)
    if not form.is_valid() or volunteer_id is None:
        messages.error(request, _("请选择队员和队内角色。"))
        return redirect(f"{_side(request)}:team", team_id=team_id)
    return _team_action(
        request,
        team_id,
        lambda: teams.team_set_role(
            actor=request.user,
            team_id=team_id,
            volunteer_id=volunteer_id,
            role=form.cleaned_data["role"],
        ),
        _("已调整队内角色。"),
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
            message_error(request, exc)
        else:
            messages.success(request, _("已审核服务队申请。"))
    else:
        messages.error(request, _("请选择结论。"))
    return redirect("desk:team", team_id=team_id)


@staff_only
def desk_held_records(request: HttpRequest) -> HttpResponse:
    """Service records held for a social worker's confirmation, each with why it is held."""
    page = page_of(
        selectors.records_awaiting_confirmation(actor=request.user),
        page_number(request.GET.get("page")),
    )
    return render(request, "web/volunteers/desk_held_records.html", {"page": page})


@staff_only
@require_POST
def desk_held_confirm(request: HttpRequest, record_id: int) -> HttpResponse:
    form = HeldConfirmForm(request.POST)
    if form.is_valid():
        try:
            holds.service_record_confirm(
                actor=request.user,
                record_id=record_id,
                minutes=form.cleaned_data["minutes"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            message_error(request, exc)
        else:
            messages.success(request, _("已确认，该记录计入服务时长。"))
    else:
        messages.error(request, _("确认的服务时长应为1到1440之间的整数分钟。"))
    return redirect("desk:held_records")


@staff_only
@require_POST
def desk_held_reject(request: HttpRequest, record_id: int) -> HttpResponse:
    form = HeldRejectForm(request.POST)
    if form.is_valid():
        try:
            holds.service_record_reject(
                actor=request.user, record_id=record_id, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            message_error(request, exc)
        else:
            messages.success(request, _("已不予确认，该记录不计入服务时长。"))
    else:
        messages.error(request, _("请填写不予确认的理由。"))
    return redirect("desk:held_records")
