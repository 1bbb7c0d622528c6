"""Writes to accounts: API tokens (only a SHA-256 hash of each token is stored), the user's
长辈模式 preference."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from shezhi.accounts.models import ApiToken, User
from shezhi.core.errors import InvalidInput

TOKEN_PREFIX = "sz_"
TOKEN_MAX_LENGTH = 200


def _hash(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Issue a new token for `user`. The raw token is returned once and never stored."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput("请填写令牌名称", field="name")
    if len(name) > 60:
        raise InvalidInput("令牌名称不能超过60个字符", field="name")
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
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


def user_set_elder_mode(*, actor: User, enabled: bool | None) -> User:
    """Switch 长辈模式 on or off for oneself; None goes back to the default by age."""
    if enabled is not None and not isinstance(enabled, bool):
        raise InvalidInput("长辈模式只能是开启、关闭或按年龄默认", field="elder_mode")
    User.objects.filter(pk=actor.pk).update(elder_mode=enabled)
    actor.elder_mode = enabled
    return actor
