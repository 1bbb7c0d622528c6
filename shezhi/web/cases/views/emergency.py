"""An admin's emergency access to a case file by case number, and its revocation."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shezhi.cases import selectors, services
from shezhi.cases.permissions import ADMIN_ROLES
from shezhi.core.errors import DomainError, NotFound
from shezhi.core.page_errors import NO_OBJECT, form_error, not_found
from shezhi.web.access import roles_only
from shezhi.web.cases import forms


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
