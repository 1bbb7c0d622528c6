"""One settings module; every deployment knob comes from the environment.

SQLite is the embedded default; set DATABASE_URL (postgres://user:pass@host:port/db) for
PostgreSQL in production.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("SHEZHI_VAR_DIR", BASE_DIR.parent / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("SHEZHI_DEBUG", True)
# The development key is only accepted while DEBUG is on (see shezhi.checks).
SECRET_KEY = os.environ.get("SHEZHI_SECRET_KEY", "dev-only-insecure-key-change-me")
# Earlier keys after a rotation (comma-separated): what they signed (proofs) still verifies.
SECRET_KEY_FALLBACKS = [
    k for k in os.environ.get("SHEZHI_SECRET_KEY_FALLBACKS", "").split(",") if k
]
ALLOWED_HOSTS = os.environ.get("SHEZHI_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("SHEZHI_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
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
    "shezhi.web",
    "shezhi.api",
    "shezhi.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
        conn_max_age=int(os.environ.get("SHEZHI_DB_CONN_MAX_AGE", "0")),
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
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
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
STATIC_ROOT = Path(os.environ.get("SHEZHI_STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request otherwise
STATICFILES_DIRS = [BASE_DIR / "static"]  # the shared layout's CSS (shezhi/static/shezhi/)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve straight from app folders when collectstatic was not run
MEDIA_ROOT = VAR_DIR / "media"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SHEZHI_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Tasks run in-process by default (no broker needed for the embedded set-up).
SHEZHI_TASKS_INLINE = env_bool("SHEZHI_TASKS_INLINE", True)
# Periodic jobs (management command → seconds between runs) for `shezhi run_scheduler`, which
# scripts/run.sh starts beside the server; in production run the same commands from cron instead.
# Crisis alerts escalate after 30 minutes, so care_jobs must run every minute or so.
SHEZHI_SCHEDULE = {"care_jobs": 60, "activity_reminders": 300, "import_jobs_sweep": 300}

# Notifications: the in-app inbox is always on; add "sms" (or dotted channel classes) here. The
# SMS backend defaults to the console (prints the message) for development.
SHEZHI_NOTIFICATION_CHANNELS = [
    c.strip() for c in os.environ.get("SHEZHI_NOTIFICATION_CHANNELS", "inbox").split(",") if c
]
SHEZHI_SMS_BACKEND = os.environ.get(
    "SHEZHI_SMS_BACKEND", "shezhi.notifications.channels.ConsoleSmsBackend"
)
# Reminders before an activity, hours ahead (`shezhi activity_reminders` sends them).
SHEZHI_ACTIVITY_REMINDER_HOURS = [
    int(h) for h in os.environ.get("SHEZHI_ACTIVITY_REMINDER_HOURS", "24,2").split(",") if h
]

# Excel imports: the largest file (bytes) and the most data rows one upload may carry.
SHEZHI_IMPORT_MAX_BYTES = int(os.environ.get("SHEZHI_IMPORT_MAX_BYTES", str(5 * 1024 * 1024)))
SHEZHI_IMPORT_MAX_ROWS = int(os.environ.get("SHEZHI_IMPORT_MAX_ROWS", "10000"))
# An import job whose worker sent no heartbeat for this long is failed (its server died).
SHEZHI_IMPORT_STALE_MINUTES = int(os.environ.get("SHEZHI_IMPORT_STALE_MINUTES", "15"))
# Uploaded files of finished or failed imports are purged; any left are purged after this long.
SHEZHI_IMPORT_FILE_RETENTION_HOURS = int(os.environ.get("SHEZHI_IMPORT_FILE_RETENTION_HOURS", "24"))
# An API token's last use is written at most once per this many seconds.
SHEZHI_TOKEN_TOUCH_SECONDS = int(os.environ.get("SHEZHI_TOKEN_TOUCH_SECONDS", "300"))

# Casework (shezhi.cases). Fernet keys for the encrypted parts of case files, comma-separated:
# the first encrypts, all decrypt (rotate with `shezhi rotate_case_keys`). Required when debug is
# off; a key derived from SECRET_KEY is used only when SHEZHI_CASE_DEV_KEY allows it (default:
# on while debugging, so `scripts/run.sh` and the tests need no key).
SHEZHI_CASE_KEYS = [
    k.strip() for k in os.environ.get("SHEZHI_CASE_KEYS", "").split(",") if k.strip()
]
SHEZHI_CASE_DEV_KEY_ALLOWED = env_bool("SHEZHI_CASE_DEV_KEY", DEBUG)
# Days between case reviews by risk level (紧急 weekly, 高 fortnightly, 中 monthly, 低 quarterly).
SHEZHI_CASE_REVIEW_DAYS = {"urgent": 7, "high": 14, "medium": 30, "low": 90}
# Longest an admin's emergency access to a case may last.
SHEZHI_CASE_EMERGENCY_MAX_HOURS = int(os.environ.get("SHEZHI_CASE_EMERGENCY_MAX_HOURS", "24"))

# Where the public reaches this platform: the QR code on a proof opens <this>/verify/<number>/.
SHEZHI_PUBLIC_BASE_URL = os.environ.get("SHEZHI_PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip(
    "/"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SHEZHI_LOG_LEVEL", "WARNING")},
}

SHEZHI_SITE_NAME = _("社志通")
