"""Relational's one settings module, configured from the environment.

Every variable is documented in README.md ("Settings"). The small helpers below fail loudly on
a value they cannot read, so a typo in production stops the start instead of quietly running
with a default.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("RELATIONAL_VAR_DIR", BASE_DIR / "var"))


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envrate(name: str, default: str) -> str:
    value = os.environ.get(name, default).strip()
    if not re.fullmatch(r"[0-9]+/[0-9]*[smhd]", value):
        raise ImproperlyConfigured(f"{name} must be a rate such as 60/m or 500/h, not {value!r}")
    return value


DEBUG = envbool("DEBUG", "false")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-for-debug-mode-" + "x" * 20

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "pgtrigger",
    "pghistory",
    "relational",
    "places",
    "learning",
    "governance",
]

MIDDLEWARE = [
    # Public read pages for signed-out visitors, keyed on a version in PostgreSQL (README
    # "Anonymous page cache"). Outermost: a kept page already carries the security and CSP
    # headers the two below added to it, so a hit runs neither again, and loads no session
    # and no user.
    "relational.pagecache.AnonymousPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Every write counts against its sender's budget (README "Security"); after the others,
    # so its 429 page has the signed-in person, messages and htmx like any page.
    "relational.ratelimit.WriteRateLimitMiddleware",
    # Last, so it sees a view's database errors first: PostgreSQL away → a friendly 503.
    "relational.middleware.DatabaseUnavailableMiddleware",
]

# The page benchmark's server (bench/pages.py) counts each response's SQL statements into an
# X-Queries header: outermost, so session and user loads count too. Off unless asked for.
if envbool("BENCH_COUNT_QUERIES", "false"):
    MIDDLEWARE.insert(0, "relational.bench_views.QueryCountMiddleware")

ROOT_URLCONF = "relational.urls"
WSGI_APPLICATION = "relational.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database: one engine, PostgreSQL, everywhere -------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if not DATABASE_URL:
    raise ImproperlyConfigured(
        "DATABASE_URL is not set. Use `make run` or `make test`, which start an embedded "
        "PostgreSQL when it is missing, or set DATABASE_URL=postgres://user@host:port/name."
    )
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=envint("DB_CONN_MAX_AGE", "60"),
        conn_health_checks=True,
    )
}
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (postgres://…)")
# Django's PostgreSQL backend, with a health check that costs no round trip (relational/db/).
DATABASES["default"]["ENGINE"] = "relational.db"
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = envint(
    "DB_CONNECT_TIMEOUT", "5"
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "relational.User"

# --- Redis: cache, rate limits and the Celery broker -----------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if not REDIS_URL:
    raise ImproperlyConfigured(
        "REDIS_URL is not set. Use `make run` or `make test`, which start an embedded Redis "
        "when it is missing, or set REDIS_URL=redis://host:port/0."
    )

CACHES = {
    "default": {
        # django-redis, with add() failing open too (relational/redis_cache.py).
        "BACKEND": "relational.redis_cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "relational",
        "OPTIONS": {
            # Redis being down degrades the cache (misses, logged) instead of failing pages.
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
        },
    }
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "relational.cache"
# The anonymous page cache keeps a page at most this long (0 turns it off). Changes show at once
# (the key holds a version kept in PostgreSQL); this only bounds Redis's memory and anything
# the version could not see, such as a restored database.
PAGE_CACHE_SECONDS = envint("PAGE_CACHE_SECONDS", "600")
# Each process remembers the kept pages it last read, up to this many bytes (0: none), so a hit
# on one of them skips the Redis read (relational/pagecache.py, RecentPages).
PAGE_CACHE_LOCAL_BYTES = envint("PAGE_CACHE_LOCAL_BYTES", str(32 * 1024 * 1024))
# Parts of a place's pages that read the same for everyone (panel counts and lists) are kept this
# long under the same version, for signed-in readers too (places/parts.py; 0 turns it off).
PLACE_PARTS_SECONDS = envint("PLACE_PARTS_SECONDS", "600")

# Sessions live in the database behind the cache: Redis going away signs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Accounts ----------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Relational] "
ACCOUNT_SIGNUP_FORM_CLASS = "relational.forms.SignupForm"
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
# How many reverse proxies stand in front of the app (0 when it is reached directly).
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", "0")
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Relational"

RATELIMIT_FAIL_OPEN = True  # Redis down: let people through, and say so in the log.
RATELIMIT_IP_META_KEY = "relational.http.client_ip"

# Every write (POST, PUT, PATCH, DELETE) counts against its sender's budget: the signed-in person,
# else their address (relational.ratelimit.WriteRateLimitMiddleware; README "Security").
RATE_LIMIT_WRITES = envrate("RATE_LIMIT_WRITES", "60/m")
# Tighter budgets of their own, by URL name, for writes that send email to someone, make an
# account or guess a secret. allauth's ACCOUNT_RATE_LIMITS above count sign-in, sign-up and
# resets by address and by email address as well; some views add one more (@rate_limited).
RATE_LIMITS_BY_URL = {
    "account_login": "100/h",  # a whole office may sign in from one address
    "account_signup": "60/h",  # likewise a room of people signing up at a workshop
    "account_reset_password": "20/h",  # each sends an email
    "account_request_login_code": "20/h",  # each sends an email
    "account_email": "20/h",  # adding an address sends a confirmation
    "mfa_authenticate": "60/h",  # guessing a six-digit code
    "mfa_reauthenticate": "60/h",
    "places:create": "10/h",
    "places:invite": "30/h",  # each invitation is an email to someone who did not ask for it
    "places:join": "20/h",  # each request is news for the place's stewards
}

# --- Email: every message is an outbox row first, sent by a worker ----------------------------
# "default" is what all code (allauth included) sends through: it only writes outbox rows.
# "delivery" is what the worker hands each row to: SMTP when EMAIL_HOST is set, else files.
email_host = os.environ.get("EMAIL_HOST", "")
MAIL_DIR = VAR_DIR / "mail"
MAILERS = {
    "default": {"BACKEND": "places.outbox.OutboxBackend"},
    "delivery": (
        {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": email_host,
                "port": envint("EMAIL_PORT", "587"),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": envbool("EMAIL_USE_TLS", "true"),
                "timeout": 20,
            },
        }
        if email_host
        else {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(MAIL_DIR)},
        }
    ),
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Relational <noreply@relational.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- The email rhythm: digests, reminders and retries (README "Email rhythm") ------------------
# How often beat looks for due digests. Under DEBUG (`make run`) it looks every 30 seconds, so the
# demo's first digests reach var/mail/ within a minute or two of starting; otherwise every 15
# minutes (a digest is due at 08:00 in each member's time zone, so a run every 15 minutes is
# at most 15 minutes late). Tests with real workers set these to a few seconds.
DIGEST_RUN_SECONDS = envint("DIGEST_RUN_SECONDS", "30" if DEBUG else "900")
DIGEST_BATCH_SIZE = envint("DIGEST_BATCH_SIZE", "200")
REMINDER_RUN_SECONDS = envint("REMINDER_RUN_SECONDS", "3600")
PROMPT_RUN_SECONDS = envint("PROMPT_RUN_SECONDS", "300")
# Invitations whose task never ran (the broker was away) are sent by a sweep this often; it
# takes those at least this old (at most two minutes), so it does not race the task itself.
INVITATION_SWEEP_SECONDS = envint("INVITATION_SWEEP_SECONDS", "300")
OUTBOX_SWEEP_SECONDS = envint("OUTBOX_SWEEP_SECONDS", "60")
# A refused or unanswered send is tried again after 1, 2, 4, 8… minutes (OUTBOX_RETRY_SECONDS
# doubling, at most an hour); after OUTBOX_MAX_ATTEMPTS tries it is marked failed and shown.
OUTBOX_MAX_ATTEMPTS = envint("OUTBOX_MAX_ATTEMPTS", "6")
OUTBOX_RETRY_SECONDS = envint("OUTBOX_RETRY_SECONDS", "60")
# A worker that hangs while sending loses its claim on the message after this many seconds.
OUTBOX_LOCK_TIMEOUT = envint("OUTBOX_LOCK_TIMEOUT", "300")
NOTIFICATION_POLL_SECONDS = envint("NOTIFICATION_POLL_SECONDS", "30")

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A message not acknowledged within five minutes goes back to the queue (Redis's default is
    # an hour, far too long for an email that is due).
    "visibility_timeout": 300,
    "socket_connect_timeout": 1,
    "socket_timeout": 5,
    # Publishing from a web request tries once: with Redis down the outbox row simply waits for
    # the sweeper, and the page is not held up by reconnect attempts.
    "max_retries": 0,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BEAT_SCHEDULE = {
    "sweep-outbox": {
        "task": "places.tasks.sweep_outbox",
        "schedule": timedelta(seconds=OUTBOX_SWEEP_SECONDS),
    },
    "run-digests": {
        "task": "places.tasks.run_digests",
        "schedule": timedelta(seconds=DIGEST_RUN_SECONDS),
    },
    "gathering-reminders": {
        "task": "places.tasks.gathering_reminders",
        "schedule": timedelta(seconds=REMINDER_RUN_SECONDS),
    },
    "sweep-invitations": {
        "task": "places.tasks.sweep_invitations",
        "schedule": timedelta(seconds=INVITATION_SWEEP_SECONDS),
    },
    # Reflection prompts: each participant's is due at 08:00 in their own time zone; a run every
    # five minutes sends it within five minutes of that, once (learning.services.prompt_deliver).
    "learning-prompts": {
        "task": "learning.tasks.send_due_prompts",
        "schedule": timedelta(seconds=PROMPT_RUN_SECONDS),
    },
    # Decisions: input closing and reviews falling due are real state changes, made by date
    # (governance.services.decisions_move_by_date; a second run does nothing).
    "governance-dates": {
        "task": "governance.tasks.move_decisions_by_date",
        "schedule": timedelta(minutes=15),
    },
    # Fund rounds: fix who may allocate as points open, and close rounds as they end, once
    # (governance.fund_tasks; a second run does nothing).
    "fund-rounds": {
        "task": "governance.fund_tasks.advance_fund_rounds",
        "schedule": timedelta(minutes=1),
    },
    # The page cache: a gathering starting or ending, a round's ideas opening or closing, change
    # pages with nothing written; this bumps those places' page versions (relational.pageversions).
    "page-cache-clock": {
        "task": "relational.tasks.page_cache_clock",
        "schedule": timedelta(minutes=1),
    },
    # People's data: downloads whose task never ran (Redis was away), and the nightly purge of
    # what is kept only for a while (README "People's data"). Both are safe to run again.
    "sweep-data-exports": {
        "task": "places.tasks.sweep_data_exports",
        "schedule": timedelta(minutes=5),
    },
    "purge-expired": {
        "task": "places.tasks.purge_expired",
        "schedule": crontab(hour=3, minute=30),
    },
}
CELERY_TIMEZONE = "UTC"

# --- Decision history (django-pghistory, used by governance) ---------------------------------
# Each history row is stamped with the time of its statement, not of its transaction, so the
# version history orders events correctly even when several happen in one transaction.
PGHISTORY_CREATED_AT_FUNCTION = "clock_timestamp()"

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Private files: people's data downloads (README "People's data") ---------------------------
# Never served by URL: the download view checks the signed link and the signed-in person, then
# streams the file. Files under var/private/ by default; an S3-compatible bucket when
# PRIVATE_STORAGE_S3_BUCKET is set (django-storages), private objects only.
PRIVATE_STORAGE_DIR = Path(os.environ.get("PRIVATE_STORAGE_DIR", VAR_DIR / "private"))
PRIVATE_STORAGE_S3_BUCKET = os.environ.get("PRIVATE_STORAGE_S3_BUCKET", "")
if PRIVATE_STORAGE_S3_BUCKET:
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": PRIVATE_STORAGE_S3_BUCKET,
            "endpoint_url": os.environ.get("PRIVATE_STORAGE_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("PRIVATE_STORAGE_S3_REGION") or None,
            "access_key": os.environ.get("PRIVATE_STORAGE_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("PRIVATE_STORAGE_S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("PRIVATE_STORAGE_S3_PREFIX", "relational-private"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": True,
        },
    }
else:
    STORAGES["private"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": str(PRIVATE_STORAGE_DIR),
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }

# --- People's data: downloads and how long things are kept (README "People's data") ----------
# A download link works for this many days; the nightly purge then deletes the file.
DATA_EXPORT_DAYS = envint("DATA_EXPORT_DAYS", "7")
# The nightly purge (places.tasks.purge_expired) deletes, after this many days:
RETAIN_OUTBOX_SENT_DAYS = envint("RETAIN_OUTBOX_SENT_DAYS", "30")  # copies of sent email
RETAIN_OUTBOX_FAILED_DAYS = envint("RETAIN_OUTBOX_FAILED_DAYS", "90")  # email that never went
RETAIN_INVITATIONS_DAYS = envint("RETAIN_INVITATIONS_DAYS", "90")  # accepted/withdrawn/expired
RETAIN_DELIVERY_DAYS = envint("RETAIN_DELIVERY_DAYS", "90")  # digest and prompt delivery records
RETAIN_DATA_EXPORTS_DAYS = envint("RETAIN_DATA_EXPORTS_DAYS", "90")  # the record of a download

# --- Security ---------------------------------------------------------------------------------
# The HTTPS switches follow DEBUG; HTTPS_OFF=true turns them off where the site is served over
# plain HTTP on localhost (a local benchmark, `docker compose up`), never behind a public address.
HTTPS = not DEBUG and not envbool("HTTPS_OFF", "false")
SECURE_SSL_REDIRECT = HTTPS
# A container's health check asks over plain HTTP from inside; a redirect would read as "down".
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXY_COUNT else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# No script reads the CSRF cookie: htmx sends the token from the page (base.html's hx-headers).
CSRF_COOKIE_HTTPONLY = True

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
