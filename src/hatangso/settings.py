"""Django settings, read from the environment (DESIGN.md §6).

HATANGSO_HOME            data directory (default ./.hatangso)
HATANGSO_DATABASE_URL    database URL (default SQLite inside HATANGSO_HOME)
HATANGSO_SECRET_KEY      secret key (a per-home key is generated and kept in HATANGSO_HOME otherwise)
HATANGSO_DEBUG           "1" for development
HATANGSO_MAP_TILES       optional map tile URL template ({z}/{x}/{y}); maps work without one
HATANGSO_REDIS_URL       optional Redis for the shared cache (redis://host:6379/0); the database otherwise
"""

import importlib.util
import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
HOME = Path(os.environ.get("HATANGSO_HOME", ".hatangso")).resolve()
HOME.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    if key := os.environ.get("HATANGSO_SECRET_KEY"):
        return key
    key_file = HOME / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("HATANGSO_DEBUG") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("HATANGSO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",  # request.htmx, and htmx itself (static/django_htmx/htmx-2.min.js): no CDN
    "hatangso.core",
    "hatangso.geography",
    "hatangso.plans",
    "hatangso.registry",
    "hatangso.collection",
    "hatangso.catalog",
    "hatangso.analytics",
    "hatangso.workplan",
    "hatangso.reports",
    "hatangso.web",
    "hatangso.demo",
    "hatangso.backup",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "hatangso.web.middleware.LanguageMiddleware",  # the language cookie, else Vietnamese
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "hatangso.core.middleware.ContentSecurityPolicyMiddleware",
    # Last, so the static files it answers carry every header the middleware above adds.
    "whitenoise.middleware.WhiteNoiseMiddleware",
]

ROOT_URLCONF = "hatangso.urls"
# django-ninja is not an installed app: installing it imports the whole API framework (pydantic,
# django.test, jinja2: ≈ 0,15 s) at every command's start (issue 19, item 7). The API docs need
# only its templates and swagger-ui's static files (served by us, not its CDN, which the CSP blocks).
NINJA_DIR = Path(importlib.util.find_spec("ninja").origin).parent
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [NINJA_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "hatangso.web.context_processors.synthetic_data",
                "hatangso.web.context_processors.navigation",
                "hatangso.web.context_processors.map_tiles",
                "hatangso.core.sharing.csrf_placeholder",  # last: a shared page's token is the reader's
            ],
        },
    },
]
WSGI_APPLICATION = "hatangso.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("HATANGSO_DATABASE_URL") or f"sqlite:///{HOME / 'hatangso.sqlite3'}",
        # A server thread keeps its connection from one request to the next: opening one (and, on
        # SQLite, setting its pragmas) cost more than the rest of a cached page (bench/README.md,
        # dashboard_load). A connection the database server dropped is noticed and replaced before use.
        conn_max_age=600,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A SQLite connection is a file: nothing drops it, and a health check would query the connection
    # a test's live server shares with the test.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    # WAL lets the web server read while a command writes; a timeout instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# One cache for every server process (rendered pages and scorecards shared by their readers,
# hatangso.core.sharing): Redis when HATANGSO_REDIS_URL is set, else a table of the database, created
# by `hatangso migrate` (core.apps), so a home works with nothing else installed.
if REDIS_URL := os.environ.get("HATANGSO_REDIS_URL", ""):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "hatangso",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "hatangso_cache",
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }
# Every request reads its session: from the cache (one key: cheaper than the ORM's query of the
# session table, even when the cache is a table), written through to the database (kept by backups).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Pages and scorecards built once per version of the data and shared by their readers (core.sharing);
# off only for tests that look at how a page was rendered.
SHARED_PAGES = True
AUTHENTICATION_BACKENDS = ["hatangso.core.auth.ThrottledModelBackend"]
LOGIN_FAILURE_LIMIT = 5
LOGIN_FAILURE_WINDOW = 15 * 60  # seconds
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"  # the dashboard
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Leaflet's files come from the django-leaflet package; its app is not installed because its admin
# needs GeoDjango (GDAL), and the maps need only the script and the style.
STATICFILES_DIRS = [Path(importlib.util.find_spec("leaflet").origin).parent / "static", NINJA_DIR / "static"]
STATIC_ROOT = HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise looks in it from the first request
# collectstatic (run by `serve`) writes each file also under a name with its hash, and gzipped;
# WhiteNoise serves the hashed names with a year's cache (a changed file gets a new name).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = HOME / "media"

# Production runs behind HTTPS (HATANGSO_HTTPS=1); the local demo on 127.0.0.1 cannot.
HTTPS = os.environ.get("HATANGSO_HTTPS") == "1"
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if os.environ.get("HATANGSO_BEHIND_PROXY") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Maps draw the units' shapes from the app; a tile server (HATANGSO_MAP_TILES, a URL template
# such as https://tiles.example.vn/{z}/{x}/{y}.png) is optional, and its origin joins img-src.
MAP_TILES = os.environ.get("HATANGSO_MAP_TILES", "")
MAP_TILES_ATTRIBUTION = os.environ.get("HATANGSO_MAP_TILES_ATTRIBUTION", "")
_tile_origin = "/".join(MAP_TILES.split("/")[:3]) if MAP_TILES.startswith(("https://", "http://")) else ""
CONTENT_SECURITY_POLICY = (
    f"default-src 'self'; img-src 'self' data: {_tile_origin}".rstrip()
    + "; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG and os.environ.get("HATANGSO_INSECURE_COOKIES") != "1"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}


# Mail (reminders): only when an SMTP server is configured; otherwise `hatangso remind` prints.
SMTP_CONFIGURED = bool(os.environ.get("HATANGSO_SMTP_HOST"))
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if SMTP_CONFIGURED
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("HATANGSO_SMTP_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("HATANGSO_SMTP_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("HATANGSO_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("HATANGSO_SMTP_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("HATANGSO_SMTP_TLS", "1") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("HATANGSO_MAIL_FROM", "hatangso@localhost")

# Line-speed indicators (DESIGN.md §3): a line counts with at least this many samples in the period;
# a unit with fewer measured lines than this gets no value ("no_data" with the reason).
MIN_SAMPLES_PER_LINE = int(os.environ.get("HATANGSO_MIN_SAMPLES_PER_LINE", "3"))
MIN_LINES_PER_UNIT = int(os.environ.get("HATANGSO_MIN_LINES_PER_UNIT", "10"))
# Median download speeds (i-Speed's method): an area's median needs at least this many samples in
# the period, else it has no value (VNNIC publishes a commune only from 300 samples).
MIN_SPEED_SAMPLES = int(os.environ.get("HATANGSO_MIN_SPEED_SAMPLES", "300"))

# The engine of the measurement pipelines (analytics/measurements/engines.py): DuckDB in process, or
# Apache Spark (the `spark` extra and Java 17) at national scale; the Spark master URL (local mode
# with two cores by default, spark://host:7077 for a cluster).
ENGINE = os.environ.get("HATANGSO_ENGINE", "duckdb")
SPARK_MASTER = os.environ.get("HATANGSO_SPARK_MASTER", "local[2]")
