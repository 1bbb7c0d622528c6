"""Two web nodes side by side: what one stores in the cache or the session, the other sees,
through a real Redis (SHEZHI_CACHE_URL) and the database (sessions)."""

import pytest
import redis
from django.contrib.sessions.models import Session
from django.core.cache import CacheHandler
from django.test import override_settings

from shezhi.core.deployment import cache_settings, session_engine
from shezhi.core.tests.servers import redis_server


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


def _node(url: str):
    """A node's cache: its own client and connection pool, built from the knob's settings."""
    return CacheHandler({"default": cache_settings(url)})["default"]


def test_what_one_node_caches_the_other_reads(redis_url):
    node_a, node_b = _node(redis_url), _node(redis_url)
    node_a.set("import-progress-17", 250, 60)  # e.g. an import's progress (imports/services.py)
    assert node_b.get("import-progress-17") == 250
    node_b.delete("import-progress-17")
    assert node_a.get("import-progress-17") is None


@pytest.mark.django_db
def test_cached_sessions_log_out_on_every_node(client, world, redis_url):
    """With cached_db sessions the session is in Redis and in the database; a log-out on one
    node removes it from both, so no other node keeps the user logged in."""
    with override_settings(
        CACHES={"default": cache_settings(redis_url)},
        SESSION_ENGINE=session_engine("cached_db"),
    ):
        client.force_login(world.alice)
        key = client.session.session_key
        server = redis.Redis.from_url(redis_url)
        assert [k for k in server.keys("*") if key.encode() in k], "the session is in Redis"
        assert Session.objects.filter(session_key=key).exists()
        assert client.get("/desk/").status_code == 200
        client.post("/logout/")
        assert not [k for k in server.keys("*") if key.encode() in k]
        assert not Session.objects.filter(session_key=key).exists()


@pytest.mark.django_db
def test_default_sessions_live_in_the_database_every_node_reads(client, world):
    client.force_login(world.alice)
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
