"""The client's address behind the reverse proxy (log-in lock-out by address)."""

import pytest
from django.test import RequestFactory

from shezhi.core.client_ip import client_ip

pytestmark = pytest.mark.django_db

PROXY = {"REMOTE_ADDR": "127.0.0.1"}


def test_behind_a_trusted_proxy_the_address_is_its_x_real_ip(settings):
    settings.SHEZHI_TRUSTED_PROXIES = frozenset({"127.0.0.1"})
    request = RequestFactory().get("/", HTTP_X_REAL_IP="203.0.113.7", **PROXY)
    assert client_ip(request) == "203.0.113.7"


def test_the_header_is_ignored_from_anyone_else(settings):
    """A client reaching a node directly cannot choose its address by sending the header."""
    settings.SHEZHI_TRUSTED_PROXIES = frozenset({"127.0.0.1"})
    request = RequestFactory().get("/", HTTP_X_REAL_IP="203.0.113.7", REMOTE_ADDR="10.0.0.5")
    assert client_ip(request) == "10.0.0.5"
    settings.SHEZHI_TRUSTED_PROXIES = frozenset()
    request = RequestFactory().get("/", HTTP_X_REAL_IP="203.0.113.7", **PROXY)
    assert client_ip(request) == "127.0.0.1"


def log_in(client, username: str, password: str, address: str):
    return client.post(
        "/login/", {"username": username, "password": password}, HTTP_X_REAL_IP=address, **PROXY
    )


def test_one_address_locked_behind_the_proxy_does_not_lock_everyone(client, world, settings):
    settings.SHEZHI_TRUSTED_PROXIES = frozenset({"127.0.0.1"})
    settings.AXES_FAILURE_LIMIT = 5
    for i in range(5):
        log_in(client, f"nobody{i}", "guess", "203.0.113.7")
    assert log_in(client, world.alice.username, "pass-1234", "203.0.113.7").status_code == 429
    # Another resident behind the same proxy still logs in.
    assert log_in(client, world.alice.username, "pass-1234", "198.51.100.2").status_code == 302
