"""Who may open a page: the role guards every web/<domain>/views.py uses (log-in required,
other roles get 403)."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from shezhi.accounts.models import HELPER_ROLES, STAFF_ROLES, Role

View = Callable[..., HttpResponse]


def roles_only(roles: frozenset[str]) -> Callable[[View], View]:
    """Log-in required; other roles get 403 (a page, not an object, so nothing leaks)."""

    def decorate(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.user.role not in roles and not request.user.is_superuser:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


resident_only = roles_only(frozenset({Role.RESIDENT}))
helper_only = roles_only(HELPER_ROLES)
staff_only = roles_only(STAFF_ROLES)
