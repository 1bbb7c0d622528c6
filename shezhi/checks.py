"""System checks that refuse a dangerous configuration at start-up."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.checks import Warning as CheckWarning

from shezhi.core.knobs import REGISTRY

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


# --- relations between knobs (each declared once in settings.py, see docs/settings.md) ---------

RISK_LEVELS = ("urgent", "high", "medium", "low")  # cases.models.CaseFile.RiskLevel values
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def _is_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@register()
def knobs_in_range(app_configs, **kwargs):
    """Every whole-number SHEZHI_* knob with a declared minimum holds a whole number ≥ it."""
    errors = []
    for knob in REGISTRY.values():
        if knob.minimum is None or not knob.setting.startswith("SHEZHI_"):
            continue
        value = getattr(settings, knob.setting)
        if not _is_whole(value) or value < knob.minimum:
            errors.append(
                Error(
                    f"{knob.env} 应为不小于 {knob.minimum} 的整数，当前为 {value!r}。",
                    id="shezhi.E010",
                )
            )
    return errors


@register()
def checkin_token_outlives_rotation(app_configs, **kwargs):
    """A QR code scanned just before the organiser's page shows the next one must still work."""
    lifetime = settings.SHEZHI_CHECKIN_TOKEN_SECONDS
    rotation = settings.SHEZHI_CHECKIN_QR_ROTATION_SECONDS
    if _is_whole(lifetime) and _is_whole(rotation) and lifetime <= rotation:
        return [
            Error(
                f"SHEZHI_CHECKIN_TOKEN_SECONDS（{lifetime} 秒）必须大于"
                f" SHEZHI_CHECKIN_QR_ROTATION_SECONDS（{rotation} 秒）：否则刚扫到的签到码"
                "可能已失效，志愿者无法签到。",
                id="shezhi.E011",
            )
        ]
    return []


@register()
def reminder_hours_positive(app_configs, **kwargs):
    hours = settings.SHEZHI_ACTIVITY_REMINDER_HOURS
    if not hours or not all(_is_whole(h) and h > 0 for h in hours):
        return [
            Error(
                f"SHEZHI_ACTIVITY_REMINDER_HOURS 应为一个或多个正整数（小时），当前为 {hours!r}。",
                id="shezhi.E012",
            )
        ]
    return []


@register()
def schedule_is_valid(app_configs, **kwargs):
    """Every scheduled job runs at a positive interval, and the crisis-alert job runs well within
    the acknowledgement deadline (an alert must escalate on time)."""
    schedule = settings.SHEZHI_SCHEDULE
    errors = []
    for name, seconds in schedule.items():
        if not _is_whole(seconds) or seconds <= 0:
            errors.append(
                Error(
                    f"SHEZHI_SCHEDULE 中任务“{name}”的间隔应为正整数（秒），当前为 {seconds!r}。",
                    id="shezhi.E013",
                )
            )
    care = schedule.get("care.jobs", schedule.get("care_jobs"))  # the task, or its command
    ack = settings.SHEZHI_CARE_CRISIS_ACK_MINUTES
    if _is_whole(care) and _is_whole(ack) and care >= ack * 60:
        errors.append(
            Error(
                f"SHEZHI_SCHEDULE 中 care.jobs 每 {care} 秒运行一次，不短于危机预警确认时限"
                f" SHEZHI_CARE_CRISIS_ACK_MINUTES（{ack} 分钟）：超时的预警无法及时升级。",
                id="shezhi.E014",
            )
        )
    return errors


@register()
def case_review_days_valid(app_configs, **kwargs):
    """Only known risk levels (a misspelt one would be ignored silently), each a positive number."""
    days = settings.SHEZHI_CASE_REVIEW_DAYS
    problems = [
        f"{key}={value!r}"
        for key, value in days.items()
        if key not in RISK_LEVELS or not _is_whole(value) or value <= 0
    ]
    if problems:
        return [
            Error(
                "SHEZHI_CASE_REVIEW_DAYS 的风险等级应为 urgent/high/medium/low，天数为正整数；"
                f"有误：{'，'.join(problems)}。",
                id="shezhi.E015",
            )
        ]
    return []


@register()
def public_base_url_usable(app_configs, **kwargs):
    """The address printed on proofs, check-in codes and calendars must be reachable by others."""
    url = str(settings.SHEZHI_PUBLIC_BASE_URL)
    if not url.startswith(("http://", "https://")):
        return [
            Error(
                f"SHEZHI_PUBLIC_BASE_URL 应以 http:// 或 https:// 开头，当前为 {url!r}。",
                id="shezhi.E016",
            )
        ]
    host = url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[0]
    if not settings.DEBUG and (host in LOOPBACK_HOSTS or not host):
        return [
            CheckWarning(
                f"SHEZHI_PUBLIC_BASE_URL 指向本机（{url}）：证明和签到二维码在其他设备上打不开。",
                hint="设置为居民访问平台的地址，例如 https://shezhi.example.gov.cn",
                id="shezhi.W017",
            )
        ]
    return []


# --- several web nodes (shezhi/core/deployment.py) ----------------------------------------------


@register()
def sessions_shared_between_nodes(app_configs, **kwargs):
    """Sessions read from a cache need one every node sees: with each process's own memory, a
    log-out on one node would leave the session alive on the others."""
    from shezhi.core.deployment import cache_is_shared

    engine = settings.SESSION_ENGINE
    if engine.endswith((".cache", ".cached_db")) and not cache_is_shared(
        settings.CACHES["default"]
    ):
        return [
            Error(
                "SHEZHI_SESSION_STORE=cached_db 需要各节点共享的缓存：请设置 SHEZHI_CACHE_URL"
                "（redis://主机:端口/库号），否则在一个节点退出登录后，其他节点上的会话仍然有效。",
                id="shezhi.E060",
            )
        ]
    return []


@register()
def s3_storage_usable(app_configs, **kwargs):
    """Uploaded files in S3 need a bucket and the S3 client library (boto3, `pip install
    -e .[s3]`); without them the first photo upload would fail."""
    from shezhi.core.deployment import S3_STORAGE

    if settings.STORAGES["default"]["BACKEND"] != S3_STORAGE:
        return []
    errors = []
    if not settings.STORAGES["default"]["OPTIONS"].get("bucket_name"):
        errors.append(
            Error(
                "SHEZHI_STORAGE=s3 需要设置 SHEZHI_S3_BUCKET（存放上传文件的存储桶）。",
                id="shezhi.E061",
            )
        )
    try:
        import boto3  # noqa: F401
    except ImportError:
        errors.append(
            Error(
                "SHEZHI_STORAGE=s3 需要 S3 客户端库 boto3：pip install -e '.[s3]'。",
                id="shezhi.E062",
            )
        )
    return errors


@register(deploy=True)
def cache_shared_in_production(app_configs, **kwargs):
    """With several nodes, import progress and other cached state must be in a shared cache."""
    from shezhi.core.deployment import cache_is_shared

    if settings.DEBUG or cache_is_shared(settings.CACHES["default"]):
        return []
    return [
        CheckWarning(
            "缓存在各进程自己的内存中（SHEZHI_CACHE_URL 未设置）：只适合单个节点。",
            hint="多个 Web 节点时设置 SHEZHI_CACHE_URL=redis://主机:端口/库号。",
            id="shezhi.W063",
        )
    ]


@register()
def broker_url_valid(app_configs, **kwargs):
    """The task queue speaks to Redis only: another scheme would fail every task at run time."""
    url = settings.SHEZHI_BROKER_URL
    if url and not url.startswith(("redis://", "rediss://", "unix://")):
        return [
            Error(
                f"SHEZHI_BROKER_URL 应为 Redis 地址（如 redis://127.0.0.1:6379/0），"
                f"当前为 {url!r}；不使用消息队列时请留空。",
                id="shezhi.E501",
            )
        ]
    return []
