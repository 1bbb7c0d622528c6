"""URLs under /api/: ninja's operations, schema and docs, with JSON errors for what ninja itself
answers in plain text or HTML (405, the bare /api/) and for any unknown path (404)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, include, path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from shezhi.api.api import api
from shezhi.api.errors import error_body

_JSON = {"ensure_ascii": False}


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    return JsonResponse(
        error_body("not_found", _("接口地址不存在")), status=404, json_dumps_params=_JSON
    )


def _json_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Http404:  # ninja's root view at /api/ only exists to be reversed
            return not_found(request)
        if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
            allow = response.get("Allow", "")
            response = JsonResponse(
                error_body("method_not_allowed", _("不支持该请求方法")),
                status=405,
                json_dumps_params=_JSON,
            )
            response["Allow"] = allow
        return response

    return wrapper


_patterns, _app_name, _namespace = api.urls
for _pattern in _patterns:
    if isinstance(_pattern, URLPattern):
        _pattern.callback = _json_errors(_pattern.callback)

urlpatterns = [
    path("", include((_patterns, _app_name), namespace=_namespace)),
    re_path(r"^(?P<rest>.*)$", not_found),
]
