"""Django settings, all from the environment (12-factor), safe by default.

``TEAMQUOTA_ENV`` is ``development`` (default: DEBUG on, a generated per-home secret key)
or ``production`` (DEBUG off, ``TEAMQUOTA_SECRET_KEY`` required, secure cookies, HSTS).
``DATABASE_URL`` selects the database; without it an SQLite file lives under
``$TEAMQUOTA_HOME/var`` (default ``./var``).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from teamquota.web.csp import content_security_policy

ENV = os.environ.get("TEAMQUOTA_ENV", "development")
PRODUCTION = ENV == "production"
HOME = Path(os.environ.get("TEAMQUOTA_HOME", Path.cwd())).resolve()
VAR = HOME / "var"
PACKAGE_DIR = Path(__file__).resolve().parent


def _secret_key() -> str:
    key = os.environ.get("TEAMQUOTA_SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("TEAMQUOTA_SECRET_KEY must be set when TEAMQUOTA_ENV="
                                   "production (e.g. python -c 'import secrets; "
                                   "print(secrets.token_urlsafe(50))')")
    # Development: one random key per home, kept so sessions survive restarts.
    VAR.mkdir(parents=True, exist_ok=True)
    path = VAR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
# DEBUG pages list a request's data (teammates' ids, targets, deals): only when asked for
# (`teamquota serve --dev` or TEAMQUOTA_DEBUG=1), never in production.
DEBUG = not PRODUCTION and os.environ.get("TEAMQUOTA_DEBUG", "0") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get(
    "TEAMQUOTA_ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1],testserver"
).split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("TEAMQUOTA_CSRF_TRUSTED_ORIGINS", "")
                        .split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",  # the task queue's table: runs and replays wait there for a worker
    "teamquota.web.comp",
]

MIDDLEWARE = [
    "teamquota.web.comp.middleware.RefuseNulMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "teamquota.web.comp.middleware.ApiTokenMiddleware",
    "teamquota.web.comp.middleware.PasswordChangeRequiredMiddleware",
    "teamquota.web.comp.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "teamquota.web.urls"
WSGI_APPLICATION = "teamquota.web.wsgi.application"

TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
        "teamquota.web.comp.context.navigation",
    ]},
}]

_default_db = f"sqlite:///{VAR / 'teamquota.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db),
                                              conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR.mkdir(parents=True, exist_ok=True)
    # WAL lets readers (page views) run while a calculation run writes its results.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE", "timeout": 20}
    # Tests use a file as well: an in-memory test database is shared-cache, where a write
    # that meets another thread's read fails at once ("database table is locked") instead
    # of waiting out the timeout, and the browser tests run a calculation thread next to
    # the live server, as production does.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR / "test.sqlite3")}
_test_url = os.environ.get("TEAMQUOTA_TEST_DATABASE_URL")
if _test_url and os.environ.get("TEAMQUOTA_TESTING") == "1":
    DATABASES["default"] = dj_database_url.parse(_test_url)

# Per-process cache of numbers computed from a run's (immutable) rows; access is checked
# before it is read. Set TEAMQUOTA_CACHE_URL-style backends here for shared caches.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                      "LOCATION": "teamquota", "OPTIONS": {"MAX_ENTRIES": 5000}}}

# Sessions stay in the database only (one query a page): with a per-process cache in
# front, signing out in one gunicorn worker would leave the session alive in the others.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "comp.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "teamquota.web.comp.models.security.NotBlankPasswordValidator"},
]

# Login throttling: this many failures per username or per client address in the window
# lock further attempts until the window passes (teamquota.web.comp.throttle).
LOGIN_MAX_FAILURES = int(os.environ.get("TEAMQUOTA_LOGIN_MAX_FAILURES", "5"))
LOGIN_WINDOW_SECONDS = int(os.environ.get("TEAMQUOTA_LOGIN_WINDOW_SECONDS", "900"))
# Reverse proxies in front of the app that append to X-Forwarded-For (0: none, use the
# connection's address); throttling by address needs the client's, not the proxy's.
TRUSTED_PROXIES = int(os.environ.get("TEAMQUOTA_TRUSTED_PROXIES", "0"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Idle timeout: a session ends after this many minutes without a request; every request
# saves the session, which moves its expiry (cookie and database row) forward again.
SESSION_COOKIE_AGE = int(os.environ.get("TEAMQUOTA_SESSION_IDLE_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True
CSRF_COOKIE_SAMESITE = "Lax"
# No script reads the CSRF cookie: htmx sends the page's token (base.html hx-headers).
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
TEAMQUOTA_CSP = content_security_policy()  # script-src 'self'; why: teamquota/web/csp.py
TEAMQUOTA_PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=()"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("TEAMQUOTA_HSTS_SECONDS", "31536000"))
    # set TEAMQUOTA_HSTS_SUBDOMAINS=0 when other hosts of the domain still speak plain HTTP
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("TEAMQUOTA_HSTS_SUBDOMAINS", "1") == "1"
    SECURE_HSTS_PRELOAD = SECURE_HSTS_INCLUDE_SUBDOMAINS
    SECURE_SSL_REDIRECT = os.environ.get("TEAMQUOTA_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    if not SECURE_SSL_REDIRECT:
        # Deliberately off: the TLS proxy in front redirects HTTP (serve --production).
        SILENCED_SYSTEM_CHECKS = ["security.W008"]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TEAMQUOTA_TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "teamquota.web.comp.staticfinders.PlotlyFinder",
]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# Collected assets get hashed names (cached for years) and gzip/brotli copies
# (teamquota.web.comp.staticstorage); `teamquota serve` collects them at start.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "teamquota.web.comp.staticstorage.AssetStorage"},
}
MEDIA_ROOT = VAR / "media"
# Uploads: files above FILE_UPLOAD_MAX_MEMORY_SIZE stream to a temporary file (never held in
# memory); a form body without files is at most DATA_UPLOAD_MAX_MEMORY_SIZE. Data and plan
# files above these limits (bytes, docs/data.md "Limits") are refused, never truncated.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
TEAMQUOTA_MAX_DATA_UPLOAD = int(os.environ.get("TEAMQUOTA_MAX_DATA_UPLOAD", 50 * 1024 * 1024))
TEAMQUOTA_MAX_PLAN_UPLOAD = int(os.environ.get("TEAMQUOTA_MAX_PLAN_UPLOAD", 1024 * 1024))

TEAMQUOTA_RUNS_INLINE = os.environ.get("TEAMQUOTA_RUNS_INLINE") == "1"
# Runs and plan-fit replays are tasks: queued in the database, executed by `teamquota worker`
# (docs/web.md "Runs and replays"); TEAMQUOTA_RUNS_INLINE (tests) executes them in the
# request instead.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
                     if TEAMQUOTA_RUNS_INLINE else "django_tasks_db.DatabaseBackend"}}
# a queued or running run whose task has not finished after this long is failed (E998)
TEAMQUOTA_RUN_TIMEOUT_MINUTES = int(os.environ.get("TEAMQUOTA_RUN_TIMEOUT_MINUTES", "60"))

# E-mail (notifications, services/notify.py): printed to the console unless an SMTP server
# is configured; tests use Django's locmem backend (mail.outbox) by the test runner.
EMAIL_HOST = os.environ.get("TEAMQUOTA_EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get("TEAMQUOTA_EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend")
EMAIL_PORT = int(os.environ.get("TEAMQUOTA_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("TEAMQUOTA_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("TEAMQUOTA_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("TEAMQUOTA_EMAIL_TLS", "1") == "1" and EMAIL_PORT != 465
EMAIL_USE_SSL = EMAIL_PORT == 465
EMAIL_TIMEOUT = int(os.environ.get("TEAMQUOTA_EMAIL_TIMEOUT", "20"))  # seconds; a worker waits
DEFAULT_FROM_EMAIL = os.environ.get("TEAMQUOTA_EMAIL_FROM", "teamquota <noreply@localhost>")
# where links in e-mails point (e.g. https://comp.example.com); without it they name the path
TEAMQUOTA_BASE_URL = os.environ.get("TEAMQUOTA_BASE_URL", "")

LOGGING = {
    "version": 1, "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TEAMQUOTA_LOG_LEVEL",
                                                              "WARNING")},
}
