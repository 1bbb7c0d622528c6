"""System checks that refuse a dangerous configuration at start-up."""

from django.conf import settings
from django.core.checks import Error, Tags, register

# Keys people copy from tutorials and templates; any of them (in any case) is refused.
KNOWN_WEAK_KEYS = frozenset(
    {
        "changeme",
        "change-me",
        "change_me",
        "secret",
        "secretkey",
        "secret-key",
        "password",
        "django",
        "shezhi",
        "test",
        "default",
        "123456",
    }
)
MIN_SECRET_LENGTH = 50
MIN_SECRET_DISTINCT = 5


def secret_key_weakness(key: str) -> str | None:
    """Why `key` is too weak to sign sessions and proofs (None when it is strong enough)."""
    if key.lower() in KNOWN_WEAK_KEYS or key.startswith(("dev-only", "django-insecure")):
        return "是公开或示例中的密钥"
    if len(key) < MIN_SECRET_LENGTH:
        return f"太短（{len(key)} 个字符，至少 {MIN_SECRET_LENGTH} 个）"
    if len(set(key)) < MIN_SECRET_DISTINCT:
        return f"太简单（只有 {len(set(key))} 种不同字符）"
    return None


@register(Tags.security)
def secret_key_is_set(app_configs, **kwargs):
    if not settings.DEBUG and settings.SECRET_KEY.startswith("dev-only"):
        return [
            Error(
                "SHEZHI_SECRET_KEY must be set when SHEZHI_DEBUG is off.",
                id="shezhi.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def secret_key_is_strong(app_configs, **kwargs):
    """`check --deploy` (run before every production start) refuses a weak secret key."""
    weakness = secret_key_weakness(settings.SECRET_KEY)
    if weakness is None:
        return []
    return [
        Error(
            f"SHEZHI_SECRET_KEY {weakness}：会话和服务证明的签名可被伪造，平台拒绝启动。",
            hint="生成密钥：python -c 'import secrets; print(secrets.token_urlsafe(50))'",
            id="shezhi.E002",
        )
    ]
