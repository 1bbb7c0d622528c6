"""Who is calling: a logged-in browser session (with CSRF) or an `Authorization: Bearer` token."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from shezhi.accounts.services import api_token_authenticate


class SessionAuth(APIKeyCookie):
    """Django's session, as logged in through the web UI. Unsafe methods need the CSRF token.

    Unlike ninja's `django_auth`, the CSRF check runs only for a logged-in session, so that a
    request without a session falls through to the bearer token (and answers 401, not 403).
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if check_csrf(request) is not None:
            raise HttpError(403, "CSRF check failed")
        return user


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>` with a token issued by `shezhi api_token <username>`."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(raw_token=token)
        if user is not None:
            request.user = user
        return user


AUTH = [BearerToken(), SessionAuth()]
