"""The notification outbox.

- notify(*, recipient, kind, title, body, link, dedupe_key) -> Notification | None: enqueue one
  notification (also the inbox entry) with a queued Delivery per configured channel. With a
  dedupe key, a second call for the same recipient and key is a no-op (None), guarded by a
  unique constraint, so re-running a job never sends the same reminder twice.
- notify_many(...): the same for several recipients (one delivery run after commit).
  Channels: the inbox always, SMS when the deployment has it and the recipient has not turned it
  off (Preference), or when the caller requires it (sms=True).
- notify_by_sms(*, mobile, ...): a text message to someone without an account (a resident
  without a smartphone), kept in the outbox; without an SMS channel it is recorded as failed.
- deliver_pending(*, notification_ids=None) -> DeliveryResult: send queued deliveries. Each row
  is claimed (queued -> sending) with a conditional UPDATE, so concurrent runs never send one
  delivery twice; a claim older than CLAIM_LEASE belongs to a run that died and is taken over.

Delivery is the task `notifications.deliver` (shezhi/notifications/tasks.py), queued in the same
transaction when SHEZHI_TASKS_INLINE is on (the default) and run by the task runner after commit
(in-process threads, or a Celery worker with a broker); otherwise `shezhi notifications_deliver`
(cron) sends the queue. Each delivery gives its channel a dedupe key (`delivery-<id>`): a run
repeated after a crash between sending and recording may reach the SMS gateway again, which drops
a message whose key it has seen.
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.core import tasks
from shezhi.core.errors import InvalidInput
from shezhi.notifications.channels import (
    SMS,
    Channel,
    DeliveryFailed,
    channel,
    channel_names,
)
from shezhi.notifications.models import Delivery, Notification, Preference

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # transient failures are retried this often, then the delivery fails
BATCH = 500
# A run holds a claimed delivery this long at most: longer than any gateway's time-out, so only a
# crashed run's claim is ever taken over.
CLAIM_LEASE = timedelta(minutes=10)


def _check_link(link: str) -> str:
    """Only site-relative paths: an inbox link must never lead off the platform."""
    link = (link or "").strip()
    if link and (not link.startswith("/") or link.startswith("//") or "\\" in link):
        raise InvalidInput("通知链接须为站内路径", field="link")
    return link[:200]


def _create(
    *,
    recipient: User | None,
    kind: str,
    title: str,
    body: str,
    link: str,
    dedupe_key: str,
    mobile: str = "",
    sms: bool = False,
    audience: str = "",
    subject: str = "",
) -> Notification | None:
    if kind not in Notification.Kind.values:
        raise InvalidInput("通知类型不正确", field="kind")
    if recipient is None and not mobile:
        raise InvalidInput("短信通知须有手机号", field="mobile")
    if dedupe_key:
        seen = Notification.objects.filter(dedupe_key=dedupe_key)
        seen = (
            seen.filter(recipient=recipient)
            if recipient is not None
            else seen.filter(recipient__isnull=True, mobile=mobile)
        )
        if seen.exists():
            return None
    notification = Notification(
        recipient=recipient,
        mobile=mobile[:11],
        kind=kind,
        title=title[:100],
        body=body[:500],
        link=_check_link(link) if recipient is not None else "",
        dedupe_key=dedupe_key[:120],
        audience=audience,
        subject=subject[:40],
    )
    try:
        with transaction.atomic():  # a concurrent run inserted the same key: skip it
            notification.save()
    except IntegrityError:
        return None
    Delivery.objects.bulk_create(_deliveries(notification, sms=sms))
    return notification


def _deliveries(notification: Notification, *, sms: bool) -> list[Delivery]:
    """One delivery per channel: the inbox always (for an account), SMS when the deployment
    has it and it is wanted, other configured channels always. A notice by SMS only on a
    deployment without SMS is recorded as failed, so staff see that nobody was told."""
    names = channel_names()
    if notification.recipient_id is None:
        if SMS in names:
            return [Delivery(notification=notification, channel=SMS)]
        return [
            Delivery(
                notification=notification,
                channel=SMS,
                status=Delivery.Status.FAILED,
                last_error="本平台未开通短信渠道，请电话告知",
            )
        ]
    return [
        Delivery(notification=notification, channel=name) for name in names if name != SMS or sms
    ]


def sms_opted_out(user_ids: Iterable[int]) -> set[int]:
    """The users among `user_ids` who turned SMS notices off."""
    return set(
        Preference.objects.filter(user_id__in=list(user_ids), sms=False).values_list(
            "user_id", flat=True
        )
    )


def _deliver_after_commit(notifications: Sequence[Notification]) -> None:
    if notifications and settings.SHEZHI_TASKS_INLINE:
        tasks.enqueue(
            "notifications.deliver",
            label=f"{len(notifications)} 条通知",
            notification_ids=[n.pk for n in notifications],
        )


@transaction.atomic
def notify(
    *,
    recipient: User,
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    dedupe_key: str = "",
    sms: bool | None = None,
    mobile: str = "",
    audience: str = "",
    subject: str = "",
) -> Notification | None:
    """Enqueue a notification for `recipient`; None when `dedupe_key` was already used.
    `sms`: None follows the user's preference, True sends an SMS also to a user who turned it
    off (a resident registered as having no smartphone); `mobile` overrides the account's."""
    made = notify_many(
        recipients=[recipient],
        kind=kind,
        title=title,
        body=body,
        link=link,
        dedupe_key=dedupe_key,
        sms=sms,
        mobile=mobile,
        audience=audience,
        subject=subject,
    )
    return made[0] if made else None


@transaction.atomic
def notify_many(
    *,
    recipients: Iterable[User],
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    dedupe_key: str = "",
    sms: bool | None = None,
    mobile: str = "",
    audience: str = "",
    subject: str = "",
) -> list[Notification]:
    """The same notification to each recipient once (duplicates in `recipients` collapse)."""
    unique: dict[int, User] = {}
    for recipient in recipients:
        unique.setdefault(recipient.pk, recipient)
    opted_out = sms_opted_out(unique) if sms is None else set()
    made = []
    for recipient in unique.values():
        notification = _create(
            recipient=recipient,
            kind=kind,
            title=title,
            body=body,
            link=link,
            dedupe_key=dedupe_key,
            mobile=mobile,
            sms=bool(sms) if sms is not None else recipient.pk not in opted_out,
            audience=audience,
            subject=subject,
        )
        if notification is not None:
            made.append(notification)
    _deliver_after_commit(made)
    return made


@transaction.atomic
def notify_by_sms(
    *,
    mobile: str,
    kind: str,
    title: str,
    body: str = "",
    dedupe_key: str = "",
    audience: str = "",
    subject: str = "",
) -> Notification | None:
    """A text message to someone without an account (a resident without a smartphone, a
    partner's contact), kept in the outbox like any other notice; None when already sent."""
    notification = _create(
        recipient=None,
        kind=kind,
        title=title,
        body=body,
        link="",
        dedupe_key=dedupe_key,
        mobile=mobile.strip(),
        audience=audience,
        subject=subject,
    )
    made = [notification] if notification is not None else []
    _deliver_after_commit(made)
    return notification


@transaction.atomic
def preference_set(*, actor: User, sms: bool) -> Preference:
    """The actor's own channel choice (the inbox cannot be turned off)."""
    if not isinstance(sms, bool):
        raise InvalidInput("请选择是否接收短信通知", field="sms")
    preference, _ = Preference.objects.update_or_create(user=actor, defaults={"sms": sms})
    return preference


# --- delivery ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryResult:
    sent: int
    failed: int
    retrying: int


def _finish(delivery: Delivery, **fields: object) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(**fields)


def deliver_pending(
    *,
    notification_ids: Sequence[int] | None = None,
    limit: int = BATCH,
    now: datetime | None = None,
) -> DeliveryResult:
    """Send queued deliveries, oldest first. A permanent failure (DeliveryFailed) fails the
    delivery with its reason; any other error is retried up to MAX_ATTEMPTS times."""
    now = now or timezone.now()
    # Queued, or claimed by a run that died: a live run finishes within the lease.
    claimable = Q(status=Delivery.Status.QUEUED) | Q(
        status=Delivery.Status.SENDING, claimed_at__lt=now - CLAIM_LEASE
    )
    queued = Delivery.objects.filter(claimable)
    if notification_ids is not None:
        queued = queued.filter(notification_id__in=list(notification_ids))
    rows = list(queued.select_related("notification__recipient").order_by("id")[:limit])
    channels: dict[str, Channel] = {}
    sent = failed = retrying = 0
    for delivery in rows:
        # Claim: the UPDATE re-checks the row under its lock, so of concurrent runs exactly one
        # moves it to sending; the others match nothing and skip it.
        if not Delivery.objects.filter(claimable, pk=delivery.pk).update(
            status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        ):
            continue
        attempts = delivery.attempts + 1
        try:
            if delivery.channel not in channels:
                channels[delivery.channel] = channel(delivery.channel)
            channels[delivery.channel].send(
                delivery.notification, dedupe_key=f"delivery-{delivery.pk}"
            )
        except DeliveryFailed as exc:
            _finish(delivery, status=Delivery.Status.FAILED, last_error=str(exc)[:300])
            failed += 1
        except Exception as exc:
            log.warning("delivery %s over %s failed: %s", delivery.pk, delivery.channel, exc)
            final = attempts >= MAX_ATTEMPTS
            _finish(
                delivery,
                status=Delivery.Status.FAILED if final else Delivery.Status.QUEUED,
                last_error=f"{type(exc).__name__}: {exc}"[:300],
            )
            failed += final
            retrying += not final
        else:
            _finish(
                delivery,
                status=Delivery.Status.SENT,
                sent_at=now,
                last_error="",
            )
            sent += 1
    return DeliveryResult(sent=sent, failed=failed, retrying=retrying)


# --- the inbox --------------------------------------------------------------------------------


@transaction.atomic
def notification_mark_read(
    *, actor: User, notification_id: int, now: datetime | None = None
) -> Notification:
    """Mark one of the actor's notifications read (someone else's: not found)."""
    from shezhi.notifications.selectors import notification_get

    notification = notification_get(actor=actor, notification_id=notification_id)
    if notification.read_at is None:
        notification.read_at = now or timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, actor: User, now: datetime | None = None) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )
