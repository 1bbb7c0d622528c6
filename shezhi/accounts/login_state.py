"""What a log-in notes in the session for the security middleware (shezhi.web.middleware):
when the session was last used (idle time-out of desk sessions) and whether the account has a
confirmed TOTP authenticator (django-otp), so that ordinary requests cost no extra query or
session write.
"""

import time
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest
from django_otp import user_has_device

HAS_DEVICE_KEY = "shezhi_otp_has_device"
LAST_SEEN_KEY = "shezhi_last_seen"


def totp_required(user: Any) -> bool:
    """The roles in settings.SHEZHI_TOTP_REQUIRED_ROLES must enrol (superusers count as
    system admins)."""
    required = settings.SHEZHI_TOTP_REQUIRED_ROLES
    return user.role in required or (user.is_superuser and "system_admin" in required)


def remember_device(request: HttpRequest, has_device: bool) -> None:
    request.session[HAS_DEVICE_KEY] = has_device


def _on_log_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        remember_device(request, user_has_device(user))
        request.session[LAST_SEEN_KEY] = int(time.time())


def connect() -> None:
    user_logged_in.connect(_on_log_in, dispatch_uid="shezhi-login-state")
