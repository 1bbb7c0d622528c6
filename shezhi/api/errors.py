"""One error shape for the whole API: {"code", "message", "field"} with a Chinese message.

DomainError → its own status; request validation (ninja's 422) → 400 naming the field; a path
with a bad id → 404; ninja's own HTTP errors (unparseable body, no credentials) → same shape.
"""

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from shezhi.cases.crypto import CaseKeyError
from shezhi.core.errors import DomainError

log = logging.getLogger(__name__)

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
