"""Team pages under /m/ and /desk/: list, application, detail, membership, roles and review."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shezhi.accounts.scoping import sees_everything
from shezhi.activities import calendar
from shezhi.core.errors import DomainError
from shezhi.core.page_errors import form_error, message_error
from shezhi.org.models import Level
from shezhi.volunteers import selectors, services, teams
from shezhi.volunteers.models import (
    Team,
)
from shezhi.volunteers.permissions import TeamAction, team_actions_for
from shezhi.web.access import staff_only
from shezhi.web.paging import page_number, page_of
from shezhi.web.volunteers.forms import (
    AddMemberForm,
    DecisionForm,
    RoleForm,
    TeamApplyForm,
)
from shezhi.web.volunteers.views.common import Role, get_or_404, side


@staff_only
def desk_teams(request: HttpRequest) -> HttpResponse:
    page = page_of(
        selectors.teams_in_scope(actor=request.user), page_number(request.GET.get("page"))
    )
    return render(request, "web/volunteers/desk_teams.html", {"page": page})


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
            return redirect(f"{side(request)}:team", team_id=team.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "web/volunteers/team_apply.html",
        {"form": form, "desk": side(request) == "desk"},
        status=status,
    )


def _team_page(request: HttpRequest, team_id: int, *, add_form=None, status: int = 200):
    team = get_or_404(selectors.team_get, actor=request.user, team_id=team_id)
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
            "desk": side(request) == "desk",
            "ns": side(request),
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
    return redirect(f"{side(request)}:team", team_id=team_id)


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
    team = get_or_404(selectors.team_get, actor=request.user, team_id=team_id)
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
            return redirect(f"{side(request)}:team", team_id=team_id)
    return _team_page(request, team_id, add_form=form, status=400)


@login_required
@require_POST
def team_set_role(request: HttpRequest, team_id: int) -> HttpResponse:
    form = RoleForm(request.POST)
    volunteer_id = _posted_id(request)
    if not form.is_valid() or volunteer_id is None:
        messages.error(request, _("请选择队员和队内角色。"))
        return redirect(f"{side(request)}:team", team_id=team_id)
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
