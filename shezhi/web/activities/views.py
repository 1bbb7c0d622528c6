"""Activity pages: the organiser's rotating check-in QR code and the volunteer's mobile check-in
page that the QR code opens (check in with the token, optionally with the phone's position; check
out). Each view parses input, calls one selector or service and renders; out-of-scope activities
are 404; a service's DomainError is shown in Chinese on the page."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shezhi.activities import attendance as checkins
from shezhi.activities import calendar, selectors, services, signups
from shezhi.activities.errors import ActivityError
from shezhi.activities.models import SignUp
from shezhi.activities.permissions import (
    SignUpAction,
    activity_actions_for,
    signup_actions_for,
    signup_refusal,
)
from shezhi.core.errors import DomainError, InvalidInput, NotFound
from shezhi.core.page_errors import NO_OBJECT, form_error, message_error, not_found
from shezhi.web.activities.forms import (
    NEW_POSITIONS_MAX,
    ActivityForm,
    InsuranceForm,
    NewPositionFormSet,
    position_specs,
)
from shezhi.web.paging import page_number, page_of

OPEN_SHOWN = 50


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def _page(request: HttpRequest, activity_id: int, *, token: str, status: int = 200):
    try:
        state = selectors.checkin_state(actor=request.user, activity_id=activity_id)
    except NotFound as exc:
        raise not_found(exc) from None
    return render(
        request,
        "web/activities/checkin.html",
        {"state": state, "token": token},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, activity_id: int) -> HttpResponse:
    token = (request.POST.get("t") if request.method == "POST" else request.GET.get("t")) or ""
    if request.method == "GET":
        return _page(request, activity_id, token=token)
    try:
        attendance = checkins.checkin_by_token(
            actor=request.user,
            activity_id=activity_id,
            token=token[:200],
            latitude=_float(request.POST.get("latitude")),
            longitude=_float(request.POST.get("longitude")),
        )
    except NotFound as exc:
        raise not_found(exc) from None
    except DomainError as exc:
        message_error(request, exc, objects=NO_OBJECT)
        return _page(request, activity_id, token=token, status=exc.status)
    messages.success(
        request,
        _("签到成功：%(time)s") % {"time": f"{timezone.localtime(attendance.checked_in_at):%H:%M}"},
    )
    return redirect("activities:checkin", activity_id=activity_id)


@login_required
@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest, activity_id: int) -> HttpResponse:
    """签退 in two steps: a page that says how long the volunteer was there and what will be
    recorded, then the confirmed POST (a POST without `confirm=1` shows the page again)."""
    if request.method == "GET" or request.POST.get("confirm") != "1":
        try:
            preview = checkins.checkout_preview(actor=request.user, activity_id=activity_id)
        except NotFound as exc:
            raise not_found(exc) from None
        except DomainError as exc:
            message_error(request, exc, objects=NO_OBJECT)
            return _page(request, activity_id, token="", status=exc.status)
        return render(
            request,
            "web/activities/checkout_confirm.html",
            {"preview": preview},
        )
    try:
        attendance = checkins.checkout(actor=request.user, activity_id=activity_id)
    except NotFound as exc:
        raise not_found(exc) from None
    except DomainError as exc:
        message_error(request, exc, objects=NO_OBJECT)
        return _page(request, activity_id, token="", status=exc.status)
    messages.success(
        request,
        _("签退成功：%(time)s，本次服务 %(hours)s 小时")
        % {
            "time": f"{timezone.localtime(attendance.checked_out_at):%H:%M}",
            "hours": attendance.hours,
        },
    )
    return redirect("activities:checkin", activity_id=activity_id)


@login_required
@require_GET
def qr(request: HttpRequest, activity_id: int) -> HttpResponse:
    """The organiser's phone: a QR code that changes every SHEZHI_CHECKIN_QR_ROTATION_SECONDS
    (each valid SHEZHI_CHECKIN_TOKEN_SECONDS)."""
    try:
        activity = selectors.activity_get(actor=request.user, activity_id=activity_id)
        token = checkins.checkin_token_issue(actor=request.user, activity_id=activity_id)
    except NotFound as exc:
        raise not_found(exc) from None
    except DomainError as exc:
        message_error(request, exc, objects=NO_OBJECT)
        return render(request, "web/activities/qr.html", {"activity": None}, status=exc.status)
    url = checkins.checkin_url(activity_id=activity.pk, token=token)
    svg = segno.make(url, error="m").svg_inline(scale=6, border=2)
    context = {
        "activity": activity,
        "svg": svg,
        "url": url,
        "refresh": settings.SHEZHI_CHECKIN_QR_ROTATION_SECONDS,
        "valid": services.token_seconds(),
    }
    response = render(request, "web/activities/qr.html", context)
    response["Cache-Control"] = "no-store"
    return response


# --- the organiser's desk -----------------------------------------------------------------------


@login_required
@require_GET
def desk_list(request: HttpRequest) -> HttpResponse:
    activities = selectors.activities_organised(actor=request.user).order_by("-starts_at", "-id")
    context = {
        "page": page_of(activities, page_number(request.GET.get("page"))),
        "calendars": calendar.staff_subscriptions(request.user),
    }
    return render(request, "web/activities/desk_list.html", context)


@login_required
@require_GET
def desk_detail(request: HttpRequest, activity_id: int) -> HttpResponse:
    try:
        page = selectors.organiser_page(actor=request.user, activity_id=activity_id)
    except NotFound as exc:
        raise not_found(exc) from None
    except DomainError as exc:  # seen but not organised by the actor
        message_error(request, exc, objects=NO_OBJECT)
        return render(request, "web/activities/desk_detail.html", {"page": None}, status=403)
    actions = activity_actions_for(request.user, page.activity)
    return render(request, "web/activities/desk_detail.html", {"page": page, "actions": actions})


def act(
    request: HttpRequest,
    activity_id: int,
    action: Callable[[], Any],
    success: str | Callable[[Any], str],
) -> HttpResponse:
    """Run one service call; its DomainError becomes a message (404 for what is out of scope)."""
    try:
        result = action()
    except NotFound as exc:
        raise not_found(exc) from None
    except DomainError as exc:
        message_error(request, exc, objects=NO_OBJECT)
    else:
        messages.success(request, success if isinstance(success, str) else success(result))
    return redirect("activities:desk_detail", activity_id=activity_id)


@login_required
@require_POST
def desk_decide(request: HttpRequest, activity_id: int, signup_id: int) -> HttpResponse:
    approve = request.POST.get("approve") == "1"
    return act(
        request,
        activity_id,
        lambda: signups.signup_decide(
            actor=request.user,
            signup_id=signup_id,
            approve=approve,
            reason=request.POST.get("reason", "")[:300],
        ),
        _("已确认报名") if approve else _("已不予通过"),
    )


@login_required
@require_POST
def desk_manual_checkin(request: HttpRequest, activity_id: int, signup_id: int) -> HttpResponse:
    """补登 after the end asks for the arrival time (on the activity's day); before, it is now."""
    return act(
        request,
        activity_id,
        lambda: checkins.checkin_manual(
            actor=request.user,
            signup_id=signup_id,
            reason=request.POST.get("reason", "")[:200],
            at=_arrival(activity_id, request.POST.get("at", "")),
        ),
        _("已手工签到"),
    )


def _arrival(activity_id: int, value: str) -> datetime | None:
    """ "HH:MM" on the activity's (Shanghai) day; empty: now."""
    if not value.strip():
        return None
    try:
        clock = datetime.strptime(value.strip()[:5], "%H:%M").time()
    except ValueError:
        raise InvalidInput("签到时间应为“时:分”，如 09:30", field="at") from None
    starts_at = selectors.activity_starts_at(activity_id=activity_id)
    day = timezone.localtime(starts_at).date() if starts_at else timezone.localdate()
    return timezone.make_aware(datetime.combine(day, clock))


@login_required
@require_POST
def desk_close(request: HttpRequest, activity_id: int) -> HttpResponse:
    return act(
        request,
        activity_id,
        lambda: checkins.checkout_close_forgotten(actor=request.user, activity_id=activity_id),
        lambda closed: _("已为 %(n)s 人补签退") % {"n": len(closed)},
    )


@login_required
@require_POST
def desk_confirm(request: HttpRequest, activity_id: int) -> HttpResponse:
    return act(
        request,
        activity_id,
        lambda: checkins.attendance_confirm(actor=request.user, activity_id=activity_id),
        lambda result: (
            _("考勤已确认：写入 %(written)s 条服务记录，%(skipped)s 条未写入")
            % {"written": len(result.written), "skipped": len(result.skipped)}
            # Say why each one was not written, so the organiser can fix it and confirm again.
            + "".join(f"；{a.volunteer.name}：{reason}" for a, reason in result.skipped)
        ),
    )


# --- the volunteer's phone ----------------------------------------------------------------------


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """Open positions (with why the volunteer may not take some) and their own sign-ups."""
    now = timezone.now()
    page = page_of(selectors.my_signups(actor=request.user), page_number(request.GET.get("page")))
    rows = [
        (s, signup_actions_for(request.user, s, now=now), _cutoff_note(request.user, s, now))
        for s in page.items
    ]
    context = {
        # The nearest OPEN_SHOWN positions: a phone list longer than that is scrolled past.
        "open": selectors.open_positions(actor=request.user, limit=OPEN_SHOWN, now=now),
        "open_shown": OPEN_SHOWN,
        "signups": rows,
        "page": page,
        # The open positions' 取消报名 follows the same selector as the list of sign-ups.
        "cancellable": {s.pk for s, actions, _ in rows if SignUpAction.CANCEL in actions},
        "calendars": calendar.subscriptions_for(request.user),
        "leads": bool(selectors.members_led_by(actor=request.user)),
    }
    return render(request, "web/activities/mine.html", context)


def _cutoff_note(user: Any, signup: SignUp, now: datetime) -> str:
    """Past the cut-off the button is gone: say why and whom to ask instead."""
    why = signup_refusal(user, signup, SignUpAction.CANCEL, now=now)
    return why.message if why is not None and why.code == ActivityError.CUTOFF else ""


def _back_to_mine(request: HttpRequest, action: Callable[[], Any], success: str) -> HttpResponse:
    try:
        action()
    except NotFound as exc:
        raise not_found(exc) from None
    except DomainError as exc:
        message_error(request, exc, objects=NO_OBJECT)
    else:
        messages.success(request, success)
    return redirect("activities:mine")


@login_required
@require_POST
def sign_up(request: HttpRequest, position_id: int) -> HttpResponse:
    return _back_to_mine(
        request,
        lambda: signups.signup_create(
            actor=request.user,
            position_id=position_id,
            risk_acknowledged=request.POST.get("risk_acknowledged") == "1",
        ),
        _("报名已提交"),
    )


@login_required
@require_POST
def cancel(request: HttpRequest, signup_id: int) -> HttpResponse:
    return _back_to_mine(
        request,
        lambda: signups.signup_cancel(
            actor=request.user, signup_id=signup_id, reason=request.POST.get("reason", "")[:300]
        ),
        _("已取消报名"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def desk_new(request: HttpRequest) -> HttpResponse:
    """发起活动 (a draft; published from its page). With a repeat rule, one draft per date.
    Staff organise for their units, team leaders for the teams they lead; several positions."""
    choices = selectors.organising_choices(actor=request.user)
    if not choices.any:
        messages.error(request, _("只有社工或服务队队长可以发起活动"))
        return render(request, "web/activities/refused.html", status=403)
    data = request.POST if request.method == "POST" else None
    locations = selectors.location_choices(choices=choices)
    form = ActivityForm(data, units=choices.units, teams=choices.teams, locations=locations)
    formset = NewPositionFormSet(data, prefix="positions")
    if data is not None and form.is_valid() and formset.is_valid():
        rule = form.rule()
        spec = form.activity_spec(position_specs(formset))
        try:
            if rule is None:
                made = [services.activity_create(actor=request.user, spec=spec)]
            else:
                made = services.activity_create_recurring(actor=request.user, rule=rule, spec=spec)
        except DomainError as exc:
            form_error(form, exc, objects=NO_OBJECT)
        else:
            messages.success(
                request, _("已创建 %(n)s 个活动草稿，发布后志愿者可以报名") % {"n": len(made)}
            )
            return redirect("activities:desk_detail", activity_id=made[0].pk)
    status = 400 if form.errors or (formset.is_bound and not formset.is_valid()) else 200
    return render(
        request, "web/activities/desk_new.html", _new_context(form, formset), status=status
    )


def _new_context(form: ActivityForm, formset: Any) -> dict[str, Any]:
    return {"form": form, "formset": formset, "max_rows": NEW_POSITIONS_MAX}


@login_required
@require_POST
def desk_publish(request: HttpRequest, activity_id: int) -> HttpResponse:
    return act(
        request,
        activity_id,
        lambda: services.activity_publish(actor=request.user, activity_id=activity_id),
        _("活动已发布"),
    )


@login_required
@require_POST
def desk_insurance(request: HttpRequest, activity_id: int, signup_id: int) -> HttpResponse:
    """Record the insurance a hazardous position needs (条例 art. 17) for a signed-up volunteer."""
    form = InsuranceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(form.labelled_errors()))
        return redirect("activities:desk_detail", activity_id=activity_id)
    return act(
        request,
        activity_id,
        lambda: signups.insurance_record_for_signup(
            actor=request.user, signup_id=signup_id, **form.cleaned_data
        ),
        _("已登记保险"),
    )
