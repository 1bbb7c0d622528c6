"""One settings module; every deployment knob comes from the environment.

SQLite is the embedded default; set DATABASE_URL (postgres://user:pass@host:port/db) for
PostgreSQL in production.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from shezhi.core.deployment import cache_settings, default_storage_settings, session_engine
from shezhi.core.knobs import (
    env_bool,
    env_int,
    env_int_list,
    env_json,
    env_list,
    env_str,
)

# Every SHEZHI_* knob is declared once below with a typed reader and a one-line description;
# `shezhi settings_reference` prints them all (docs/settings.md). Read them as settings.X.
BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(
    env_str(
        "SHEZHI_VAR_DIR",
        str(BASE_DIR.parent / "var"),
        "Folder for the SQLite database, uploads and collected static files.",
        setting="VAR_DIR",
        shown="<checkout>/var",
    )
)
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool(
    "SHEZHI_DEBUG", True, "Development mode; must be off in production.", setting="DEBUG"
)
# The development key is only accepted while DEBUG is on (see shezhi.checks).
SECRET_KEY = env_str(
    "SHEZHI_SECRET_KEY",
    "dev-only-insecure-key-change-me",
    "Signs sessions, check-in codes and proofs; required (and strong) when debug is off.",
    setting="SECRET_KEY",
)
# Earlier keys after a rotation (comma-separated): what they signed (proofs) still verifies.
SECRET_KEY_FALLBACKS = env_list(
    "SHEZHI_SECRET_KEY_FALLBACKS",
    [],
    "Earlier secret keys after a rotation; what they signed still verifies.",
    setting="SECRET_KEY_FALLBACKS",
)
ALLOWED_HOSTS = env_list(
    "SHEZHI_ALLOWED_HOSTS",
    ["127.0.0.1", "localhost", "testserver"],
    "Host names this server answers to.",
    setting="ALLOWED_HOSTS",
)
CSRF_TRUSTED_ORIGINS = env_list(
    "SHEZHI_CSRF_TRUSTED_ORIGINS",
    [],
    "Origins (https://host) trusted for form posts behind a reverse proxy.",
    setting="CSRF_TRUSTED_ORIGINS",
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "shezhi.core",
    "shezhi.org",
    "shezhi.accounts",
    "shezhi.notifications",
    "shezhi.people",
    "shezhi.volunteers",
    "shezhi.needs",
    "shezhi.proofs",
    "shezhi.timebank",
    "shezhi.imports",
    "shezhi.activities",
    "shezhi.care",
    "shezhi.cases",
    "shezhi.privacy",
    "shezhi.figures",
    "shezhi.web",
    "shezhi.api",
    "shezhi.demo",
    "shezhi.backups",
    "shezhi.reports",
]

MIDDLEWARE = [
    # First: the request id (logs, tasks, X-Request-ID), then the metrics that time the rest.
    "shezhi.core.middleware.RequestIdMiddleware",
    "shezhi.core.metrics.MetricsMiddleware",
    # Probes answer before the host check and the HTTPS redirect (shezhi/core/middleware.py).
    "shezhi.core.middleware.ProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "shezhi.web.middleware.SecurityPolicyMiddleware",
    # Last, as django-axes requires: turns a locked-out log-in into the Chinese lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "shezhi.urls"
WSGI_APPLICATION = "shezhi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'shezhi.sqlite3'}",
        conn_max_age=env_int(
            "SHEZHI_DB_CONN_MAX_AGE",
            0,
            "Seconds a database connection is kept open (0: one per request).",
            minimum=0,
            setting="DATABASES.default.CONN_MAX_AGE",
        ),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; a busy timeout queues writers.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ["display_name", "email"]},
    },
    {
        "NAME": "shezhi.accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {
            "min_length": env_int(
                "SHEZHI_PASSWORD_MIN_LENGTH",
                8,
                "Shortest password accepted.",
                minimum=6,
                setting="AUTH_PASSWORD_VALIDATORS",
            )
        },
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "shezhi.accounts.passwords.NotUsernameValidator"},
    {"NAME": "shezhi.accounts.passwords.NotAllDigitsValidator"},
]
# django-axes checks every log-in first and locks an account, and separately an address, after
# SHEZHI_LOGIN_FAILURE_LIMIT wrong passwords in a row, for SHEZHI_LOGIN_LOCKOUT_MINUTES (an
# admin unlocks earlier: admin → 账号 → 解除登录锁定, or `shezhi axes_reset_username <name>`).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool(
    "SHEZHI_LOGIN_LOCKOUT", True, "Lock out repeated wrong passwords.", setting="AXES_ENABLED"
)
AXES_FAILURE_LIMIT = env_int(
    "SHEZHI_LOGIN_FAILURE_LIMIT",
    5,
    "Wrong passwords in a row before an account or address is locked.",
    minimum=1,
    setting="AXES_FAILURE_LIMIT",
)
AXES_COOLOFF_TIME = timedelta(
    minutes=env_int(
        "SHEZHI_LOGIN_LOCKOUT_MINUTES",
        30,
        "Minutes a lock-out lasts.",
        minimum=1,
        setting="AXES_COOLOFF_TIME",
    )
)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "shezhi.web.accounts.views.locked_out"
AXES_VERBOSE = False
# Behind nginx the lock-out by address must use the client's address, not the proxy's.
SHEZHI_TRUSTED_PROXIES = frozenset(
    env_list(
        "SHEZHI_TRUSTED_PROXIES",
        [],
        "Addresses of reverse proxies whose X-Real-IP header gives the client's address.",
    )
)
AXES_CLIENT_IP_CALLABLE = "shezhi.core.client_ip.client_ip"
# Desk (staff) sessions end after this many idle minutes (sliding); residents' and volunteers'
# phone sessions last SHEZHI_SESSION_DAYS.
SHEZHI_STAFF_IDLE_MINUTES = env_int(
    "SHEZHI_STAFF_IDLE_MINUTES",
    30,
    "Idle minutes after which a desk (staff) session ends.",
    minimum=1,
)
SESSION_COOKIE_AGE = (
    env_int(
        "SHEZHI_SESSION_DAYS",
        14,
        "Days a resident's or volunteer's phone session lasts.",
        minimum=1,
        setting="SESSION_COOKIE_AGE",
    )
    * 24
    * 3600
)
# Optional second factor (TOTP, an authenticator app) for desk roles: anyone who enrolled at
# /otp/setup/ confirms a code at each log-in; the roles listed here (comma-separated, e.g.
# system_admin,district_admin,street_admin) must enrol before they can do anything else.
SHEZHI_TOTP_REQUIRED_ROLES = frozenset(
    env_list(
        "SHEZHI_TOTP_REQUIRED_ROLES",
        [],
        "Roles that must enrol a second factor (TOTP) before doing anything else.",
    )
)
OTP_TOTP_ISSUER = "社志通"
# Accounts created by `shezhi seed` must change the shared demo password at first log-in unless
# this runs as the demo (default: on whenever debug is off).
SHEZHI_SEED_MUST_CHANGE_PASSWORD = env_bool(
    "SHEZHI_SEED_MUST_CHANGE_PASSWORD",
    not DEBUG,
    "Seeded accounts must change the shared demo password at first log-in.",
    shown="not SHEZHI_DEBUG",
)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(
    env_str(
        "SHEZHI_STATIC_ROOT",
        str(VAR_DIR / "static"),
        "Where `collectstatic` puts static files.",
        setting="STATIC_ROOT",
        shown="<SHEZHI_VAR_DIR>/static",
    )
)
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request otherwise
STATICFILES_DIRS = [BASE_DIR / "static"]  # the shared layout's CSS (shezhi/static/shezhi/)
# Uploaded files (activity photos): one folder that every web node and worker sees (a shared
# mount with several nodes), or an S3-compatible bucket (django-storages, e.g. intranet MinIO).
MEDIA_ROOT = Path(
    env_str(
        "SHEZHI_MEDIA_ROOT",
        str(VAR_DIR / "media"),
        "Folder of uploaded files; with several nodes, one folder they all mount.",
        setting="MEDIA_ROOT",
        shown="<SHEZHI_VAR_DIR>/media",
    )
)
SHEZHI_STORAGE = env_str(
    "SHEZHI_STORAGE",
    "filesystem",
    "Where uploaded files live: filesystem (SHEZHI_MEDIA_ROOT) or s3 (SHEZHI_S3_*).",
)
STORAGES = {
    "default": default_storage_settings(
        SHEZHI_STORAGE,
        bucket=env_str("SHEZHI_S3_BUCKET", "", "S3 bucket of uploaded files.", setting="STORAGES"),
        endpoint_url=env_str(
            "SHEZHI_S3_ENDPOINT_URL",
            "",
            "S3 endpoint on the intranet, e.g. http://minio.internal:9000.",
            setting="STORAGES",
        ),
        region=env_str("SHEZHI_S3_REGION", "", "S3 region name (if any).", setting="STORAGES"),
        access_key=env_str("SHEZHI_S3_ACCESS_KEY", "", "S3 access key.", setting="STORAGES"),
        secret_key=env_str("SHEZHI_S3_SECRET_KEY", "", "S3 secret key.", setting="STORAGES"),
        prefix=env_str(
            "SHEZHI_S3_PREFIX", "", "Folder inside the bucket for uploads.", setting="STORAGES"
        ),
    ),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve straight from app folders when collectstatic was not run

# Several web nodes: sessions live in the database (or cached_db with a shared cache) and the
# cache in Redis; this process's memory is the cache only for one node (the embedded default).
CACHES = {
    "default": cache_settings(
        env_str(
            "SHEZHI_CACHE_URL",
            "",
            "Cache: empty (this process's memory; one node only) or redis://host:port/db.",
            setting="CACHES",
        )
    )
}
SESSION_ENGINE = session_engine(
    env_str(
        "SHEZHI_SESSION_STORE",
        "db",
        "Sessions: db, or cached_db (needs the shared SHEZHI_CACHE_URL).",
        setting="SESSION_ENGINE",
    )
)
# Behind nginx: uploaded files the app has checked are sent by nginx from this internal location
# (X-Accel-Redirect; deploy/nginx/shezhi.conf). Empty: the app streams them itself.
SHEZHI_MEDIA_ACCEL_PREFIX = env_str(
    "SHEZHI_MEDIA_ACCEL_PREFIX",
    "",
    "nginx internal location that sends checked uploads (e.g. /protected-media/); empty: the app.",
)
# Backups (`shezhi backup` / `shezhi restore`, docs/operations.md).
SHEZHI_BACKUP_DIR = Path(
    env_str(
        "SHEZHI_BACKUP_DIR",
        str(VAR_DIR / "backups"),
        "Folder where `shezhi backup` writes its backups (one sub-folder each).",
        shown="<SHEZHI_VAR_DIR>/backups",
    )
)
SHEZHI_PG_BIN = env_str(
    "SHEZHI_PG_BIN",
    "",
    "Folder holding pg_dump, pg_restore and psql (empty: the PATH, then Debian's "
    "/usr/lib/postgresql/<newest>/bin).",
)
SHEZHI_BACKUP_KEEP_DAILY = env_int(
    "SHEZHI_BACKUP_KEEP_DAILY",
    7,
    "`shezhi backup --prune` keeps the newest backup of each of this many last days.",
    minimum=1,
)
SHEZHI_BACKUP_KEEP_WEEKLY = env_int(
    "SHEZHI_BACKUP_KEEP_WEEKLY",
    4,
    "`shezhi backup --prune` also keeps the newest backup of each of this many last ISO weeks.",
    minimum=0,
)
SHEZHI_BACKUP_KEEP_MONTHLY = env_int(
    "SHEZHI_BACKUP_KEEP_MONTHLY",
    12,
    "`shezhi backup --prune` also keeps the newest backup of each of this many last months.",
    minimum=0,
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool(
    "SHEZHI_SECURE_COOKIES",
    False,
    "Send session and CSRF cookies over HTTPS only.",
    setting="SESSION_COOKIE_SECURE",
)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_FAILURE_VIEW = "shezhi.web.error_pages.csrf_failure"
# HTTPS only (set once the reverse proxy serves HTTPS): Strict-Transport-Security for this many
# seconds, and a redirect of plain HTTP (SHEZHI_SSL_REDIRECT; the proxy must send
# X-Forwarded-Proto, trusted when SHEZHI_PROXY_SSL_HEADER is on).
SECURE_HSTS_SECONDS = env_int(
    "SHEZHI_HSTS_SECONDS",
    0,
    "Strict-Transport-Security max-age (0: no header).",
    minimum=0,
    setting="SECURE_HSTS_SECONDS",
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool(
    "SHEZHI_HSTS_INCLUDE_SUBDOMAINS",
    True,
    "HSTS covers subdomains.",
    setting="SECURE_HSTS_INCLUDE_SUBDOMAINS",
)
SECURE_HSTS_PRELOAD = env_bool(
    "SHEZHI_HSTS_PRELOAD", False, "HSTS asks for preloading.", setting="SECURE_HSTS_PRELOAD"
)
SECURE_SSL_REDIRECT = env_bool(
    "SHEZHI_SSL_REDIRECT", False, "Redirect plain HTTP to HTTPS.", setting="SECURE_SSL_REDIRECT"
)
if env_bool(
    "SHEZHI_PROXY_SSL_HEADER",
    False,
    "Trust the proxy's X-Forwarded-Proto header.",
    setting="SECURE_PROXY_SSL_HEADER",
):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Largest request body (bytes, files excepted) and most parameters one request may carry; more
# is answered 413/400 (JSON on /api/, a Chinese page on the web), never a traceback.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int(
    "SHEZHI_MAX_BODY_BYTES",
    int(2.5 * 1024 * 1024),
    "Largest request body in bytes, uploaded files excepted.",
    minimum=1024,
    setting="DATA_UPLOAD_MAX_MEMORY_SIZE",
)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int(
    "SHEZHI_MAX_FIELDS",
    1000,
    "Most parameters one request may carry.",
    minimum=1,
    setting="DATA_UPLOAD_MAX_NUMBER_FIELDS",
)
# Content-Security-Policy: everything from this site only (ECharts and Swagger UI are served
# locally); no inline script or style. SHEZHI_CSP_REPORT_ONLY=1 only reports violations.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if env_bool(
    "SHEZHI_CSP_REPORT_ONLY",
    False,
    "Only report Content-Security-Policy violations instead of blocking.",
    setting="CONTENT_SECURITY_POLICY_REPORT_ONLY",
):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = CONTENT_SECURITY_POLICY
    CONTENT_SECURITY_POLICY = None

# Tasks run in-process by default (no broker needed for the embedded set-up).
SHEZHI_TASKS_INLINE = env_bool(
    "SHEZHI_TASKS_INLINE",
    True,
    "Queue background tasks (deliveries, imports) after commit (off: run the jobs from cron).",
)
# The task queue (shezhi/core/tasks.py): empty broker = tasks run in threads of this process
# (command 1); a Redis URL = a Celery worker runs them (`celery -A shezhi.celery worker`, with
# `celery -A shezhi.celery beat` for SHEZHI_SCHEDULE). Either way each run is first written to the
# database (the outbox), so a broker that is down loses nothing: `tasks_flush` sends it later.
SHEZHI_BROKER_URL = env_str(
    "SHEZHI_BROKER_URL",
    "",
    "Celery broker URL, e.g. redis://127.0.0.1:6379/0 (empty: tasks run in-process).",
)
SHEZHI_TASK_TIMEOUT_SECONDS = env_int(
    "SHEZHI_TASK_TIMEOUT_SECONDS",
    900,
    "Longest a task may run; a run older than this is taken as lost and run again.",
    minimum=60,
)
SHEZHI_TASK_THREADS = env_int(
    "SHEZHI_TASK_THREADS",
    2,
    "Threads that run tasks in-process when no broker is configured.",
    minimum=1,
)
SHEZHI_TASK_RUNS_KEEP_DAYS = env_int(
    "SHEZHI_TASK_RUNS_KEEP_DAYS",
    14,
    "Days finished task runs stay visible to admins before `tasks_flush` deletes them.",
    minimum=1,
)
# Celery reads its CELERY_* settings from here (shezhi/celery.py); late acks and one message at
# a time per worker process, so a worker killed mid-task leaves its message to be run again.
CELERY_BROKER_URL = SHEZHI_BROKER_URL
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = SHEZHI_TASK_TIMEOUT_SECONDS
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis hands an unacknowledged message out again after the visibility timeout: longer than any
# task may run, so a message is redelivered only when its worker is gone.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": SHEZHI_TASK_TIMEOUT_SECONDS + 60,
    "socket_connect_timeout": 3,
    "socket_timeout": 10,
}
CELERY_TIMEZONE = TIME_ZONE

# Periodic jobs (task name → seconds between runs) for `shezhi run_scheduler`, which
# scripts/run.sh starts beside the server, or Celery beat with a broker: the same task functions
# either way (shezhi/core/tasks.py). A management command's name is accepted too (older
# configurations). Crisis alerts escalate after 30 minutes, so care.jobs must run every minute or
# so; needs.deadlines tells social workers of needs near or past their deadlines.
SHEZHI_SCHEDULE = env_json(
    "SHEZHI_SCHEDULE",
    {
        "care.jobs": 60,
        "activities.reminders": 300,
        "needs.deadlines": 300,
        "imports.sweep": 300,
        "privacy.retention": 86400,
        "core.flush": 60,
        "figures.reconcile": 86400,
    },
    "Periodic jobs (`shezhi run_scheduler`, or Celery beat): task name → seconds.",
)

# Notifications: the in-app inbox is always on; add "sms" (or dotted channel classes) here. The
# SMS backend defaults to the console (prints the message) for development.
SHEZHI_NOTIFICATION_CHANNELS = env_list(
    "SHEZHI_NOTIFICATION_CHANNELS",
    ["inbox"],
    "Notification channels (inbox, sms or dotted channel classes); the inbox is always on.",
)
SHEZHI_SMS_BACKEND = env_str(
    "SHEZHI_SMS_BACKEND",
    "shezhi.notifications.channels.ConsoleSmsBackend",
    "Dotted path of the SMS backend class (the console backend prints messages).",
)
# Reminders before an activity, hours ahead (`shezhi activity_reminders` sends them).
SHEZHI_ACTIVITY_REMINDER_HOURS = env_int_list(
    "SHEZHI_ACTIVITY_REMINDER_HOURS",
    [24, 2],
    "Hours before an activity at which sign-ups are reminded (each positive).",
)
SHEZHI_ACTIVITY_MAX_OCCURRENCES = env_int(
    "SHEZHI_ACTIVITY_MAX_OCCURRENCES",
    200,
    "Most occurrences one recurring activity may create.",
    minimum=1,
)
# Check-in QR codes: the organiser's page shows a new code every ROTATION seconds and each code
# stays valid TOKEN seconds, so a code scanned just before the page turned still works.
SHEZHI_CHECKIN_TOKEN_SECONDS = env_int(
    "SHEZHI_CHECKIN_TOKEN_SECONDS",
    60,
    "Seconds a check-in QR code stays valid; must exceed the rotation.",
    minimum=1,
)
SHEZHI_CHECKIN_QR_ROTATION_SECONDS = env_int(
    "SHEZHI_CHECKIN_QR_ROTATION_SECONDS",
    20,
    "Seconds between new check-in QR codes on the organiser's page.",
    minimum=1,
)
SHEZHI_CHECKIN_OPENS_MINUTES = env_int(
    "SHEZHI_CHECKIN_OPENS_MINUTES",
    60,
    "Minutes before an activity starts that check-in opens.",
    minimum=0,
)
SHEZHI_CHECKOUT_GRACE_MINUTES = env_int(
    "SHEZHI_CHECKOUT_GRACE_MINUTES",
    120,
    "Minutes after an activity ends that volunteers may still check out.",
    minimum=0,
)

# A volunteer may check out of an activity only this many minutes after checking in (a tap on 签退
# right after 签到 would otherwise record 0 hours); the organiser closes earlier departures.
SHEZHI_CHECKOUT_MIN_MINUTES = env_int(
    "SHEZHI_CHECKOUT_MIN_MINUTES",
    10,
    "Minutes after checking in before a volunteer may check out.",
    minimum=0,
)

# Excel imports: the largest file (bytes) and the most data rows one upload may carry.
SHEZHI_IMPORT_MAX_BYTES = env_int(
    "SHEZHI_IMPORT_MAX_BYTES",
    5 * 1024 * 1024,
    "Largest Excel file one import may upload.",
    minimum=1,
)
SHEZHI_IMPORT_MAX_ROWS = env_int(
    "SHEZHI_IMPORT_MAX_ROWS", 10000, "Most data rows one import may carry.", minimum=1
)
# An order with a booked time may be started from this many minutes before the booked start to
# this many after the booked end; a social worker can waive it for one order (needs/services/).
SHEZHI_SERVICE_START_WINDOW_MINUTES = env_int(
    "SHEZHI_SERVICE_START_WINDOW_MINUTES",
    60,
    "Minutes around an order's booked time within which it may be started.",
    minimum=0,
)
# An import job whose worker sent no heartbeat for this long is taken over by another run, which
# resumes it where it stopped (after 3 interrupted runs it is failed).
SHEZHI_IMPORT_STALE_MINUTES = env_int(
    "SHEZHI_IMPORT_STALE_MINUTES",
    15,
    "Minutes without a heartbeat after which an import job's worker is taken as dead and "
    "another run resumes the job.",
    minimum=1,
)
# Uploaded files of finished or failed imports are purged; any left are purged after this long.
SHEZHI_IMPORT_FILE_RETENTION_HOURS = env_int(
    "SHEZHI_IMPORT_FILE_RETENTION_HOURS",
    24,
    "Hours after which uploaded import files still kept are purged.",
    minimum=1,
)
# An API token's last use is written at most once per this many seconds.
SHEZHI_TOKEN_TOUCH_SECONDS = env_int(
    "SHEZHI_TOKEN_TOUCH_SECONDS",
    300,
    "Seconds between writes of an API token's last use.",
    minimum=0,
)

# Casework (shezhi.cases). Fernet keys for the encrypted parts of case files, comma-separated:
# the first encrypts, all decrypt (rotate with `shezhi rotate_case_keys`). Required when debug is
# off; a key derived from SECRET_KEY is used only when SHEZHI_CASE_DEV_KEY allows it (default:
# on while debugging, so `scripts/run.sh` and the tests need no key).
SHEZHI_CASE_KEYS = env_list(
    "SHEZHI_CASE_KEYS",
    [],
    "Fernet keys for case files: the first encrypts, all decrypt; required when debug is off.",
)
SHEZHI_CASE_DEV_KEY_ALLOWED = env_bool(
    "SHEZHI_CASE_DEV_KEY",
    DEBUG,
    "Allow a case key derived from the secret key (development and tests only).",
    setting="SHEZHI_CASE_DEV_KEY_ALLOWED",
    shown="SHEZHI_DEBUG",
)
# Days between case reviews by risk level (紧急 weekly, 高 fortnightly, 中 monthly, 低 quarterly).
SHEZHI_CASE_REVIEW_DAYS = env_json(
    "SHEZHI_CASE_REVIEW_DAYS",
    {"urgent": 7, "high": 14, "medium": 30, "low": 90},
    "Days between case reviews by risk level.",
)
SHEZHI_CASE_EMERGENCY_MAX_HOURS = env_int(
    "SHEZHI_CASE_EMERGENCY_MAX_HOURS",
    24,
    "Longest an admin's emergency access to a case may last, in hours.",
    minimum=1,
)

# Residents' data rights (shezhi.privacy, PIPL arts. 44–47) and retention periods.
SHEZHI_PRIVACY_ANSWER_WORKDAYS = env_int(
    "SHEZHI_PRIVACY_ANSWER_WORKDAYS",
    15,
    "Working days within which a resident's access, correction or deletion request is answered.",
    minimum=1,
)
SHEZHI_RETENTION_NEED_YEARS = env_int(
    "SHEZHI_RETENTION_NEED_YEARS",
    3,
    "Years a finished need keeps its description, address, phone and comments (counts stay).",
    minimum=1,
)
SHEZHI_RETENTION_VISIT_YEARS = env_int(
    "SHEZHI_RETENTION_VISIT_YEARS",
    3,
    "Years a care visit keeps its notes (dates and modes stay for visit-rate counts).",
    minimum=1,
)
SHEZHI_RETENTION_CASE_YEARS = env_int(
    "SHEZHI_RETENTION_CASE_YEARS",
    10,
    "Years a closed case file is kept before its content (and a deleted client's identity) go.",
    minimum=1,
)
SHEZHI_RETENTION_NOTIFICATION_DAYS = env_int(
    "SHEZHI_RETENTION_NOTIFICATION_DAYS",
    365,
    "Days inbox notices and SMS records are kept.",
    minimum=1,
)

# Care visits (shezhi.care).
SHEZHI_CARE_CADENCE = env_json(
    "SHEZHI_CARE_CADENCE",
    {},
    'Visit intervals by risk level, e.g. {"high": {"days": 7}}; empty: the built-in rules.',
)
SHEZHI_CARE_CRISIS_ACK_MINUTES = env_int(
    "SHEZHI_CARE_CRISIS_ACK_MINUTES",
    30,
    "Minutes within which a crisis alert must be acknowledged before it escalates (1–1440).",
)
SHEZHI_CARE_NOBODY_HOME_ACK_HOURS = env_int(
    "SHEZHI_CARE_NOBODY_HOME_ACK_HOURS",
    24,
    "Hours within which a 'nobody home' visit alert must be acknowledged.",
    minimum=1,
)

# Service proofs (shezhi.proofs).
SHEZHI_PROOFS_PER_DAY = env_int(
    "SHEZHI_PROOFS_PER_DAY", 20, "Most service proofs one volunteer may issue a day.", minimum=1
)
# Where the public reaches this platform: the QR code on a proof opens <this>/verify/<number>/,
# check-in QR codes and calendar feeds link here too.
SHEZHI_PUBLIC_BASE_URL = env_str(
    "SHEZHI_PUBLIC_BASE_URL",
    "http://127.0.0.1:8000",
    "Address the public reaches this platform at (proof QR codes, check-in codes, calendars).",
).rstrip("/")

# Log lines carry the request id (X-Request-ID, also in the tasks a request starts); JSON for
# a log collector in production, text for a person at a console.
SHEZHI_LOG_FORMAT = env_str(
    "SHEZHI_LOG_FORMAT", "text", "Log line format: text or json (one JSON object a line)."
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "shezhi.core.logs.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
        "json": {
            "()": "shezhi.core.logs.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "json_ensure_ascii": False,
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if SHEZHI_LOG_FORMAT == "json" else "text",
        }
    },
    "root": {
        "handlers": ["console"],
        "level": env_str(
            "SHEZHI_LOG_LEVEL", "WARNING", "Lowest level of log messages shown.", setting="LOGGING"
        ),
    },
}

# Empty: the platform's own name, translated with the interface.
SHEZHI_SITE_NAME = env_str(
    "SHEZHI_SITE_NAME", "", "Platform name in SMS and on proofs (empty: 社志通)."
) or _("社志通")

# Health and metrics (shezhi.core.health, shezhi.core.metrics): /healthz, /readyz and /metrics.
# /metrics answers a request from this machine that came through no proxy, or one that carries
# "Authorization: Bearer <SHEZHI_METRICS_TOKEN>".
SHEZHI_METRICS_TOKEN = env_str(
    "SHEZHI_METRICS_TOKEN", "", "Bearer token that lets a Prometheus server read /metrics."
)
# Several gunicorn workers: each writes its counts to files in this folder (prometheus_client's
# multiprocess mode) and /metrics adds them up; one folder per node, emptied at start by
# `gunicorn -c python:shezhi.gunicorn_conf`. Empty: one process (runserver, tests).
SHEZHI_METRICS_DIR = env_str(
    "SHEZHI_METRICS_DIR", "", "Folder for the counts of several gunicorn workers (one per node)."
)
if SHEZHI_METRICS_DIR:
    Path(SHEZHI_METRICS_DIR).mkdir(parents=True, exist_ok=True)
    # prometheus_client reads this when first imported, which happens after the settings.
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", SHEZHI_METRICS_DIR)
