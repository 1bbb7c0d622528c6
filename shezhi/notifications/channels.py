"""Delivery channels. The in-app inbox is always on (the Notification row is the inbox entry);
other channels are named in SHEZHI_NOTIFICATION_CHANNELS (short names or dotted class paths).

A channel's `send` raises DeliveryFailed for a permanent failure with a reason (the delivery is
marked failed at once, e.g. no mobile number); any other exception is transient and retried.
`dedupe_key` names the delivery, the same on every attempt: a channel with effects outside the
platform passes it on (an SMS gateway's client message id) so a repeated attempt is dropped.

SMS goes through a backend (SHEZHI_SMS_BACKEND, a dotted path); the console backend prints the
message (mobile masked) for development. A real gateway implements `SmsBackend.send`."""

import logging
import re
import sys
from collections.abc import Callable
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from shezhi.core.masking import mask_mobile
from shezhi.notifications.models import Notification

log = logging.getLogger(__name__)

INBOX = "inbox"
SMS = "sms"
DEFAULT_SMS_BACKEND = "shezhi.notifications.channels.ConsoleSmsBackend"
MOBILE = re.compile(r"^1\d{10}$")


class DeliveryFailed(Exception):
    """A permanent failure: retrying would not help. The message is shown to staff."""


class Channel(Protocol):
    name: str

    def send(self, notification: Notification, *, dedupe_key: str = "") -> None: ...


class InboxChannel:
    """In-app inbox: stored with the notification itself, so sending is only bookkeeping."""

    name = INBOX

    def send(self, notification: Notification, *, dedupe_key: str = "") -> None:
        return None


class SmsBackend(Protocol):
    # dedupe_key: the gateway's client message id, so it sends one message per delivery.
    def send(self, *, mobile: str, text: str, dedupe_key: str = "") -> None: ...


class ConsoleSmsBackend:
    """Development backend: writes the text message to stdout (and the log) instead of sending."""

    def __init__(self, stream: object | None = None):
        self.stream = stream

    def send(self, *, mobile: str, text: str, dedupe_key: str = "") -> None:
        line = f"[SMS] {mask_mobile(mobile)}: {text}"
        print(line, file=self.stream or sys.stdout, flush=True)  # type: ignore[arg-type]
        log.info("%s", line)


def sms_backend() -> SmsBackend:
    path = settings.SHEZHI_SMS_BACKEND or DEFAULT_SMS_BACKEND
    backend: SmsBackend = import_string(path)()
    return backend


def sms_text(notification: Notification) -> str:
    site = str(settings.SHEZHI_SITE_NAME)
    text = f"【{site}】{notification.title}"
    if notification.body:
        text += f"：{notification.body}"
    return text[:300]


# Apps above this one know other numbers of a user (a volunteer's registered mobile): they
# register a lookup in their AppConfig.ready(); the account's own phone is tried first.
MobileLookup = Callable[[Any], str | None]
_mobile_lookups: list[MobileLookup] = []


def register_mobile_lookup(lookup: MobileLookup) -> None:
    if lookup not in _mobile_lookups:
        _mobile_lookups.append(lookup)


def mobile_of(user: Any) -> str:
    if user is None:
        return ""
    mobile = (getattr(user, "phone", "") or "").strip()
    for lookup in _mobile_lookups:
        if mobile:
            break
        mobile = (lookup(user) or "").strip()
    return mobile


class SmsChannel:
    name = SMS

    def __init__(self, backend: SmsBackend | None = None):
        self.backend = backend

    def send(self, notification: Notification, *, dedupe_key: str = "") -> None:
        mobile = notification.mobile or mobile_of(notification.recipient)
        if not mobile:
            raise DeliveryFailed("接收人未登记手机号，无法发送短信")
        if not MOBILE.match(mobile):
            raise DeliveryFailed("接收人的手机号格式不正确，无法发送短信")
        (self.backend or sms_backend()).send(
            mobile=mobile, text=sms_text(notification), dedupe_key=dedupe_key
        )


BUILT_IN: dict[str, type] = {INBOX: InboxChannel, SMS: SmsChannel}


def channel_names() -> list[str]:
    """The configured channels, the inbox always first and each name once."""
    configured = settings.SHEZHI_NOTIFICATION_CHANNELS or []
    if isinstance(configured, str):
        configured = configured.split(",")
    names = [INBOX]
    for name in configured:
        name = str(name).strip()
        if name and name not in names:
            names.append(name)
    return names


def channel(name: str) -> Channel:
    """The channel called `name`: a built-in short name or a dotted path to a class."""
    cls = BUILT_IN.get(name) or import_string(name)
    instance: Channel = cls()
    return instance
