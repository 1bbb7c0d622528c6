"""Settings for several nodes (pure builders) and the start-up checks that guard them."""

import pytest

from shezhi import checks
from shezhi.core.deployment import (
    FILE_STORAGE,
    S3_STORAGE,
    DeploymentError,
    cache_is_shared,
    cache_settings,
    default_storage_settings,
    redact_url,
    session_engine,
)


def test_no_cache_url_is_this_process_memory():
    for url in ("", "locmem://", "  "):
        cache = cache_settings(url)
        assert cache["BACKEND"].endswith("LocMemCache")
        assert not cache_is_shared(cache)


def test_a_redis_url_is_a_cache_every_node_shares():
    cache = cache_settings("redis://:pw@10.0.0.5:6379/1")
    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache["LOCATION"] == "redis://:pw@10.0.0.5:6379/1"
    assert cache["OPTIONS"]["socket_timeout"] > 0  # a stuck Redis does not hang requests
    assert cache_is_shared(cache)


def test_an_unknown_cache_url_is_refused_with_the_knob_name():
    with pytest.raises(DeploymentError, match="SHEZHI_CACHE_URL"):
        cache_settings("memcached://10.0.0.5")


def test_session_stores():
    assert session_engine("db") == "django.contrib.sessions.backends.db"
    assert session_engine("cached_db") == "django.contrib.sessions.backends.cached_db"
    with pytest.raises(DeploymentError, match="SHEZHI_SESSION_STORE"):
        session_engine("file")  # one node's disk: breaks with two


def test_filesystem_storage_follows_media_root():
    # No location of its own, so SHEZHI_MEDIA_ROOT (and the tests' per-worker folder) applies.
    assert default_storage_settings("filesystem") == {"BACKEND": FILE_STORAGE}


def test_s3_storage_is_private_and_signed():
    storage = default_storage_settings(
        "S3",
        bucket="uploads",
        endpoint_url="http://minio.internal:9000",
        access_key="ak",
        secret_key="sk",
        prefix="/shezhi/",
    )
    assert storage["BACKEND"] == S3_STORAGE
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "uploads"
    assert options["endpoint_url"] == "http://minio.internal:9000"
    assert options["location"] == "shezhi"
    assert options["default_acl"] == "private"
    assert options["querystring_auth"] is True
    assert options["file_overwrite"] is False  # two uploads of one name never clobber
    assert "region_name" not in options  # unset knobs leave the library's default


def test_an_unknown_storage_is_refused():
    with pytest.raises(DeploymentError, match="SHEZHI_STORAGE"):
        default_storage_settings("ftp")


def test_redact_url_hides_only_the_password():
    assert redact_url("redis://:s3cret@h:6379/0") == "redis://:***@h:6379/0"
    assert redact_url("redis://u:s3cret@h:6379/0") == "redis://u:***@h:6379/0"
    assert redact_url("redis://h:6379/0") == "redis://h:6379/0"


def test_settings_read_the_new_knobs(settings):
    from shezhi.core.knobs import REGISTRY

    for env in (
        "SHEZHI_MEDIA_ROOT",
        "SHEZHI_STORAGE",
        "SHEZHI_S3_BUCKET",
        "SHEZHI_CACHE_URL",
        "SHEZHI_SESSION_STORE",
        "SHEZHI_LOG_FORMAT",
        "SHEZHI_METRICS_TOKEN",
        "SHEZHI_METRICS_DIR",
    ):
        assert env in REGISTRY
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


# --- start-up checks ------------------------------------------------------------------------


def _ids(check):
    return [e.id for e in check(None)]


def test_cached_sessions_need_a_shared_cache(settings):
    settings.SESSION_ENGINE = session_engine("cached_db")
    settings.CACHES = {"default": cache_settings("")}
    assert _ids(checks.sessions_shared_between_nodes) == ["shezhi.E060"]
    settings.CACHES = {"default": cache_settings("redis://127.0.0.1:6379/0")}
    assert _ids(checks.sessions_shared_between_nodes) == []
    settings.SESSION_ENGINE = session_engine("db")
    settings.CACHES = {"default": cache_settings("")}
    assert _ids(checks.sessions_shared_between_nodes) == []


def test_s3_needs_a_bucket_and_the_client_library(settings, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_boto3(name, *args, **kwargs):
        if name == "boto3":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_boto3)
    settings.STORAGES = {**settings.STORAGES, "default": default_storage_settings("s3")}
    assert _ids(checks.s3_storage_usable) == ["shezhi.E061", "shezhi.E062"]
    with_bucket = default_storage_settings("s3", bucket="uploads")
    settings.STORAGES = {**settings.STORAGES, "default": with_bucket}
    assert _ids(checks.s3_storage_usable) == ["shezhi.E062"]
    settings.STORAGES = {**settings.STORAGES, "default": default_storage_settings("filesystem")}
    assert _ids(checks.s3_storage_usable) == []


def test_production_with_a_per_process_cache_is_warned(settings):
    settings.DEBUG = False
    settings.CACHES = {"default": cache_settings("")}
    assert _ids(checks.cache_shared_in_production) == ["shezhi.W063"]
    settings.CACHES = {"default": cache_settings("redis://127.0.0.1:6379/0")}
    assert _ids(checks.cache_shared_in_production) == []
    settings.DEBUG = True
    settings.CACHES = {"default": cache_settings("")}
    assert _ids(checks.cache_shared_in_production) == []
