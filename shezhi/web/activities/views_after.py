"""More activity pages: the organiser edits or cancels an activity, a team leader signs members
up in bulk, volunteers and beneficiaries rate an ended activity, and the organiser writes the
summary with photos (served here, after a scope check, never from a public MEDIA URL).

Each view parses input, calls one service or selector and renders; out-of-scope activities are
404; a service's DomainError is shown in Chinese on the page or form."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shezhi.activities import after, editing, selectors, services, signups
from shezhi.activities.models import Activity
from shezhi.core.errors import DomainError, Forbidden, NotFound
from shezhi.core.page_errors import NO_OBJECT, form_error, message_error, not_found
from shezhi.web.activities.forms import (
    ActivityEditForm,
    BeneficiaryForm,
    BulkSignUpForm,
    CancelActivityForm,
    HeadcountForm,
    PositionFormSet,
    RatingForm,
    SummaryForm,
    SummaryPhotoForm,
    position_edits,
)
from shezhi.web.activities.views import act
from shezhi.web.media import protected_file_response


def _organised(request: HttpRequest, activity_id: int) -> Activity:
    """The activity for its organiser: 404 out of scope, 403 for one who only sees it."""
    try:
        return services.activity_for_organiser(request.user, activity_id)
    except NotFound as exc:
        raise not_found(exc) from None


def _refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    message_error(request, exc, objects=NO_OBJECT)
    return render(request, "web/activities/refused.html", status=exc.status)


# --- editing and cancelling -------------------------------------------------------------------


def _initial_positions(activity: Activity) -> list[dict[str, Any]]:
    return [
        {
            "id": p.pk,
            "name": p.name,
            "duties": p.duties,
            "quota": p.quota,
            "min_age": p.min_age,
            "max_age": p.max_age,
            "hazardous": p.hazardous,
        }
        for p in activity.positions.all()
    ]


@login_required
@require_http_methods(["GET", "POST"])
def desk_edit(request: HttpRequest, activity_id: int) -> HttpResponse:
    """修改活动: fields and positions (several, through a formset) before the activity starts."""
    try:
        activity = _organised(request, activity_id)
    except Forbidden as exc:
        return _refused(request, exc)
    local = timezone.localtime
    initial = {
        "title": activity.title,
        "description": activity.description,
        "venue": activity.venue,
        "starts_at": local(activity.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": local(activity.ends_at).strftime("%Y-%m-%dT%H:%M"),
    }
    data = request.POST if request.method == "POST" else None
    form = ActivityEditForm(data, initial=initial)
    formset = PositionFormSet(data, initial=_initial_positions(activity), prefix="positions")
    status = 200
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            editing.activity_update(
                actor=request.user,
                activity_id=activity.pk,
                positions=position_edits(formset),
                **form.cleaned_data,
            )
        except NotFound as exc:
            raise not_found(exc) from None
        except DomainError as exc:
            form_error(form, exc, objects=NO_OBJECT)
            status = exc.status
        else:
            messages.success(request, _("活动已修改"))
            return redirect("activities:desk_detail", activity_id=activity.pk)
    if status == 200 and (form.errors or formset.total_error_count()):
        status = 400
    context = {"activity": activity, "form": form, "formset": formset}
    return render(request, "web/activities/desk_edit.html", context, status=status)


@login_required
@require_POST
def desk_cancel(request: HttpRequest, activity_id: int) -> HttpResponse:
    form = CancelActivityForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(form.labelled_errors()))
        return redirect("activities:desk_detail", activity_id=activity_id)
    return act(
        request,
        activity_id,
        lambda: services.activity_cancel(
            actor=request.user, activity_id=activity_id, reason=form.cleaned_data["reason"]
        ),
        _("活动已取消，报名随之取消"),
    )


# --- a team leader's bulk sign-up -------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def bulk(request: HttpRequest, activity_id: int) -> HttpResponse:
    """A team leader picks a position and members; each member succeeds or fails alone."""
    try:
        activity = selectors.activity_get(actor=request.user, activity_id=activity_id)
    except NotFound as exc:
        raise not_found(exc) from None
    members = selectors.members_led_by(actor=request.user)
    if not members:
        return _refused(request, Forbidden(_("只有服务队队长可以批量报名")))
    positions = list(activity.positions.all())
    form = BulkSignUpForm(request.POST or None, positions=positions, members=members)
    outcomes: list[Any] = []
    if request.method == "POST" and form.is_valid():
        try:
            outcomes = signups.signup_bulk(
                actor=request.user,
                position_id=form.cleaned_data["position"],
                volunteer_ids=form.cleaned_data["volunteers"],
                risk_acknowledged=form.cleaned_data["risk_acknowledged"],
            )
        except NotFound as exc:
            raise not_found(exc) from None
        except DomainError as exc:
            form_error(form, exc, objects=NO_OBJECT)
    names = {v.pk: v.name for v in members}
    context = {
        "activity": activity,
        "form": form,
        "outcomes": [(names.get(o.volunteer_id, o.volunteer_id), o) for o in outcomes],
    }
    return render(request, "web/activities/bulk.html", context, status=400 if form.errors else 200)


# --- ratings ----------------------------------------------------------------------------------


@login_required
@require_GET
def to_rate(request: HttpRequest) -> HttpResponse:
    activities = after.activities_to_rate(actor=request.user)
    return render(request, "web/activities/to_rate.html", {"activities": activities})


@login_required
@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, activity_id: int) -> HttpResponse:
    """Rate an ended activity once (1–5 stars and an optional comment)."""
    try:
        activity = after.activity_for_viewer(request.user, activity_id)
    except NotFound as exc:
        raise not_found(exc) from None
    form = RatingForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            after.rating_create(actor=request.user, activity_id=activity.pk, **form.cleaned_data)
        except NotFound as exc:
            raise not_found(exc) from None
        except DomainError as exc:
            form_error(form, exc, objects=NO_OBJECT)
            status = exc.status
        else:
            messages.success(request, _("感谢您的评价"))
            return redirect("activities:to_rate")
    if form.errors and status == 200:
        status = 400
    # A refused POST keeps its form, with the service's message on it.
    problem = (
        None if form.errors else after.rating_refusal(request.user, activity, now=timezone.now())
    )
    context = {"activity": activity, "form": form, "problem": problem}
    return render(request, "web/activities/rate.html", context, status=status)


# --- the summary ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def summary(request: HttpRequest, activity_id: int) -> HttpResponse:
    """活动总结: the text and photos, and the figures filled in from the records."""
    try:
        page = after.summary_page(actor=request.user, activity_id=activity_id)
    except NotFound as exc:
        raise not_found(exc) from None
    form = SummaryForm(
        request.POST or None, initial={"text": page.summary.text if page.summary else ""}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                after.summary_save(
                    actor=request.user, activity_id=activity_id, text=form.cleaned_data["text"]
                )
            except NotFound as exc:
                raise not_found(exc) from None
            except DomainError as exc:
                form_error(form, exc, objects=NO_OBJECT)
                status = exc.status
            else:
                messages.success(request, _("活动总结已保存"))
                return redirect("activities:summary", activity_id=activity_id)
        status = status if status != 200 else 400
    context = {
        "page": page,
        "form": form,
        "photo_form": SummaryPhotoForm(),
        "beneficiary_form": BeneficiaryForm(),
        "headcount_form": HeadcountForm(
            initial={"headcount": page.activity.beneficiaries_headcount}
        ),
    }
    return render(request, "web/activities/summary.html", context, status=status)


@login_required
@require_POST
def summary_photo(request: HttpRequest, activity_id: int) -> HttpResponse:
    form = SummaryPhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "；".join(form.labelled_errors()))
        return redirect("activities:summary", activity_id=activity_id)
    try:
        after.summary_photo_add(
            actor=request.user, activity_id=activity_id, upload=form.cleaned_data["photo"]
        )
    except NotFound as exc:
        raise not_found(exc) from None
    except DomainError as exc:
        message_error(request, exc, objects=NO_OBJECT)
    else:
        messages.success(request, _("照片已上传"))
    return redirect("activities:summary", activity_id=activity_id)


@login_required
@require_POST
def summary_photo_delete(request: HttpRequest, activity_id: int, photo_id: int) -> HttpResponse:
    try:
        after.summary_photo_delete(actor=request.user, activity_id=activity_id, photo_id=photo_id)
    except NotFound as exc:
        raise not_found(exc) from None
    except DomainError as exc:
        message_error(request, exc, objects=NO_OBJECT)
    else:
        messages.success(request, _("照片已删除"))
    return redirect("activities:summary", activity_id=activity_id)


def _back_to_summary(
    request: HttpRequest, activity_id: int, form: Any, action: Any, success: str
) -> HttpResponse:
    """Run one service call for a small form of the summary page; errors become messages."""
    if not form.is_valid():
        messages.error(request, "；".join(form.labelled_errors()))
        return redirect("activities:summary", activity_id=activity_id)
    try:
        action(form.cleaned_data)
    except DomainError as exc:
        message_error(request, exc, objects={"activity_id"})
    else:
        messages.success(request, success)
    return redirect("activities:summary", activity_id=activity_id)


@login_required
@require_POST
def beneficiary(request: HttpRequest, activity_id: int) -> HttpResponse:
    return _back_to_summary(
        request,
        activity_id,
        BeneficiaryForm(request.POST),
        lambda d: after.beneficiary_register(
            actor=request.user, activity_id=activity_id, query=d["query"]
        ),
        _("已登记服务对象"),
    )


@login_required
@require_POST
def headcount(request: HttpRequest, activity_id: int) -> HttpResponse:
    return _back_to_summary(
        request,
        activity_id,
        HeadcountForm(request.POST),
        lambda d: services.activity_set_headcount(
            actor=request.user, activity_id=activity_id, headcount=d["headcount"]
        ),
        _("已更新服务人次"),
    )


@login_required
@require_GET
def photo(request: HttpRequest, activity_id: int, photo_id: int) -> HttpResponse:
    """A summary photo, for whoever may see the activity (never a public MEDIA URL)."""
    try:
        found = after.photo_for_viewer(
            actor=request.user, activity_id=activity_id, photo_id=photo_id
        )
        response = protected_file_response(found.image, found.content_type)
    except NotFound as exc:
        raise not_found(exc) from None
    except OSError:
        raise Http404(_("照片文件不存在")) from None
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def urls() -> list:
    """This module's routes, mounted in the "activities" namespace by shezhi/web/urls.py."""
    from django.urls import path

    d = "desk/activities/<int:activity_id>/"
    return [
        path(f"{d}edit/", desk_edit, name="edit"),
        path(f"{d}cancel/", desk_cancel, name="cancel_activity"),
        path(f"{d}summary/", summary, name="summary"),
        path(f"{d}summary/photos/", summary_photo, name="summary_photo"),
        path(f"{d}beneficiaries/", beneficiary, name="beneficiary"),
        path(f"{d}headcount/", headcount, name="headcount"),
        path(
            f"{d}summary/photos/<int:photo_id>/delete/",
            summary_photo_delete,
            name="summary_photo_delete",
        ),
        path("activities/<int:activity_id>/photos/<int:photo_id>/", photo, name="photo"),
        path("m/activities/<int:activity_id>/bulk/", bulk, name="bulk"),
        path("m/activities/ratings/", to_rate, name="to_rate"),
        path("m/activities/<int:activity_id>/rate/", rate, name="rate"),
    ]
