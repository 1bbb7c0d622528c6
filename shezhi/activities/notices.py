"""What volunteers are told through the notification outbox: reminders before an activity, and
notices when an activity's time or venue changes, when it is cancelled and when a waiting-list
sign-up is promoted. Every notice carries a dedupe key, so each volunteer gets each one once.

Reminder lead times come from SHEZHI_ACTIVITY_REMINDER_HOURS (default 24 and 2 hours); the
scheduled job `shezhi activity_reminders` (every few minutes) calls `reminders_send`."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from shezhi.accounts.models import User
from shezhi.activities.models import Activity, SignUp
from shezhi.notifications.models import Notification
from shezhi.notifications.services import notify, notify_many
from shezhi.notifications.texts import render
from shezhi.volunteers.models import Volunteer

Kind = Notification.Kind
DEFAULT_REMINDER_HOURS = (24, 2)


def volunteer_mobile(user: User) -> str | None:
    """The mobile a volunteer registered with (accounts made at registration have no phone)."""
    return (
        Volunteer.objects.filter(user=user, is_active=True).values_list("phone", flat=True).first()
    )


def reminder_hours() -> list[int]:
    hours = settings.SHEZHI_ACTIVITY_REMINDER_HOURS or DEFAULT_REMINDER_HOURS
    return sorted({int(h) for h in hours if int(h) > 0})


def when(activity: Activity) -> str:
    start = timezone.localtime(activity.starts_at)
    end = timezone.localtime(activity.ends_at)
    day = f"{start.month}月{start.day}日 {start:%H:%M}"
    return f"{day}–{end:%H:%M}" if start.date() == end.date() else f"{day}起"


def _about(activity: Activity) -> dict[str, object]:
    return {"activity": activity.title, "when": when(activity), "venue": activity.venue}


def _link() -> str:
    return reverse("activities:mine")


def _users(signups: Iterable[SignUp]) -> list[User]:
    return [s.volunteer.user for s in signups if s.volunteer.user is not None]


def live_signups(activity: Activity) -> list[SignUp]:
    """Sign-ups still holding or waiting for a place (the people to tell about a change)."""
    return list(
        SignUp.objects.filter(activity=activity)
        .exclude(status=SignUp.Status.CANCELLED)
        .select_related("volunteer__user")
        .order_by("id")
    )


def activity_cancelled(activity: Activity, *, reason: str) -> int:
    """Tell everyone signed up (or waiting) that the activity is cancelled. Call it before the
    sign-ups are cancelled with the activity."""
    title, body = render("activity_cancelled", reason=reason, **_about(activity))
    made = notify_many(
        recipients=_users(live_signups(activity)),
        kind=Kind.ACTIVITY_CANCELLED,
        title=title,
        body=body,
        link=_link(),
        dedupe_key=f"activity:{activity.pk}:cancelled",
    )
    return len(made)


def activity_changed(activity: Activity, *, what: list[str], change_id: int) -> int:
    """Tell everyone signed up that the time or venue changed (one notice per change)."""
    title, body = render("activity_changed", what="、".join(what), **_about(activity))
    made = notify_many(
        recipients=_users(live_signups(activity)),
        kind=Kind.ACTIVITY_CHANGED,
        title=title,
        body=body,
        link=_link(),
        dedupe_key=f"activity:{activity.pk}:changed:{change_id}",
    )
    return len(made)


def signup_promoted(signup: SignUp) -> None:
    """A waiting-list sign-up got a place (confirmed, or pending the organiser's approval)."""
    user = signup.volunteer.user
    if user is None:
        return
    activity = signup.activity
    state = (
        gettext("报名已确认")
        if signup.status == SignUp.Status.CONFIRMED
        else gettext("报名待组织者确认")
    )
    title, body = render("waitlist_promoted", state=state, **_about(activity))
    notify(
        recipient=user,
        kind=Kind.WAITLIST_PROMOTED,
        title=title,
        body=body,
        link=_link(),
        dedupe_key=f"signup:{signup.pk}:promoted",
    )


def reminders_send(*, now: datetime | None = None) -> int:
    """Remind confirmed volunteers of published activities that start within a lead time. Each
    activity gets the reminder of the shortest lead time it is within, once per volunteer (the
    dedupe key names the lead time and the start, so a rescheduled activity is reminded anew).
    Returns the number of reminders enqueued; running it twice enqueues nothing more."""
    now = now or timezone.now()
    leads = reminder_hours()
    if not leads:
        return 0
    due = (
        SignUp.objects.filter(
            status=SignUp.Status.CONFIRMED,
            activity__status=Activity.Status.PUBLISHED,
            activity__starts_at__gt=now,
            activity__starts_at__lte=now + timedelta(hours=max(leads)),
            volunteer__user__isnull=False,
        )
        .select_related("activity", "volunteer__user")
        .order_by("activity_id", "id")
    )
    by_activity: dict[int, list[SignUp]] = {}
    for signup in due:
        by_activity.setdefault(signup.activity_id, []).append(signup)
    made = 0
    for group in by_activity.values():
        activity = group[0].activity
        left = activity.starts_at - now
        lead = min(h for h in leads if left <= timedelta(hours=h))
        stamp = int(activity.starts_at.timestamp())
        title, body = render("activity_reminder", **_about(activity))
        made += len(
            notify_many(
                recipients=_users(group),
                kind=Kind.ACTIVITY_REMINDER,
                title=title,
                body=body,
                link=reverse("activities:checkin", args=[activity.pk]),
                dedupe_key=f"activity:{activity.pk}:reminder:{lead}h:{stamp}",
            )
        )
    return made


SIGNED_UP_TEXTS = {
    SignUp.Status.CONFIRMED: "signup_confirmed",
    SignUp.Status.PENDING: "signup_pending",
    SignUp.Status.WAITLISTED: "signup_waitlisted",
}


def _tell(signup: SignUp, text: str, event: str, **params: object) -> None:
    user = signup.volunteer.user
    if user is None:
        return
    title, body = render(text, **params, **_about(signup.activity))
    notify(
        recipient=user,
        kind=Kind.SIGNUP,
        title=title,
        body=body,
        link=_link(),
        dedupe_key=f"signup:{signup.pk}:{event}",
    )


def signed_up(signup: SignUp) -> None:
    """Confirmation of a sign-up (by the volunteer or their team leader): confirmed, waiting for
    the organiser, or on the waiting list."""
    _tell(signup, SIGNED_UP_TEXTS[SignUp.Status(signup.status)], "created")


def signup_decided(signup: SignUp, *, approved: bool, reason: str = "") -> None:
    """The organiser confirmed a pending sign-up (or an insurance record did) or refused it."""
    if approved:
        _tell(signup, "signup_approved", "confirmed")
    else:
        _tell(signup, "signup_refused", "refused", reason=reason)


def signup_withdrawn(signup: SignUp, *, reason: str) -> None:
    """The organiser withdrew the volunteer's sign-up."""
    _tell(signup, "signup_withdrawn", "withdrawn", reason=reason)
