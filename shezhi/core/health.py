"""Health probes for the load balancer and the operator.

/healthz: the process answers (no database touched: a slow database must not get a live node
restarted). /readyz: the node can serve: the database answers, every migration of this code is
applied, the broker answers when one is configured (SHEZHI_BROKER_URL) and so does the shared
cache (SHEZHI_CACHE_URL; cached sessions live there). 200 when ready,
503 with what failed; plain words, never a password or a traceback.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from shezhi.core.deployment import cache_is_shared, redact_url

log = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "detail": self.detail} if self.detail else {"ok": self.ok}


def check_database() -> Check:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not ready", said plainly
        log.warning("readyz: database check failed: %s", type(exc).__name__)
        return Check(False, _("数据库无法连接（%(error)s）") % {"error": type(exc).__name__})
    return Check(True)


_migrations_applied = False  # once all are applied they stay applied for this code


def check_migrations() -> Check:
    global _migrations_applied
    if _migrations_applied:
        return Check(True)
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        log.warning("readyz: migration check failed: %s", type(exc).__name__)
        return Check(False, _("无法读取迁移记录（%(error)s）") % {"error": type(exc).__name__})
    if plan:
        pending = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in plan[:5])
        return Check(
            False,
            _("有 %(n)s 个数据库迁移未执行（%(names)s…），请运行 shezhi migrate")
            % {"n": len(plan), "names": pending},
        )
    _migrations_applied = True
    return Check(True)


def ping_broker(url: str) -> None:
    """Raises when the broker does not answer within BROKER_TIMEOUT_SECONDS."""
    if url.startswith(("redis://", "rediss://", "unix://")):
        import redis

        client = redis.Redis.from_url(
            url,
            socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
            socket_timeout=BROKER_TIMEOUT_SECONDS,
        )
        try:
            client.ping()
        finally:
            client.close()
        return
    from kombu import Connection  # other brokers: through Celery's own transport library

    with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS) as connection:
        connection.ensure_connection(max_retries=1)


def check_broker() -> Check | None:
    url = settings.SHEZHI_BROKER_URL
    if not url:
        return None
    try:
        ping_broker(url)
    except Exception as exc:
        log.warning("readyz: broker %s failed: %s", redact_url(url), type(exc).__name__)
        return Check(
            False,
            _("任务队列（消息代理）无法连接（%(error)s）") % {"error": type(exc).__name__},
        )
    return Check(True)


def check_cache() -> Check | None:
    """Only a shared cache (Redis) can be down; this process's memory always answers."""
    if not cache_is_shared(settings.CACHES["default"]):
        return None
    try:
        cache.set("shezhi:readyz", 1, 10)
        if cache.get("shezhi:readyz") != 1:
            raise LookupError("value not kept")
    except Exception as exc:
        log.warning("readyz: cache check failed: %s", type(exc).__name__)
        return Check(False, _("共享缓存无法使用（%(error)s）") % {"error": type(exc).__name__})
    return Check(True)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, Check] = {"database": check_database()}
    # Migrations are read from the database: no use asking when it does not answer.
    if checks["database"].ok:
        checks["migrations"] = check_migrations()
    for name, optional in (("broker", check_broker()), ("cache", check_cache())):
        if optional is not None:
            checks[name] = optional
    ready = all(check.ok for check in checks.values())
    return JsonResponse(
        {
            "status": "ok" if ready else "fail",
            "checks": {name: check.as_dict() for name, check in checks.items()},
        },
        status=200 if ready else 503,
        json_dumps_params={"ensure_ascii": False},
    )
