"""Notification delivery as a task (shezhi/core/tasks.py)."""

from shezhi.core.tasks import task
from shezhi.notifications.services import MAX_ATTEMPTS, deliver_pending


class DeliveriesToRetry(Exception):
    """Some deliveries failed for a transient reason: the task runs again later for them."""


@task("notifications.deliver", max_attempts=MAX_ATTEMPTS, backoff_seconds=30)
def deliver(*, notification_ids: list[int]) -> None:
    # Idempotent: each delivery is claimed before it is sent, and one already sent is skipped.
    result = deliver_pending(notification_ids=notification_ids)
    if result.retrying:
        raise DeliveriesToRetry(f"{result.retrying} 条投递暂时失败，稍后重试")
