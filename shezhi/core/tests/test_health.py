"""/healthz and /readyz: what a load balancer and an operator see."""

import json

import pytest
from django.db import OperationalError

from shezhi.core import health
from shezhi.core.tests.servers import free_port, redis_server


@pytest.fixture(autouse=True)
def _fresh_migration_answer(monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)


def _body(response):
    return json.loads(response.content)


def test_healthz_answers_without_touching_the_database(client):
    # No `db` fixture: pytest-django fails any query, so this proves the probe makes none.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert _body(response) == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_probes_are_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/login/").status_code == 301  # the rest of the site still is


@pytest.mark.django_db
def test_readyz_is_ready_with_the_database_migrated_and_no_broker(client, settings):
    settings.SHEZHI_BROKER_URL = ""
    response = client.get("/readyz")
    assert response.status_code == 200
    assert _body(response) == {
        "status": "ok",
        "checks": {"database": {"ok": True}, "migrations": {"ok": True}},
    }


@pytest.mark.django_db
def test_readyz_names_pending_migrations(client, monkeypatch):
    class Pending:
        app_label, name = "needs", "0099_new_column"

    monkeypatch.setattr(
        health.MigrationExecutor, "migration_plan", lambda self, targets: [(Pending(), False)]
    )
    response = client.get("/readyz")
    assert response.status_code == 503
    body = _body(response)
    assert body["status"] == "fail"
    assert body["checks"]["migrations"]["ok"] is False
    assert "needs.0099_new_column" in body["checks"]["migrations"]["detail"]
    assert "shezhi migrate" in body["checks"]["migrations"]["detail"]


@pytest.mark.django_db
def test_readyz_fails_plainly_when_the_database_is_down(client, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise OperationalError("could not connect to server: password=hunter2")

    monkeypatch.setattr("django.db.backends.base.base.BaseDatabaseWrapper.cursor", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = _body(response)
    assert body["checks"]["database"] == {
        "ok": False,
        "detail": "数据库无法连接（OperationalError）",
    }
    assert "migrations" not in body["checks"]  # not asked of a database that does not answer
    assert b"hunter2" not in response.content  # the driver's message never leaves


@pytest.mark.django_db
def test_readyz_fails_when_the_broker_does_not_answer(client, settings):
    settings.SHEZHI_BROKER_URL = f"redis://:s3cret@127.0.0.1:{free_port()}/0"  # nobody listens
    response = client.get("/readyz")
    assert response.status_code == 503
    broker = _body(response)["checks"]["broker"]
    assert broker["ok"] is False
    assert "任务队列" in broker["detail"]
    assert b"s3cret" not in response.content


@pytest.mark.django_db
def test_readyz_asks_a_real_broker(client, settings, tmp_path):
    with redis_server(tmp_path) as url:
        settings.SHEZHI_BROKER_URL = url
        response = client.get("/readyz")
    assert response.status_code == 200
    assert _body(response)["checks"]["broker"] == {"ok": True}


def test_probes_only_answer_reads(client):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405


@pytest.mark.django_db
def test_readyz_asks_the_shared_cache(client, settings, tmp_path):
    from django.core.cache import caches

    from shezhi.core.deployment import cache_settings

    settings.SHEZHI_BROKER_URL = ""
    with redis_server(tmp_path) as url:
        settings.CACHES = {"default": cache_settings(url)}  # resets the cache handler
        assert _body(client.get("/readyz"))["checks"]["cache"] == {"ok": True}
    caches["default"].close()  # Redis is gone now
    response = client.get("/readyz")
    assert response.status_code == 503
    assert _body(response)["checks"]["cache"]["ok"] is False
    assert "共享缓存" in _body(response)["checks"]["cache"]["detail"]


def test_probes_answer_by_the_nodes_address_whatever_the_allowed_hosts(client, settings):
    """A load balancer asks http://10.0.0.5:8000/healthz; only the site's name is allowed."""
    settings.ALLOWED_HOSTS = ["shezhi.example.gov.cn"]
    settings.SHEZHI_METRICS_TOKEN = "t-123"
    assert client.get("/healthz", HTTP_HOST="10.0.0.5:8000").status_code == 200
    scrape = client.get("/metrics", HTTP_HOST="10.0.0.5:8000", HTTP_AUTHORIZATION="Bearer t-123")
    assert scrape.status_code == 200
    assert b'view="healthz"' in scrape.content  # still counted under its own name
    assert client.get("/login/", HTTP_HOST="10.0.0.5:8000").status_code == 400  # the rest is not
