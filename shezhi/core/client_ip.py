"""The client's address behind the reverse proxy.

Behind nginx every request comes from the proxy's address, so the log-in lock-out by address
(django-axes, AXES_CLIENT_IP_CALLABLE) would count everyone's wrong passwords together and lock
out the whole platform. When the request comes from one of SHEZHI_TRUSTED_PROXIES, the address
is the proxy's X-Real-IP header (which nginx sets to the address it saw, overwriting whatever a
client sent); from anywhere else the header is ignored, so it cannot be forged around the proxy.
"""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    if remote in settings.SHEZHI_TRUSTED_PROXIES:
        forwarded = request.META.get("HTTP_X_REAL_IP", "").strip()
        if forwarded:
            return forwarded
    return remote
