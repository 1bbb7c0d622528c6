"""One settings module; every deployment knob comes from the environment.

SQLite is the embedded default; set DATABASE_URL (postgres://user:pass@host:port/db) for
PostgreSQL in production.
"""

import os
from datetime import timedelta
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
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ["display_name", "email"]},
    },
    {
        "NAME": "shezhi.accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": int(os.environ.get("SHEZHI_PASSWORD_MIN_LENGTH", "8"))},
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
AXES_ENABLED = env_bool("SHEZHI_LOGIN_LOCKOUT", True)
AXES_FAILURE_LIMIT = int(os.environ.get("SHEZHI_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("SHEZHI_LOGIN_LOCKOUT_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "shezhi.web.accounts.views.locked_out"
AXES_VERBOSE = False
# Desk (staff) sessions end after this many idle minutes (sliding); residents' and volunteers'
# phone sessions last SHEZHI_SESSION_DAYS.
SHEZHI_STAFF_IDLE_MINUTES = int(os.environ.get("SHEZHI_STAFF_IDLE_MINUTES", "30"))
SESSION_COOKIE_AGE = int(os.environ.get("SHEZHI_SESSION_DAYS", "14")) * 24 * 3600
# Optional second factor (TOTP, an authenticator app) for desk roles: anyone who enrolled at
# /otp/setup/ confirms a code at each log-in; the roles listed here (comma-separated, e.g.
# system_admin,district_admin,street_admin) must enrol before they can do anything else.
SHEZHI_TOTP_REQUIRED_ROLES = frozenset(
    r.strip() for r in os.environ.get("SHEZHI_TOTP_REQUIRED_ROLES", "").split(",") if r.strip()
)
OTP_TOTP_ISSUER = "社志通"
# Accounts created by `shezhi seed` must change the shared demo password at first log-in unless
# this runs as the demo (default: on whenever debug is off).
SHEZHI_SEED_MUST_CHANGE_PASSWORD = env_bool("SHEZHI_SEED_MUST_CHANGE_PASSWORD", not DEBUG)
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
CSRF_FAILURE_VIEW = "shezhi.web.error_pages.csrf_failure"
# HTTPS only (set once the reverse proxy serves HTTPS): Strict-Transport-Security for this many
# seconds, and a redirect of plain HTTP (SHEZHI_SSL_REDIRECT; the proxy must send
# X-Forwarded-Proto, trusted when SHEZHI_PROXY_SSL_HEADER is on).
SECURE_HSTS_SECONDS = int(os.environ.get("SHEZHI_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SHEZHI_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SHEZHI_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env_bool("SHEZHI_SSL_REDIRECT", False)
if env_bool("SHEZHI_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Largest request body (bytes, files excepted) and most parameters one request may carry; more
# is answered 413/400 (JSON on /api/, a Chinese page on the web), never a traceback.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(
    os.environ.get("SHEZHI_MAX_BODY_BYTES", str(int(2.5 * 1024 * 1024)))
)
DATA_UPLOAD_MAX_NUMBER_FIELDS = int(os.environ.get("SHEZHI_MAX_FIELDS", "1000"))
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
if env_bool("SHEZHI_CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = CONTENT_SECURITY_POLICY
    CONTENT_SECURITY_POLICY = None

# Tasks run in-process by default (no broker needed for the embedded set-up).
SHEZHI_TASKS_INLINE = env_bool("SHEZHI_TASKS_INLINE", True)
# Periodic jobs (management command → seconds between runs) for `shezhi run_scheduler`, which
# scripts/run.sh starts beside the server; in production run the same commands from cron instead.
# Crisis alerts escalate after 30 minutes, so care_jobs must run every minute or so; needs_jobs
# tells social workers of needs near or past their deadlines.
SHEZHI_SCHEDULE = {
    "care_jobs": 60,
    "activity_reminders": 300,
    "needs_jobs": 300,
    "import_jobs_sweep": 300,
}

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

# A volunteer may check out of an activity only this many minutes after checking in (a tap on 签退
# right after 签到 would otherwise record 0 hours); the organiser closes earlier departures.
SHEZHI_CHECKOUT_MIN_MINUTES = int(os.environ.get("SHEZHI_CHECKOUT_MIN_MINUTES", "10"))

# Excel imports: the largest file (bytes) and the most data rows one upload may carry.
SHEZHI_IMPORT_MAX_BYTES = int(os.environ.get("SHEZHI_IMPORT_MAX_BYTES", str(5 * 1024 * 1024)))
SHEZHI_IMPORT_MAX_ROWS = int(os.environ.get("SHEZHI_IMPORT_MAX_ROWS", "10000"))
# An order with a booked time may be started from this many minutes before the booked start to
# this many after the booked end; a social worker can waive it for one order (needs/services.py).
SHEZHI_SERVICE_START_WINDOW_MINUTES = int(
    os.environ.get("SHEZHI_SERVICE_START_WINDOW_MINUTES", "60")
)
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
