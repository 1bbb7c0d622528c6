"""One error shape for the whole API: {"code", "message", "field"} with a Chinese message.

DomainError → its own status; request validation (ninja's 422) → 400 naming the field; a path
with a bad id → 404; ninja's own HTTP errors (unparseable body, no credentials) → same shape.
"""

import functools
import logging
from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.operation import Operation

from shezhi.activities.errors import ActivityError
from shezhi.cases.crypto import CaseKeyError
from shezhi.core.errors import DomainError, ErrorCode
from shezhi.figures.errors import FigureError
from shezhi.proofs.errors import ProofError

log = logging.getLogger(__name__)
_F = TypeVar("_F", bound=Callable[..., Any])

# Parameter sources and wrapper names that are not the field a client sent.
_LOCATION_NAMES = frozenset({"body", "query", "path", "header", "cookie", "form", "payload"})


def error_body(code: str, message: str, field: str | None = None) -> dict[str, str | None]:
    return {"code": code, "message": message, "field": field}


def _field_of(loc: tuple[Any, ...]) -> str | None:
    parts = [str(p) for p in loc if not (isinstance(p, str) and p in _LOCATION_NAMES)]
    return ".".join(parts) or None


def _describe(error: dict[str, Any]) -> str:
    """A Chinese sentence for one pydantic error (without the field name)."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("必须填写")
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return _("应为整数")
    if kind in ("float_type", "float_parsing", "decimal_type", "decimal_parsing"):
        return _("应为数字")
    if kind in ("bool_type", "bool_parsing"):
        return _("应为布尔值（true 或 false）")
    if kind in ("string_type", "string_sub_type"):
        return _("应为文本")
    if kind == "string_too_long":
        return _("不能超过%(n)s个字符") % {"n": ctx.get("max_length")}
    if kind == "string_too_short":
        return _("不能少于%(n)s个字符") % {"n": ctx.get("min_length")}
    if kind == "too_long":
        return _("最多%(n)s项") % {"n": ctx.get("max_length")}
    if kind in ("greater_than_equal", "greater_than"):
        return _("应不小于%(n)s") % {"n": ctx.get("ge", ctx.get("gt"))}
    if kind in ("less_than_equal", "less_than"):
        return _("应不大于%(n)s") % {"n": ctx.get("le", ctx.get("lt"))}
    if kind in ("literal_error", "enum"):
        return _("取值无效，可选：%(v)s") % {"v": ctx.get("expected", "")}
    if kind in ("list_type", "tuple_type", "set_type"):
        return _("应为列表")
    if kind.startswith("date") or kind.startswith("datetime"):
        return _("应为有效日期（YYYY-MM-DD）")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return _("应为 JSON 对象")
    if kind == "extra_forbidden":
        return _("不是可接受的字段")
    if kind == "value_error":
        return str(ctx.get("error") or error.get("msg", "")).removeprefix("Value error, ")
    return _("取值无效")


def validation_error_response(
    api: NinjaAPI, request: HttpRequest, exc: ValidationError
) -> HttpResponse:
    errors = exc.errors or [{}]
    first = errors[0]
    loc = tuple(first.get("loc") or ())
    if loc and loc[0] == "path":
        # /needs/abc, /needs/-1: a record that cannot exist.
        return api.create_response(
            request, error_body("not_found", _("未找到该记录"), _field_of(loc)), status=404
        )
    field = _field_of(loc)
    reason = _describe(first)
    if field is None:
        message = _("请求内容%(reason)s") % {"reason": reason}
    else:
        message = _("字段 %(field)s：%(reason)s") % {"field": field, "reason": reason}
    return api.create_response(request, error_body("invalid", message, field), status=400)


def http_error_response(api: NinjaAPI, request: HttpRequest, exc: HttpError) -> HttpResponse:
    status = exc.status_code
    if isinstance(exc, AuthenticationError) or status == 401:
        body = error_body("unauthenticated", _("请先登录，或在请求头中提供有效的接口令牌"))
    elif status == 400:
        body = error_body("invalid", _("请求内容不是有效的 JSON"))
    elif status == 403:
        body = error_body("forbidden", _("请求被拒绝（CSRF 校验失败或无权访问）"))
    elif status == 405:
        body = error_body("method_not_allowed", _("不支持该请求方法"))
    elif status == 429:
        body = error_body("throttled", _("请求过于频繁，请稍后再试"))
    else:
        body = error_body("error", _("请求无法处理"))
    return api.create_response(request, body, status=status)


def install(api: NinjaAPI) -> None:
    """Register the handlers on `api`."""

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return api.create_response(request, exc.as_dict(), status=exc.status)

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return validation_error_response(api, request, exc)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return http_error_response(api, request, exc)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, error_body("not_found", _("未找到该记录")), status=404)

    @api.exception_handler(RequestDataTooBig)
    def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        limit_mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
        message = _("请求内容过大（最多 %(n).1f MB）") % {"n": limit_mb}
        return api.create_response(request, error_body("too_large", message), status=413)

    @api.exception_handler(TooManyFieldsSent)
    def too_many_fields(request: HttpRequest, exc: TooManyFieldsSent) -> HttpResponse:
        message = _("请求参数过多（最多 %(n)s 个）") % {"n": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}
        return api.create_response(request, error_body("too_many_fields", message), status=400)

    @api.exception_handler(CaseKeyError)
    def case_key(request: HttpRequest, exc: CaseKeyError) -> HttpResponse:
        log.error("Case data cannot be decrypted at %s: %s", request.path, exc)
        message = _("个案加密内容无法解密，请联系系统管理员检查个案密钥配置")
        return api.create_response(request, error_body("case_key", message), status=503)


# --- which error codes each operation declares ------------------------------------------------

# The HTTP status each code comes with; a code not listed is a conflict (409). The check below
# fails a test when a raised error's status differs from this table.
_STATUS: dict[str, int] = {
    ErrorCode.INVALID: 400,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.NOT_FOUND: 404,
    ActivityError.BAD_TOKEN: 400,
    ActivityError.TOKEN_EXPIRED: 400,
    ActivityError.INELIGIBLE: 400,
    ActivityError.RISK_UNACKNOWLEDGED: 400,
    ActivityError.NO_POSITION: 400,
    ActivityError.OUTSIDE_GEOFENCE: 400,
    ActivityError.TOO_LARGE: 400,
    ActivityError.NOT_IMAGE: 400,
    ActivityError.INSURANCE_REQUIRED: 403,
    ProofError.UNVERIFIABLE: 404,
    ProofError.THROTTLED: 429,
    ProofError.FONT_MISSING: 503,
    FigureError.UNKNOWN_FIGURE: 400,
    FigureError.UNKNOWN_BREAKDOWN: 400,
    FigureError.BAD_PERIOD: 400,
}
ERROR_CODES_ATTR = "_shezhi_error_codes"

# What any write may answer beyond invalid and forbidden: an object named in the body that is
# not found (or outside the actor's scope), and a state that does not allow the step (a plain
# conflict, or core.permissions.require refusing on the object's state).
CHANGE = (ErrorCode.NOT_FOUND, ErrorCode.CONFLICT, ErrorCode.ILLEGAL_TRANSITION)

# (operation, code, status) of domain errors an operation answered without declaring them. The
# API tests fail on any (api/tests/conftest.py); in production it is only logged.
UNDECLARED: list[tuple[str, str, int]] = []


def status_of(code: str) -> int:
    return _STATUS.get(code, 409)


def raises(*codes: StrEnum) -> Callable[[_F], _F]:
    """Declare the domain error codes an operation may answer besides the common ones
    (invalid, forbidden; not_found where the path names an object). Place it under the
    `@router.<method>(...)` line."""

    def mark(func: _F) -> _F:
        setattr(func, ERROR_CODES_ATTR, frozenset(codes))
        return func

    return mark


def _operation_codes(operation: Operation) -> tuple[bool, frozenset[str]]:
    """(declared explicitly, every code the operation may answer)."""
    common = {ErrorCode.INVALID, ErrorCode.FORBIDDEN}
    if "{" in operation.path:
        common.add(ErrorCode.NOT_FOUND)
    declared = getattr(operation.view_func, ERROR_CODES_ATTR, None)
    return declared is not None, frozenset(common | set(declared or ()))


def _checked(view_func: Callable[..., Any], name: str, codes: frozenset[str]) -> Callable[..., Any]:
    @functools.wraps(view_func)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return view_func(*args, **kwargs)
        except DomainError as exc:
            if exc.code not in codes or exc.status != status_of(exc.code):
                log.warning(
                    "Operation %s answered undeclared error %s (%s)", name, exc.code, exc.status
                )
                UNDECLARED.append((name, str(exc.code), exc.status))
            raise

    return run


def _error_responses(codes: list[str]) -> dict[str, dict[str, Any]]:
    """One response per status the codes come with, its `code` an enum of those codes."""
    by_status: dict[int, list[str]] = {401: ["unauthenticated"]}
    for code in sorted(codes):
        by_status.setdefault(status_of(code), []).append(code)
    return {
        str(status): {
            "description": _ERROR_DESCRIPTIONS.get(status, "错误"),
            "content": {
                "application/json": {
                    "schema": {
                        "allOf": [{"$ref": "#/components/schemas/ErrorOut"}],
                        "properties": {"code": {"type": "string", "enum": listed}},
                    }
                }
            },
        }
        for status, listed in sorted(by_status.items())
    }


_ERROR_DESCRIPTIONS = {
    400: "输入有误",
    401: "未登录",
    403: "无权操作",
    404: "未找到（或不在您的管辖范围内）",
    409: "状态冲突",
    429: "请求过于频繁",
    503: "服务暂不可用",
}


def declare_operations(api: NinjaAPI) -> None:
    """Document each operation's error codes in the OpenAPI schema and check, as it runs, that
    every domain error it answers is one it declares. Call once every router is added."""
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                declared, codes = _operation_codes(operation)
                name = f"{operation.view_func.__module__}.{operation.view_func.__name__}"
                extra = dict(operation.openapi_extra or {})
                extra["x-error-codes"] = sorted(str(c) for c in codes)
                extra["x-error-codes-declared"] = declared
                operation.openapi_extra = extra
                operation.view_func = _checked(operation.view_func, name, codes)

    build_schema = api.get_openapi_schema

    @functools.wraps(build_schema)
    def schema_with_error_codes(*args: Any, **kwargs: Any) -> Any:
        schema = build_schema(*args, **kwargs)
        for methods in schema["paths"].values():
            for operation in methods.values():
                codes = operation.get("x-error-codes")
                if codes is None:
                    continue
                responses = {
                    status: answer
                    for status, answer in operation["responses"].items()
                    if int(status) < 400
                }
                responses.update(_error_responses(codes))
                operation["responses"] = responses
        return schema

    api.get_openapi_schema = schema_with_error_codes  # type: ignore[method-assign]
