"""Request-wide security rules (等级保护 2.0), in one middleware after authentication:

- oversized or over-long requests are answered 413/400 before anything parses them: JSON in the
  API's error shape on /api/, a Chinese page on the web (never a traceback);
- desk (staff) sessions end after settings.SHEZHI_STAFF_IDLE_MINUTES without a request;
- an account flagged `must_change_password` is sent to the password change page first;
- an account with an authenticator confirms a code after log-in, and the roles in
  settings.SHEZHI_TOTP_REQUIRED_ROLES enrol one first;
- every answer to a logged-in user is marked `Cache-Control: no-store` (personal data);
- a case file whose encrypted parts no key opens is a clear page (logged), not a 500.
"""

import logging
import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from shezhi.accounts.login_state import HAS_DEVICE_KEY, LAST_SEEN_KEY, totp_required
from shezhi.cases.crypto import CaseKeyError
from shezhi.web import error_pages as views_errors

log = logging.getLogger(__name__)

# Paths an account that must change its password may still reach.
_FREE_PREFIXES = ("/static/", "/i18n/", "/logout/", "/password/", "/login/")
_OTP_PREFIX = "/otp/"


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _api_error(status: int, code: str, message: str) -> JsonResponse:
    """The API's error shape (shezhi.api.errors.error_body), for answers given before ninja."""
    return JsonResponse({"code": code, "message": message, "field": None}, status=status)


def too_large_response(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        limit_mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
        return _api_error(413, "too_large", _("请求内容过大（最多 %(n).1f MB）") % {"n": limit_mb})
    return views_errors.too_large(request)


def too_many_fields_response(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return _api_error(
            400,
            "too_many_fields",
            _("请求参数过多（最多 %(n)s 个）") % {"n": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS},
        )
    return views_errors.too_many_fields(request)


def _body_limit(request: HttpRequest) -> int:
    """Files (Excel imports) do not count toward Django's body limit; allow for them."""
    if request.content_type == "multipart/form-data":
        return settings.DATA_UPLOAD_MAX_MEMORY_SIZE + settings.SHEZHI_IMPORT_MAX_BYTES
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _field_count(raw: bytes | str) -> int:
    if not raw:
        return 0
    sep = b"&" if isinstance(raw, bytes) else "&"
    return raw.count(sep) + 1  # type: ignore[arg-type]


def _refuse_oversized(request: HttpRequest) -> HttpResponse | None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > _body_limit(request):
        return too_large_response(request)
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    if _field_count(request.META.get("QUERY_STRING", "")) > limit:
        return too_many_fields_response(request)
    form = request.content_type == "application/x-www-form-urlencoded"
    if form and length and _field_count(request.body) > limit:
        return too_many_fields_response(request)
    return None


def _is_desk_user(user) -> bool:
    return bool(getattr(user, "is_staff_role", False) or user.is_superuser)


def _idle_expired(request: HttpRequest) -> bool:
    """Sliding idle time-out for desk sessions: True (and logged out) when it has run out."""
    user = request.user
    if not user.is_authenticated or not _is_desk_user(user):
        return False
    now = int(time.time())
    last = request.session.get(LAST_SEEN_KEY)
    if last is not None and now - int(last) > settings.SHEZHI_STAFF_IDLE_MINUTES * 60:
        logout(request)
        return True
    # Write the session at most once a minute, not on every request.
    if last is None or now - int(last) >= 60:
        request.session[LAST_SEEN_KEY] = now
    return False


class SecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = _refuse_oversized(request)
        if refused is not None:
            return refused
        # An expired API session simply goes on as anonymous (401).
        if _idle_expired(request) and not _is_api(request):
            messages.info(request, _("您已较长时间未操作，为保护居民信息已自动退出，请重新登录。"))
            return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")
        forced = self._force_password_change(request) or self._second_factor(request)
        if forced is not None:
            return forced
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            add_never_cache_headers(response)
        return response

    def _force_password_change(self, request: HttpRequest) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or not getattr(user, "must_change_password", False):
            return None
        if request.path.startswith(_FREE_PREFIXES):
            return None
        if _is_api(request):
            return _api_error(403, "password_change_required", _("请先在网页上修改初始密码"))
        messages.info(request, _("为保护您的账号，请先把初始密码改成只有您知道的新密码。"))
        return redirect("password_change")

    def _second_factor(self, request: HttpRequest) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or request.path.startswith((*_FREE_PREFIXES, _OTP_PREFIX)):
            return None
        if request.session.get(HAS_DEVICE_KEY):
            if user.is_verified():
                return None
            target = "otp_verify"
        elif totp_required(user):
            target = "otp_setup"
        else:
            return None
        if _is_api(request):
            return _api_error(403, "second_factor_required", _("请先在网页上完成两步验证"))
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, RequestDataTooBig):
            return too_large_response(request)
        if isinstance(exc, TooManyFieldsSent):
            return too_many_fields_response(request)
        if isinstance(exc, CaseKeyError):
            log.error("Case data cannot be decrypted at %s: %s", request.path, exc)
            if _is_api(request):
                return _api_error(
                    503, "case_key", _("个案加密内容无法解密，请联系系统管理员检查个案密钥配置")
                )
            return views_errors.case_data_unreadable(request)
        return None
