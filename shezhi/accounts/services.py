"""Writes to accounts: API tokens (only a SHA-256 hash of each token is stored), the user's
长辈模式 preference, deactivation."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import Q
from django.utils import timezone

from shezhi.accounts.models import ApiToken, User
from shezhi.core import audit
from shezhi.core.errors import InvalidInput
from shezhi.core.inputs import clean_text
from shezhi.core.models import AuditEvent

TOKEN_PREFIX = "sz_"
TOKEN_MAX_LENGTH = 200


def _hash(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Issue a new token for `user`. The raw token is returned once and never stored."""
    name = clean_text(name, field="name", label="令牌名称", max_length=60)
    if not user.is_active:
        raise InvalidInput("该账号已停用，不能签发令牌", field="user")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, token_hash=_hash(raw))
    return token, raw


def api_token_authenticate(*, raw_token: str) -> User | None:
    """The active user a token belongs to, or None; records when the token was last used."""
    if not raw_token or len(raw_token) > TOKEN_MAX_LENGTH:
        return None
    token = (
        ApiToken.objects.select_related("user", "user__unit")
        .filter(token_hash=_hash(raw_token.strip()), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    _touch(token)
    return token.user


def user_set_elder_mode(*, actor: User, enabled: bool | None) -> User:
    """Switch 长辈模式 on or off for oneself; None goes back to the default by age."""
    if enabled is not None and not isinstance(enabled, bool):
        raise InvalidInput("长辈模式只能是开启、关闭或按年龄默认", field="elder_mode")
    User.objects.filter(pk=actor.pk).update(elder_mode=enabled)
    actor.elder_mode = enabled
    return actor


def _touch(token: ApiToken) -> None:
    """Record use at most once per SHEZHI_TOKEN_TOUCH_SECONDS: a write per request would queue
    every API call behind any long writer (an import on SQLite) and fill the log."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.SHEZHI_TOKEN_TOUCH_SECONDS)
    if token.last_used_at is not None and token.last_used_at > stale:
        return
    # Conditional: of several requests at once, one writes; a busy database is no failure.
    try:
        with transaction.atomic():
            ApiToken.objects.filter(pk=token.pk).filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale)
            ).update(last_used_at=now)
    except OperationalError:
        pass


@transaction.atomic
def user_deactivate(*, actor: User, user_id: int) -> User:
    """Users are deactivated, never deleted: what they did stays attributed to them."""
    user = User.objects.select_for_update().get(pk=user_id)
    if user.pk == actor.pk:
        raise InvalidInput("不能停用自己的账号", field="user")
    if user.is_active:
        User.objects.filter(pk=user.pk).update(is_active=False)
        audit.record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=user,
            summary=f"停用账号 {user.username}",
            changes={"is_active": [True, False]},
        )
        user.is_active = False
    return user
