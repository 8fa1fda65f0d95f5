"""Settings, read from the environment.

The defaults serve one developer on one machine: SQLite under var/, DEBUG on,
only loopback hosts allowed. Production sets SECRET_KEY, DEBUG=false,
ALLOWED_HOSTS and DATABASE_URL.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.getenv("VAR_DIR", BASE_DIR / "var"))


def envbool(name: str, default: bool) -> bool:
    value = os.getenv(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.getenv(name)
    return int(value) if value else default


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.getenv(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


class SettingsError(SystemExit):
    """A setting production needs is missing or unusable; the message says which and why."""

    def __init__(self, message: str) -> None:
        super().__init__(f"Configuration error: {message}")


DEBUG = envbool("DEBUG", True)
# The development key is only accepted while DEBUG is on.
SECRET_KEY = os.getenv("SECRET_KEY") or ""
MIN_SECRET_KEY_LENGTH = 50
if not SECRET_KEY:
    if not DEBUG:
        raise SettingsError(
            "SECRET_KEY must be set when DEBUG is off: a random string of at least "
            f"{MIN_SECRET_KEY_LENGTH} characters, e.g. from "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`"
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
elif not DEBUG and len(SECRET_KEY) < MIN_SECRET_KEY_LENGTH:
    raise SettingsError(
        f"SECRET_KEY has {len(SECRET_KEY)} characters; use at least {MIN_SECRET_KEY_LENGTH} "
        "random ones when DEBUG is off"
    )
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # First, so its admin templates (index with the dashboard link) take precedence.
    "annotations",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "project.middleware.ReleaseViewAtClose",
]
if not DEBUG:
    # Static files (the admin's CSS, the API docs) straight from the application server,
    # as collected by `manage.py serve`; the development server serves them itself.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "project.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "project.wsgi.application"

DATABASE_URL = os.getenv("DATABASE_URL", "")
if not DATABASE_URL:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        # Production keeps connections for a minute, checked before reuse.
        conn_max_age=envint("CONN_MAX_AGE", 0 if DEBUG else 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while an import writes; a busy timeout
    # waits for the writer instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # Tests run on a file as production does: threads (the live server's) then have
    # connections of their own, and locks behave as they will for real.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test_db_{os.getpid()}.sqlite3")}

# Label Studio's webhooks land in an inbox that no long write can block: on SQLite a
# database file of its own, on PostgreSQL the same database through its own
# connection (an insert there waits for no other transaction).
INBOX_DATABASE_URL = os.getenv("INBOX_DATABASE_URL", "")
if INBOX_DATABASE_URL:
    DATABASES["inbox"] = dj_database_url.parse(INBOX_DATABASE_URL)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    inbox_file = Path(str(DATABASES["default"]["NAME"])).with_name("inbox.sqlite3")
    DATABASES["inbox"] = dj_database_url.parse(f"sqlite:///{inbox_file}")
else:
    DATABASES["inbox"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
if DATABASES["inbox"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["inbox"].setdefault("OPTIONS", {}).update(
        {"timeout": 5, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
    # Tests get a file too: an in-memory database locks whole tables, which a file in WAL
    # mode never does to a writer while others read.
    DATABASES["inbox"]["TEST"] = {"NAME": str(VAR_DIR / f"test_inbox_{os.getpid()}.sqlite3")}
# Whether the inbox lives in the default database (then its tables migrate there).
INBOX_IN_DEFAULT = DATABASES["inbox"].get("NAME") == DATABASES["default"].get("NAME") and (
    DATABASES["inbox"]["ENGINE"] == DATABASES["default"]["ENGINE"]
)
DATABASE_ROUTERS = ["annotations.routers.InboxRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", VAR_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # In production, collected once (`manage.py serve` does it) under hashed names that
    # browsers may keep forever, compressed.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Security: TLS ends at a reverse proxy in front of the server -----------------
# Cookies only over HTTPS in production (SECURE_COOKIES=false to try `make serve` over
# plain http on this machine).
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = envbool("SECURE_COOKIES", not DEBUG)
# The proxy says which requests came over HTTPS; trust it only when there is one.
if envbool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "WARNING")},
}

# --- the service's own settings ---------------------------------------------
# Largest document accepted by the importers, in bytes of UTF-8.
DOCUMENT_MAX_BYTES = envint("DOCUMENT_MAX_BYTES", 2 * 1024 * 1024)
# Where exports started from the admin or the API are written.
EXPORT_DIR = Path(os.getenv("EXPORT_DIR", VAR_DIR / "exports"))
MODEL_DIR = Path(os.getenv("MODEL_DIR", VAR_DIR / "models"))
# Rows written per INSERT batch by the importers.
IMPORT_BATCH_SIZE = envint("IMPORT_BATCH_SIZE", 500)

# Label Studio: a local one started by `manage.py labelstudio serve`, or any remote
# one given by URL and API key. The development defaults below are only used
# while DEBUG is on; production sets its own.
LABEL_STUDIO_URL = os.getenv("LABEL_STUDIO_URL", "http://127.0.0.1:8080").rstrip("/")
LABEL_STUDIO_API_KEY = os.getenv("LABEL_STUDIO_API_KEY") or (
    "dev0quotes0token0a1b2c3d4e5f60718293a4b5c6d7e8f9" if DEBUG else ""
)
LABEL_STUDIO_USERNAME = os.getenv("LABEL_STUDIO_USERNAME", "admin@example.com")
LABEL_STUDIO_PASSWORD = os.getenv("LABEL_STUDIO_PASSWORD") or ("admin-pass-123" if DEBUG else "")
LABEL_STUDIO_WEBHOOK_SECRET = os.getenv("LABEL_STUDIO_WEBHOOK_SECRET") or (
    "dev-webhook-secret" if DEBUG else ""
)
LABEL_STUDIO_DATA_DIR = Path(os.getenv("LABEL_STUDIO_DATA_DIR", VAR_DIR / "labelstudio"))
# The local Label Studio's own PostgreSQL database for a team (empty: SQLite in its data dir).
LABEL_STUDIO_DATABASE_URL = os.getenv("LABEL_STUDIO_DATABASE_URL", "")
# A migrated, empty data folder made once by `make setup`; new data folders start as a copy.
LABEL_STUDIO_TEMPLATE_DIR = Path(
    os.getenv("LABEL_STUDIO_TEMPLATE_DIR", VAR_DIR / "labelstudio-template")
)
LABEL_STUDIO_VENV = Path(os.getenv("LABEL_STUDIO_VENV", BASE_DIR / ".venv-labelstudio"))
LABEL_STUDIO_TIMEOUT = float(os.getenv("LABEL_STUDIO_TIMEOUT", "120"))
LABEL_STUDIO_PUSH_BATCH = envint("LABEL_STUDIO_PUSH_BATCH", 500)
# Seconds between the pulls the workers start for every collection bound to a project
# (each reads only the tasks changed since the last); 0: only when someone asks.
LABEL_STUDIO_PULL_EVERY = envint("LABEL_STUDIO_PULL_EVERY", 0)
# Processes that run the pre-annotation rules over a collection (0: one per core).
PREANNOTATE_WORKERS = envint("PREANNOTATE_WORKERS", 0)
# Where Label Studio reaches this service (webhooks, ML backend).
PUBLIC_URL = os.getenv("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

# --- REST API -------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so a request without credentials is answered 401, not 403.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["annotations.api.permissions.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "annotations.api.pagination.Pagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["annotations.api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": os.getenv("API_TOKEN_RATE", "2000/hour")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "annotations.api.errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Quote annotations API",
    "DESCRIPTION": "Documents, annotations, speakers, agreement, review and gold exports "
    "for quote attribution. Authenticate with `Authorization: Token <key>`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from local static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name per choice set, whichever serializer lists it.
    "ENUM_NAME_OVERRIDES": {
        "QuoteTypeEnum": "annotations.models.Attribution.QuoteType",
        "StanceEnum": "annotations.models.Attribution.Stance",
        "ClaimTypeEnum": "annotations.models.Attribution.ClaimType",
        "AnnotationKindEnum": "annotations.models.AnnotationKindChoices",
        "JobKindEnum": "annotations.models.Job.Kind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "annotations.api.schema.add_error_responses",
    ],
}

# --- Background jobs (django-tasks): the database backend by default; a worker
# (`manage.py db_worker`) runs them. TASKS_BACKEND=immediate runs them in the request.
TASKS_BACKEND = os.getenv("TASKS_BACKEND", "database")
# A worker silent this long (seconds) is gone: its running jobs are failed and cleared.
WORKER_GONE_AFTER = envint("WORKER_GONE_AFTER", 60)
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }[TASKS_BACKEND]
    }
}
UPLOAD_DIR = Path(os.getenv("UPLOAD_DIR", VAR_DIR / "uploads"))
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
# One import may send as many files as the API allows (ImportRequestSerializer).
DATA_UPLOAD_MAX_NUMBER_FILES = 1000
