"""The request id: taken from nginx's X-Request-ID (or made here), set for the logs and the tasks
the request starts (core/request_context.py), and returned in the response."""

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import resolve
from django.utils.log import log_response

from shezhi.core.logs import clean_request_id
from shezhi.core.request_context import reset_request_id, set_request_id

HEADER = "X-Request-ID"
_META_KEY = "HTTP_X_REQUEST_ID"

access_log = logging.getLogger("shezhi.request")


class RequestIdMiddleware:
    """First in MIDDLEWARE, so that everything after it logs with the id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = clean_request_id(request.META.get(_META_KEY))
        token = set_request_id(request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            if response.status_code >= 400:
                # Django logs these after the middleware has returned, i.e. without the id;
                # logged here (the same line) it carries it, and Django does not log it twice.
                log_response(
                    "%s: %s",
                    response.reason_phrase,
                    request.path,
                    response=response,
                    request=request,
                )
            # One line a request (INFO); the path without its query, which may hold a name.
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
            return response
        finally:
            reset_request_id(token)


class ProbeMiddleware:
    """Answers /healthz, /readyz and /metrics before the host check (CommonMiddleware) and the
    HTTPS redirect: a load balancer or Prometheus asks by the node's own address over plain
    HTTP on the intranet, which SHEZHI_ALLOWED_HOSTS need not list. After the request id and
    metrics middleware, so probes are logged and counted."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        from shezhi.core import health, metrics

        self.views: dict[str, Callable[[HttpRequest], HttpResponse]] = {
            "/healthz": health.healthz,
            "/readyz": health.readyz,
            "/metrics": metrics.metrics_view,
        }

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = self.views.get(request.path_info)
        if view is None:
            return self.get_response(request)
        request.resolver_match = resolve(request.path_info)  # the metrics' view label
        return view(request)
