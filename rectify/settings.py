"""Settings, all read from the environment in this one file.

``DATABASE_URL`` (default: SQLite file ``db.sqlite3`` in the project), ``SECRET_KEY``,
``DEBUG``, ``ALLOWED_HOSTS`` and a few production switches; see README.md.
"""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """A boolean from the environment; anything but a clear yes/no is an error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be 1/0, true/false, yes/no or on/off, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "django-insecure-development-only-key-change-me-in-production-0123456789"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "simple_history",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "bureaus",
    "rectify",
]

MIDDLEWARE = [
    # First: a body declared larger than its route allows is refused before anything reads it.
    "rectify.request_limits.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Early, so that every answer, error pages included, gets the policy and the cache header.
    "csp.middleware.CSPMiddleware",
    "rectify.cache_headers.PrivateCacheMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous readers of published versions, answered from the cache before the session.
    "rectify.public.page_cache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "rectify.error_pages.StorageUnavailableMiddleware",
    # Last: turns a login refused for too many failures into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rectify.urls"
WSGI_APPLICATION = "rectify.wsgi.application"

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
                "rectify.workpages.nav_context.site_nav",
                "rectify.workpages.notification_context.notifications_context",
                "rectify.background.job_context.jobs_nav",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 0),
    )
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes watches every login (admin, browsable API, /api/auth/token/) and refuses one
# after AXES_FAILURE_LIMIT failures of the same user name from the same address, for
# AXES_COOLOFF_MINUTES. It must come first, and every login must pass the request.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "rectify.accounts.lockout_response.lockout_response"
AXES_VERBOSE = False

# Throttling that protects the server (rectify/throttling.py, rectify/login_lockout.py): the
# client address behind TRUSTED_PROXY_COUNT proxies (0: REMOTE_ADDR, X-Forwarded-For ignored);
# failed logins also locked per address; rates "<n>/<second|minute|hour|day>", "" for none.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "rectify.throttling.client_address"
AXES_HANDLER = "rectify.login_lockout.AddressLockoutHandler"
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 30)
LOGIN_RATE = os.environ.get("LOGIN_RATE", "30/minute")
PASSWORD_RESET_RATE = os.environ.get("PASSWORD_RESET_RATE", "5/hour")
API_ANON_RATE = os.environ.get("API_ANON_RATE", "120/minute")
API_TOKEN_RATE = os.environ.get("API_TOKEN_RATE", "10/minute")
# Redis (optional): REDIS_URL names the server and a database number n (default 0): the cache
# (rate counters, the public pages) uses database n, the jobs' broker database n + 1, so that
# clearing the cache (FLUSHDB) never drops queued jobs. CACHE_URL and CELERY_BROKER_URL, when
# given, win. Without any of them the cache is each process's memory and the broker a folder:
# `make run` needs no server.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()


def redis_database(url: str, offset: int) -> str:
    """``url`` with its database number (the path, default 0) increased by ``offset``."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise ImproperlyConfigured(
            f"REDIS_URL must be redis://host:port/n or rediss://…, not {url!r}")
    number = parts.path.strip("/") or "0"
    if not number.isdigit():
        raise ImproperlyConfigured(f"REDIS_URL's database must be a number, not {number!r}")
    return urlunsplit(parts._replace(path=f"/{int(number) + offset}"))


REDIS_CACHE_URL = redis_database(REDIS_URL, 0) if REDIS_URL else ""
REDIS_BROKER_URL = redis_database(REDIS_URL, 1) if REDIS_URL else ""

# The cache: the throttling counters (shared by all workers and servers only when the cache
# is) and the public pages (rectify.public.page_cache).
CACHE_URL = os.environ.get("CACHE_URL", "") or REDIS_CACHE_URL
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": CACHE_URL}}
elif CACHE_URL:
    raise ImproperlyConfigured(f"CACHE_URL must be a redis:// URL, not {CACHE_URL!r}")
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Published versions' public answers kept in the cache, invalidated by publishing and
# withdrawing (rectify.public.page_cache). On by default only with a shared cache: a process's
# own memory would keep a withdrawn version in the other processes.
PUBLIC_PAGE_CACHE = env_bool("PUBLIC_PAGE_CACHE", bool(CACHE_URL))
PUBLIC_CACHE_SECONDS = env_int("PUBLIC_CACHE_SECONDS", 86400)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Chinese by default, English switchable (LocaleMiddleware, Accept-Language, set_language).
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "rectify" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic puts the static files whitenoise serves.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "work:index"
LOGOUT_REDIRECT_URL = "public:notice_list"

#: The empty choice of every filter's select (django-filter's default is "---------").
FILTERS_EMPTY_CHOICE_LABEL = _("全部")

# The REST API (/api/): token for scripts, session for the browser; the one permission rule
# (rectify.rules.permissions); JSON bodies up to DATA_UPLOAD_MAX_MEMORY_SIZE bytes.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rectify.api.api_authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rectify.api.api_permissions.RecordPermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rectify.api.api_base.Pagination",
    "DEFAULT_PARSER_CLASSES": ["rectify.api.api_base.LimitedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "rectify.api.api_base.exception_handler",
    # Rates from API_ANON_RATE, API_<SCOPE>_RATE (rectify/throttling.py).
    "DEFAULT_THROTTLE_CLASSES": ["rectify.throttling.AnonymousThrottle",
                                 "rectify.throttling.ScopedThrottle"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Docstrings shown as plain text (no ``markup``): rectify/api/plain_descriptions.py.
    "VIEW_DESCRIPTION_FUNCTION": "rectify.api.plain_descriptions.view_description",
    # Page titles in the reader's language (a record type's name, not "Task List").
    "VIEW_NAME_FUNCTION": "rectify.api.plain_descriptions.view_name",
}
# API tokens (django-rest-knox, stored hashed): each expires, by default API_TOKEN_TTL_DAYS
# after it is issued; users list, create and revoke theirs at /accounts/tokens/.
API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", 90)
if API_TOKEN_TTL_DAYS < 1:
    raise ImproperlyConfigured(f"API_TOKEN_TTL_DAYS must be at least 1, not {API_TOKEN_TTL_DAYS}")
KNOX_TOKEN_MODEL = "rectify.ApiToken"
# knox's migrations create its own token table, which ApiToken replaces: leave them out.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_TTL": datetime.timedelta(days=API_TOKEN_TTL_DAYS),
    "AUTH_HEADER_PREFIX": "Token",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Rectify API",
    "DESCRIPTION": "巡察整改 (rectification of party inspections): records, history, publications.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/",
    # Every operation's error answers and their bodies (400, 401, 403, 404, 409, 412, 413, 429).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "rectify.api.schema_errors.document_errors",
                             "rectify.api.plain_descriptions.plain_schema"],
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "rectify.models.choices.Status",
        "AudienceEnum": "rectify.models.choices.Audience",
        "ReviewLevelEnum": "rectify.models.choices.ReviewLevel",
        "NotificationKindEnum": "rectify.models.inbox.NotificationKind",
        "KindEnum": "rectify.models.choices.NoticeKind",
        "FigureKindEnum": "rectify.models.outcomes.FigureKind",
    },
    # Swagger UI and ReDoc from drf-spectacular-sidecar's vendored files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# History (django-simple-history): readable in the admin, never reverted from it.
SIMPLE_HISTORY_REVERT_DISABLED = True
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)

DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "rectify@localhost")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
#: The address the app is reached at, for links in e-mails (reminders).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Deadline warnings (rectify.rules.due_dates): yellow within this many days of the due date,
# red within the second; the daily reminders escalate by the same colours.
WARNING_YELLOW_DAYS = env_int("WARNING_YELLOW_DAYS", 20)
WARNING_RED_DAYS = env_int("WARNING_RED_DAYS", 10)
if not 0 <= WARNING_RED_DAYS <= WARNING_YELLOW_DAYS:
    raise ImproperlyConfigured(
        "WARNING_RED_DAYS and WARNING_YELLOW_DAYS must satisfy 0 <= red <= yellow, not "
        f"{WARNING_RED_DAYS} and {WARNING_YELLOW_DAYS}")

# Evidence files (佐证材料): outside the static root, served only through a permission check.
EVIDENCE_ROOT = Path(os.environ.get("EVIDENCE_ROOT", BASE_DIR / "var" / "evidence"))
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
# A ledger workbook waits here between its preview and its confirmation (rectify.ledger).
LEDGER_UPLOAD_DIR = Path(os.environ.get("LEDGER_UPLOAD_DIR", BASE_DIR / "var" / "ledger-uploads"))
# The other uploads (rectify/request_limits.py refuses larger bodies before reading them): the
# ledger workbook, the notice file, and the XML a notice .docx may unpack to.
LEDGER_MAX_UPLOAD_BYTES = env_int("LEDGER_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
NOTICE_MAX_UPLOAD_BYTES = env_int("NOTICE_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)

# Official documents (rectify/documents/): a published version as .docx and PDF. The PDF is
# printed by Debian's Chromium (headless); each file is rendered once per version and
# audience and kept under DOCUMENTS_CACHE_ROOT (a cache: it may be emptied at any time).
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PDF_TIMEOUT_SECONDS = env_int("PDF_TIMEOUT_SECONDS", 60)
DOCUMENTS_CACHE_ROOT = Path(os.environ.get("DOCUMENTS_CACHE_ROOT",
                                           BASE_DIR / "var" / "documents"))
NOTICE_MAX_XML_BYTES = env_int("NOTICE_MAX_XML_BYTES", 20 * 1024 * 1024)
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

# Background jobs (rectify.services.jobs, rectify.background): long exports and other work run
# by a Celery worker, the user following a progress bar. The broker is CELERY_BROKER_URL:
# in production Redis (redis://127.0.0.1:6379/N); by default kombu's filesystem transport in
# folders under JOBS_QUEUE_DIR, which needs no server (`make run` starts the worker itself).
CELERY_BROKER_URL = (os.environ.get("CELERY_BROKER_URL") or REDIS_BROKER_URL
                     or "filesystem://localhost/")
JOBS_QUEUE_DIR = Path(os.environ.get("JOBS_QUEUE_DIR", BASE_DIR / "var" / "job-queue"))
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(JOBS_QUEUE_DIR / "messages"),
        "data_folder_out": str(JOBS_QUEUE_DIR / "messages"),
        "control_folder": str(JOBS_QUEUE_DIR / "control"),
        "processed_folder": str(JOBS_QUEUE_DIR / "processed"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # A message a worker took and never acknowledged (the worker died) is delivered again
    # after this many seconds; a job that is still running is never run twice (its heartbeat).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
        "socket_connect_timeout": 5,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "rectify")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CONCURRENCY = env_int("CELERY_WORKER_CONCURRENCY", 2)
CELERY_TASK_IGNORE_RESULT = True  # a job's outcome is its Job row and its result file
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Submitting gives up after about two seconds when the broker is unreachable (the job is then
# marked failed, saying so) instead of holding the request.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0,
                                    "interval_step": 1, "interval_max": 1}
# Results wait in a private folder (never under static or media), served only to the user who
# asked, and are deleted JOB_RESULT_TTL_HOURS after the job finished.
JOB_RESULT_DIR = Path(os.environ.get("JOB_RESULT_DIR", BASE_DIR / "var" / "job-results"))
JOB_RESULT_TTL_HOURS = env_int("JOB_RESULT_TTL_HOURS", 24)
# A running job writes a heartbeat every JOB_HEARTBEAT_SECONDS; one silent for
# JOB_STALE_SECONDS is taken to have lost its worker and is run again, at most
# JOB_MAX_ATTEMPTS times in all.
JOB_HEARTBEAT_SECONDS = env_int("JOB_HEARTBEAT_SECONDS", 10)
JOB_STALE_SECONDS = env_int("JOB_STALE_SECONDS", 60)
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 3)
if not 0 < JOB_HEARTBEAT_SECONDS < JOB_STALE_SECONDS:
    raise ImproperlyConfigured(
        "JOB_HEARTBEAT_SECONDS must be positive and below JOB_STALE_SECONDS, not "
        f"{JOB_HEARTBEAT_SECONDS} and {JOB_STALE_SECONDS}")
# A ledger export of more tasks than this is built in the background (a job).
LEDGER_BACKGROUND_ROWS = env_int("LEDGER_BACKGROUND_ROWS", 2000)
# A round of more tasks than this gets its report and plan from a background job.
DOCUMENT_BACKGROUND_TASKS = env_int("DOCUMENT_BACKGROUND_TASKS", 2000)
# An edited ledger of more rows than this is previewed and applied by background jobs (the
# upload waits in LEDGER_UPLOAD_DIR, the site's and the worker's).
LEDGER_IMPORT_BACKGROUND_ROWS = env_int("LEDGER_IMPORT_BACKGROUND_ROWS", 300)
# A notice of more tasks than this is loaded (after its preview) by a background job.
NOTICE_BACKGROUND_TASKS = env_int("NOTICE_BACKGROUND_TASKS", 100)
# The periodic work, scheduled by Celery beat (rectify.background.celery_app): the reminders
# and the statistics snapshot daily at these local times (HH:MM; empty: not scheduled), and
# the sweep of old job results hourly at this minute (empty: not scheduled).
CELERY_BEAT_SCHEDULE_FILENAME = os.environ.get(
    "CELERY_BEAT_SCHEDULE_FILENAME", str(BASE_DIR / "var" / "celerybeat-schedule"))
REMINDERS_AT = os.environ.get("REMINDERS_AT", "07:30").strip()
SNAPSHOT_AT = os.environ.get("SNAPSHOT_AT", "23:50").strip()
SWEEP_JOBS_MINUTE = os.environ.get("SWEEP_JOBS_MINUTE", "5").strip()
for _name, _value, _pattern in (
        ("REMINDERS_AT", REMINDERS_AT, r"([01]?\d|2[0-3]):[0-5]\d"),
        ("SNAPSHOT_AT", SNAPSHOT_AT, r"([01]?\d|2[0-3]):[0-5]\d"),
        ("SWEEP_JOBS_MINUTE", SWEEP_JOBS_MINUTE, r"[0-5]?\d")):
    if _value and not re.fullmatch(_pattern, _value):
        raise ImproperlyConfigured(
            f"{_name} must be {'a minute 0-59' if _name == 'SWEEP_JOBS_MINUTE' else 'HH:MM'} "
            f"or empty, not {_value!r}")

# Content-Security-Policy (django-csp) on every answer: scripts and styles from our own static
# files only (no inline script, style or on* handler anywhere), nothing framed, no plugins.
# An inline image preview sets its own, stricter one (rectify.workpages.work_views).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
CSRF_FAILURE_VIEW = "rectify.error_pages.csrf_failure"

# Production hardening; each can be switched off behind a TLS-terminating proxy.
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("BEHIND_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
