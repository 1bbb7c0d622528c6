"""Prometheus metrics: requests by view and status, and their latency, at /metrics.

/metrics exports prometheus_client's default REGISTRY, so any collector registered there (the
task queue's counts, for instance) appears too. Under several gunicorn workers
(SHEZHI_METRICS_DIR, prometheus_client's multiprocess mode) each worker writes its counts to
files and /metrics adds up every worker's, whichever worker answers.
"""

import hmac
import ipaddress
import os
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram
from prometheus_client.core import Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector, CollectorRegistry

REQUESTS = Counter(
    "shezhi_http_requests",
    "HTTP requests answered, by view, method and status code.",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "shezhi_http_request_duration_seconds",
    "Seconds from a request's arrival to its answer, by view and method.",
    ["view", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)

UNRESOLVED = "<unresolved>"  # no URL matched (404s): one label, not one per path tried
# Only the usual methods get their own label; anything else is counted as "other".
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def view_label(request: HttpRequest) -> str:
    """The URL pattern's name (bounded: never the path, which holds ids)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return UNRESOLVED
    return match.view_name or match.route or UNRESOLVED


class MetricsMiddleware:
    """Second in MIDDLEWARE (after the request id): times everything after it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        view = view_label(request)
        method = request.method if request.method in _METHODS else "other"
        REQUESTS.labels(view=view, method=method, status=str(response.status_code)).inc()
        LATENCY.labels(view=view, method=method).observe(time.perf_counter() - started)
        return response


def _multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


class _OthersInRegistry(Collector):
    """In multiprocess mode: the default REGISTRY's collectors that are not per-process metric
    values (e.g. a queue-length collector), without the families the worker files already hold
    and without this one process's own process_/python_ figures, which would mislead."""

    def __init__(self, skip: set[str]) -> None:
        self.skip = skip

    def collect(self) -> Iterable[Metric]:
        for family in REGISTRY.collect():
            if family.name in self.skip or family.name.startswith(("process_", "python_")):
                continue
            yield family


def exposition() -> bytes:
    """The text Prometheus scrapes."""
    if not _multiprocess():
        return generate_latest(REGISTRY)
    workers = CollectorRegistry()
    collector = MultiProcessCollector(workers)
    # Every metric value this process holds is in its worker file too, so skip those families.
    names = {family.name for family in collector.collect()}
    workers.register(_OthersInRegistry(names))
    return generate_latest(workers)


_PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED")


def may_read_metrics(request: HttpRequest) -> bool:
    """A scrape with the metrics token, or from this machine directly (not through a proxy:
    nginx on this machine forwards the public's requests from a loopback address too)."""
    token = settings.SHEZHI_METRICS_TOKEN
    if token:
        given = request.META.get("HTTP_AUTHORIZATION", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return True
    if any(request.META.get(header) for header in _PROXY_HEADERS):
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


@never_cache
@require_safe
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not may_read_metrics(request):
        # Plain text for a scraper; the same answer whether or not a token was sent.
        return HttpResponse("403 禁止访问：需要指标令牌。\n", status=403, content_type="text/plain")
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
