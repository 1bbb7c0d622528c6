"""The in-app inbox (/m/inbox/): the user's own notifications, newest first; opening one marks it
read and follows its (site-relative) link. Another user's notification is 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shezhi.core.errors import DomainError, NotFound
from shezhi.core.page_errors import NO_OBJECT, message_error, not_found
from shezhi.notifications import selectors, services
from shezhi.people.selectors import resident_sms_notices
from shezhi.web.paging import page_number, page_of

PAGE_SIZE = 30


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    rows = selectors.notifications_visible_to(request.user)
    if request.GET.get("unread") == "1":
        rows = rows.filter(read_at__isnull=True)
    page = page_of(rows, page_number(request.GET.get("page")), per_page=PAGE_SIZE)
    context = {
        "page": page,
        "unread": selectors.unread_count(request.user),
        "only_unread": request.GET.get("unread") == "1",
    }
    return render(request, "web/notifications/inbox.html", context)


def _mark(request: HttpRequest, notification_id: int):
    try:
        return services.notification_mark_read(actor=request.user, notification_id=notification_id)
    except NotFound as exc:
        raise not_found(exc) from None


@login_required
@require_POST
def open_notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark read and follow the link (only a path on this site; otherwise back to the inbox)."""
    notification = _mark(request, notification_id)
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return redirect(link)
    return redirect("inbox:list")


@login_required
@require_POST
def mark_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    _mark(request, notification_id)
    return redirect("inbox:list")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    n = services.notifications_mark_all_read(actor=request.user)
    messages.success(request, _("已将 %(n)s 条通知标为已读") % {"n": n})
    return redirect("inbox:list")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """通知设置: the inbox always; SMS on or off (when the platform sends SMS)."""
    if request.method == "POST":
        try:
            services.preference_set(actor=request.user, sms=request.POST.get("sms") == "on")
        except DomainError as exc:
            message_error(request, exc, objects=NO_OBJECT)
        else:
            messages.success(request, _("通知设置已保存"))
        return redirect("inbox:preferences")
    context = {
        "preference": selectors.preference_for(request.user),
        "resident_sms": resident_sms_notices(request.user),
    }
    return render(request, "web/notifications/preferences.html", context)
