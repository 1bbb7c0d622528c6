"""Settings for several web nodes, built from the knobs' values (pure: no Django import).

settings.py calls these with the values of SHEZHI_CACHE_URL, SHEZHI_SESSION_STORE and
SHEZHI_STORAGE / SHEZHI_S3_*; the start-up checks (shezhi.checks) refuse combinations that
would break with two nodes.
"""

from typing import Any
from urllib.parse import urlsplit


class DeploymentError(ValueError):
    """A knob holds a value these settings cannot be built from."""


LOCAL_CACHE = "locmem://"
REDIS_SCHEMES = ("redis", "rediss", "unix")
CACHE_KEY_PREFIX = "shezhi"

# Session stores: "db" (the default; every node reads the same table) or "cached_db" (read from
# the cache, written through to the database: needs a cache all nodes share).
SESSION_ENGINES = {
    "db": "django.contrib.sessions.backends.db",
    "cached_db": "django.contrib.sessions.backends.cached_db",
}


def cache_settings(url: str) -> dict[str, Any]:
    """CACHES["default"] for a cache URL: empty or locmem:// is this process's memory (one node
    only); redis://host:port/db (or rediss://, unix://) is a Redis server all nodes share."""
    url = url.strip()
    if url in {"", LOCAL_CACHE}:
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "shezhi",
        }
    scheme = urlsplit(url).scheme
    if scheme in REDIS_SCHEMES:
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            # A Redis that stops answering must not hang a request for long.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    raise DeploymentError(
        f"SHEZHI_CACHE_URL must be empty, locmem:// or redis://host:port/db, not {url!r}"
    )


def cache_is_shared(cache: dict[str, Any]) -> bool:
    """Whether every web node sees the same cache."""
    return not str(cache["BACKEND"]).endswith("LocMemCache")


def session_engine(store: str) -> str:
    try:
        return SESSION_ENGINES[store.strip()]
    except KeyError:
        raise DeploymentError(
            f"SHEZHI_SESSION_STORE must be one of {', '.join(SESSION_ENGINES)}, not {store!r}"
        ) from None


FILE_STORAGE = "django.core.files.storage.FileSystemStorage"
S3_STORAGE = "storages.backends.s3.S3Storage"


def default_storage_settings(
    kind: str,
    *,
    bucket: str = "",
    endpoint_url: str = "",
    region: str = "",
    access_key: str = "",
    secret_key: str = "",
    prefix: str = "",
) -> dict[str, Any]:
    """STORAGES["default"]: uploaded files in one folder (every node must mount the same one)
    or in an S3-compatible bucket (django-storages; e.g. an intranet MinIO)."""
    kind = kind.strip().lower()
    if kind == "filesystem":
        # No location: FileSystemStorage follows settings.MEDIA_ROOT (SHEZHI_MEDIA_ROOT).
        return {"BACKEND": FILE_STORAGE}
    if kind == "s3":
        options: dict[str, Any] = {
            "bucket_name": bucket,
            # Private files: nothing public, every link signed and short-lived.
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        }
        for key, value in (
            ("endpoint_url", endpoint_url),
            ("region_name", region),
            ("access_key", access_key),
            ("secret_key", secret_key),
            ("location", prefix.strip("/")),
        ):
            if value:
                options[key] = value
        return {"BACKEND": S3_STORAGE, "OPTIONS": options}
    raise DeploymentError(f"SHEZHI_STORAGE must be filesystem or s3, not {kind!r}")


_SECRET_IN_URL = "***"


def redact_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", f":{_SECRET_IN_URL}@", 1)
    return parts._replace(netloc=netloc).geturl()
