"""Desk pages for volunteers: list, registration, detail, training, honours and skills."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shezhi.core.errors import DomainError
from shezhi.core.page_errors import ANY_FIELD, form_error
from shezhi.org.models import Level, OrgUnit
from shezhi.volunteers import selectors, services
from shezhi.volunteers.models import (
    ServiceCategory,
    SkillTag,
)
from shezhi.web.access import staff_only
from shezhi.web.paging import page_number, page_of
from shezhi.web.volunteers.forms import (
    HonourForm,
    TrainingForm,
    VolunteerRegisterForm,
    VolunteerSearchForm,
    VolunteerSkillsForm,
)
from shezhi.web.volunteers.views.common import get_or_404


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
    volunteer = get_or_404(selectors.volunteer_get, actor=request.user, volunteer_id=volunteer_id)
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
