"""Scoped reads of the inbox: a user sees only their own notifications; another's is not found."""

from django.db.models import QuerySet

from shezhi.accounts.models import User
from shezhi.core.errors import NotFound
from shezhi.notifications.models import Notification


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
