"""Task counts and queue length for Prometheus, from the task runs in the database (so every web
node reports the same numbers); registered in prometheus_client's default REGISTRY, which the
/metrics endpoint exports."""

import logging
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Count, Q
from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from shezhi.core.models import TaskRun

log = logging.getLogger(__name__)
S = TaskRun.Status


def _families() -> tuple[GaugeMetricFamily, GaugeMetricFamily]:
    runs = GaugeMetricFamily(
        "shezhi_task_runs", "Task runs kept, by task and state", labels=["task", "state"]
    )
    waiting = GaugeMetricFamily(
        "shezhi_task_queue_length",
        "Task runs waiting (queued or retrying; outbox: not yet handed over; broker: messages)",
        labels=["where"],
    )
    return runs, waiting


class TaskCollector(Collector):
    def describe(self) -> Iterator[GaugeMetricFamily]:
        # Names only: the registry must not query the database when the collector registers.
        yield from _families()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        runs, waiting = _families()
        try:
            rows = TaskRun.objects.values("name", "status").annotate(n=Count("id"))
            for row in rows.order_by("name", "status"):
                runs.add_metric([row["name"], row["status"]], row["n"])
            pending = TaskRun.objects.filter(status__in=[S.QUEUED, S.RETRYING]).aggregate(
                all=Count("id"), outbox=Count("id", filter=Q(sent_at__isnull=True))
            )
        except Exception:  # metrics must never break the scrape of the other metrics
            log.warning("task metrics unavailable", exc_info=True)
            return
        waiting.add_metric(["queued"], pending["all"])
        waiting.add_metric(["outbox"], pending["outbox"])
        broker = broker_queue_length()
        if broker is not None:
            waiting.add_metric(["broker"], broker)
        yield runs
        yield waiting


def broker_queue_length() -> int | None:
    """Messages waiting in the Celery queue on Redis; None without a broker or when it is down."""
    url = settings.SHEZHI_BROKER_URL
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return None
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        return int(client.llen("celery"))
    except redis.RedisError:
        return None


_registered: list[TaskCollector] = []


def register() -> None:
    if not _registered:
        collector = TaskCollector()
        REGISTRY.register(collector)
        _registered.append(collector)
