"""Scoped reads of the inbox: a user sees only their own notifications; another's is not found."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from shezhi.accounts.models import User
from shezhi.core.errors import NotFound
from shezhi.core.masking import mask_mobile
from shezhi.notifications.channels import SMS, channel_names, mobile_of
from shezhi.notifications.models import Delivery, Notification, Preference


def notifications_visible_to(user: User) -> QuerySet[Notification]:
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user)


def notification_get(*, actor: User, notification_id: int) -> Notification:
    notification = notifications_visible_to(actor).filter(pk=notification_id).first()
    if notification is None:
        raise NotFound("未找到该通知", field="notification_id")
    return notification


def unread_count(user: User, *, cap: int = 99) -> int:
    """Unread notifications, at most cap + 1 (shown as "99+"). Reads ids with a LIMIT rather than
    COUNT(*): it runs on every page, and pages such as the ledger must not count."""
    unread = notifications_visible_to(user).filter(read_at__isnull=True)
    return len(unread.values_list("pk", flat=True)[: cap + 1])


@dataclass(frozen=True)
class PreferenceView:
    sms: bool  # the user's choice (on unless turned off)
    sms_available: bool  # the deployment sends SMS at all
    mobile: str  # where SMS goes, masked; "" when no number is registered


def preference_for(user: User) -> PreferenceView:
    chosen = Preference.objects.filter(user=user).values_list("sms", flat=True).first()
    return PreferenceView(
        sms=True if chosen is None else chosen,
        sms_available=SMS in channel_names(),
        mobile=mask_mobile(mobile_of(user)),
    )


def notices_about(subject: str, *, limit: int = 50) -> list[Notification]:
    """Who was told what about one thing ("need:12"), newest first, with each channel's
    outcome: for the desk page of that thing, whose scope the caller has already checked."""
    return list(
        Notification.objects.filter(subject=subject)
        .select_related("recipient")
        .prefetch_related(Prefetch("deliveries", queryset=Delivery.objects.order_by("id")))
        .order_by("-created_at", "-id")[:limit]
    )
