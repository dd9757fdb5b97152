"""Waypoint settings: one module, every value from the environment.

Production and development differ only through environment variables (see .env.example).
WAYPOINT_ENV=production turns on the strict checks: the app refuses to start without its
secrets, keys and allowed hosts, and never in demo mode.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from waypoint.common.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_path,
    env_secret,
    env_str,
)
from waypoint.privacy.keysets import ensure_dev_secrets

# Lets typed generics such as admin.ModelAdmin[Model] work at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

WAYPOINT_ENV = env_choice("WAYPOINT_ENV", ("development", "production"), "development")
PRODUCTION = WAYPOINT_ENV == "production"
DEBUG = env_bool("WAYPOINT_DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("WAYPOINT_DEBUG cannot be true in production.")

# Demo mode pre-enrols the demo staff accounts in MFA and prints their secrets.
WAYPOINT_DEMO = env_bool("WAYPOINT_DEMO", default=not PRODUCTION)
if PRODUCTION and WAYPOINT_DEMO:
    raise ImproperlyConfigured("WAYPOINT_DEMO cannot be used in production.")

VAR_DIR = env_path("WAYPOINT_VAR_DIR", BASE_DIR / "var") or BASE_DIR / "var"

# --- Secrets and keys -----------------------------------------------------------------
# Keys never live in the database. In development they are generated under var/keys/.
_secret_key = env_secret("SECRET_KEY")
_kek_file = env_path("WAYPOINT_KEK_KEYSET_FILE")
_identifier_file = env_path("WAYPOINT_IDENTIFIER_KEYSET_FILE")
_audit_file = env_path("WAYPOINT_AUDIT_KEYSET_FILE")
_receipt_file = env_path("WAYPOINT_RECEIPT_KEYSET_FILE")
_signing_file = env_path("WAYPOINT_SIGNING_KEYSET_FILE")
if PRODUCTION:
    _missing = [
        name
        for name, value in (
            ("SECRET_KEY", _secret_key),
            ("WAYPOINT_KEK_KEYSET_FILE", _kek_file),
            ("WAYPOINT_IDENTIFIER_KEYSET_FILE", _identifier_file),
            ("WAYPOINT_AUDIT_KEYSET_FILE", _audit_file),
            ("WAYPOINT_RECEIPT_KEYSET_FILE", _receipt_file),
            ("WAYPOINT_SIGNING_KEYSET_FILE", _signing_file),
        )
        if not value
    ]
    if _missing:
        raise ImproperlyConfigured(
            "Production needs these environment variables: " + ", ".join(_missing)
        )
else:
    _dev = ensure_dev_secrets(VAR_DIR)
    _secret_key = _secret_key or _dev.secret_key
    _kek_file = _kek_file or _dev.kek_file
    _identifier_file = _identifier_file or _dev.identifier_file
    _audit_file = _audit_file or _dev.audit_file
    _receipt_file = _receipt_file or _dev.receipt_file
    _signing_file = _signing_file or _dev.signing_file
# Narrows the types for mypy.
if not (
    _secret_key
    and _kek_file
    and _identifier_file
    and _audit_file
    and _receipt_file
    and _signing_file
):
    raise ImproperlyConfigured("Secrets and keysets could not be found or created.")
SECRET_KEY: str = _secret_key
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
WAYPOINT_KEYSETS = {
    "kek": _kek_file,
    "identifier": _identifier_file,
    "audit": _audit_file,
    "receipt": _receipt_file,
    "signing": _signing_file,  # signed exports (privacy/signing.py, ADR 0041)
}
for _name, _path in WAYPOINT_KEYSETS.items():
    if not _path.is_file():
        raise ImproperlyConfigured(f"The {_name} keyset file {_path} does not exist.")
# The audit chain's published heads (privacy/anchors.py): append-only, outside the
# database; in production put it where the database's owner cannot write.
WAYPOINT_AUDIT_ANCHOR_FILE = env_path(
    "WAYPOINT_AUDIT_ANCHOR_FILE", VAR_DIR / "audit" / "anchors.log"
) or (VAR_DIR / "audit" / "anchors.log")
# Optionally, a copy of the head once a day by email to someone outside IT (the data
# protection contact): one more copy the database's owner cannot rewrite.
WAYPOINT_AUDIT_ANCHOR_EMAIL = env_str("WAYPOINT_AUDIT_ANCHOR_EMAIL", "")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Production needs ALLOWED_HOSTS.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The public address, for links in emails (notices carry a link, never case details).
WAYPOINT_SITE_URL = env_str("WAYPOINT_SITE_URL", "" if PRODUCTION else "http://127.0.0.1:8000")

# --- Applications -----------------------------------------------------------------------
INSTALLED_APPS = [
    "waypoint.accounts",  # before allauth so our templates win
    "waypoint.common",
    "waypoint.privacy",
    "waypoint.institution",
    "waypoint.hub",
    "waypoint.reporting",
    "waypoint.log",  # the private incident log (issue 14)
    "waypoint.casework",
    "waypoint.safety",
    "waypoint.notifications",  # after the apps whose events it records (ADR 0033)
    "waypoint.insights",  # facts for counting, recorded from the events below (ADR 0045)
    "waypoint.worker",  # the outbox, the schedule and the heartbeat (ADR 0039)
    "waypoint.demo",  # load_demo and generate_load_data, above every app (ADR 0040)
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
]

MIDDLEWARE = [
    # Outermost: one structured line per request (route name, status, time; ADR 0037).
    "waypoint.common.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "waypoint.common.http.SecurityHeadersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After the header middleware so static files get the same headers.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # 413 from Content-Length alone: inside the header middleware, before anything reads
    # the body (CsrfViewMiddleware). Its page needs no session or user (error_views.py).
    "waypoint.common.error_views.RequestTooLargeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "waypoint.common.csrf.FetchMetadataOriginMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "waypoint.accounts.middleware.StaffSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Lets sign-in and sign-out forms lead to the identity provider (CSP form-action).
    "waypoint.accounts.middleware.SSOFormActionMiddleware",
    "waypoint.accounts.middleware.SSOUnavailableMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Django answers 405 with an empty body; give it Waypoint's page (error_views.py).
    "waypoint.common.error_views.MethodNotAllowedPageMiddleware",
]

ROOT_URLCONF = "config.urls"
# The benchmarks' floor: a bare view at /bench/floor/ through the same middleware
# (bench/README.md). Never set it on a real deployment.
WAYPOINT_BENCH_FLOOR = env_bool("WAYPOINT_BENCH_FLOOR", default=False)
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "waypoint.institution.context_processors.institution",
            ],
        },
    }
]

# --- Database and cache -------------------------------------------------------------------
_database_url = env_str("DATABASE_URL")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "waypoint.sqlite3"),
            "OPTIONS": {
                # Writers queue instead of failing, and each transaction takes the write
                # lock at BEGIN so the audit chain's head cannot be read stale.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Login throttling and rate limits need a cache that every process shares: Redis where
# configured, otherwise a database table (never per-process memory).
_redis_url = env_str("REDIS_URL")
if _redis_url:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _redis_url,
            "KEY_PREFIX": "waypoint",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "waypoint_cache",
        }
    }

# --- Staff authentication ------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "waypoint.accounts.hashers.WaypointArgon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 15},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "staff:home"
LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "waypoint.accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PREVENT_ENUMERATION = True
# An unknown address gets no email: allauth's would invite a sign-up Waypoint does not offer
# (docs/decisions/0007-staff-authentication.md).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "reauthenticate": "10/m/user",
    "change_password": "5/m/user",
}
MFA_ADAPTER = "waypoint.accounts.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("WAYPOINT_MFA_ISSUER", "Waypoint")
# Accept the code from the 30-second step before or after (RFC 6238 section 5.2): a code
# typed just as it changes, or a phone clock a few seconds off, still works. A used code
# is refused for that whole window, in every process (waypoint/accounts/totp_replay.py).
MFA_TOTP_TOLERANCE = 1
MFA_ALLOW_UNVERIFIED_EMAIL = True  # staff accounts are created by an administrator

SOCIALACCOUNT_ADAPTER = "waypoint.accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_PROVIDERS: dict[str, dict[str, object]] = {}
# Single sign-on through the university's identity provider (docs/sso.md, ADR 0030).
# Both provider apps are always installed, so the URLconf is the same with and without
# SSO (their pages answer 404 until a provider is configured below).
INSTALLED_APPS += [
    "allauth.socialaccount.providers.openid_connect",
    "waypoint.accounts.saml",  # allauth's SAML provider, keeping AuthnContextClassRef
]
_oidc_server = env_str("WAYPOINT_OIDC_SERVER_URL")
if _oidc_server:
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "APPS": [
            {
                "provider_id": env_str("WAYPOINT_OIDC_PROVIDER_ID", "university"),
                "name": env_str("WAYPOINT_OIDC_NAME", "University sign-in"),
                "client_id": env_str("WAYPOINT_OIDC_CLIENT_ID"),
                "secret": env_secret("WAYPOINT_OIDC_CLIENT_SECRET"),
                "settings": {"server_url": _oidc_server},
            }
        ]
    }
_saml_metadata = env_str("WAYPOINT_SAML_METADATA_URL")
if _saml_metadata:
    SOCIALACCOUNT_PROVIDERS["saml"] = {
        "APPS": [
            {
                "provider_id": env_str("WAYPOINT_SAML_PROVIDER_ID", "university-saml"),
                "name": env_str("WAYPOINT_SAML_NAME", "University sign-in"),
                "client_id": env_str("WAYPOINT_SAML_ORGANIZATION", "waypoint"),
                "settings": {
                    "attribute_mapping": {
                        "uid": "urn:oid:0.9.2342.19200300.100.1.1",
                        "email": "urn:oid:0.9.2342.19200300.100.1.3",
                    },
                    "idp": {
                        "entity_id": env_str("WAYPOINT_SAML_IDP_ENTITY_ID"),
                        "metadata_url": _saml_metadata,
                    },
                },
            }
        ]
    }
# Whether the identity provider's second factor may stand in for Waypoint's TOTP. Even
# when true, it does so only for a sign-in where the provider says one was used: OIDC
# `amr` with a multi-factor method, or an `acr` / SAML AuthnContextClassRef listed here.
WAYPOINT_SSO_SATISFIES_MFA = env_bool("WAYPOINT_SSO_SATISFIES_MFA", default=False)
WAYPOINT_SSO_MFA_CONTEXTS = env_list(
    "WAYPOINT_SSO_MFA_CONTEXTS", ["https://refeds.org/profile/mfa"]
)
# When an OpenID Connect provider sends no `email_verified` (Entra ID), these claims
# may be matched to a staff account, only from this issuer (and tenant, Entra's `tid`).
WAYPOINT_SSO_TRUST_EMAIL_CLAIMS = env_list("WAYPOINT_SSO_TRUST_EMAIL_CLAIMS")
WAYPOINT_SSO_TRUSTED_ISSUER = env_str("WAYPOINT_SSO_TRUSTED_ISSUER", "") or ""
WAYPOINT_SSO_TRUSTED_TENANT = env_str("WAYPOINT_SSO_TRUSTED_TENANT", "") or ""
if WAYPOINT_SSO_TRUST_EMAIL_CLAIMS and not WAYPOINT_SSO_TRUSTED_ISSUER:
    raise ImproperlyConfigured(
        "WAYPOINT_SSO_TRUST_EMAIL_CLAIMS needs WAYPOINT_SSO_TRUSTED_ISSUER (the `iss` to trust)."
    )

# Staff sessions: 15 minutes idle, 8 hours absolute (security.md, ASVS 7.3).
WAYPOINT_STAFF_IDLE_SECONDS = env_int("WAYPOINT_STAFF_IDLE_MINUTES", 15, minimum=1) * 60
WAYPOINT_STAFF_ABSOLUTE_SECONDS = env_int("WAYPOINT_STAFF_ABSOLUTE_HOURS", 8, minimum=1) * 3600
SESSION_COOKIE_AGE = WAYPOINT_STAFF_ABSOLUTE_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# A session cookie, not a year-long one: a lasting cookie is a sign, on a shared device,
# that someone visited.
CSRF_COOKIE_AGE = None
CSRF_COOKIE_SAMESITE = "Lax"

# --- HTTPS and headers ---------------------------------------------------------------------
_https = env_bool("WAYPOINT_HTTPS", default=PRODUCTION)
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
# __Host- cookies are only accepted by browsers over HTTPS.
SESSION_COOKIE_NAME = "__Host-waypoint-session" if _https else "waypoint-session"
CSRF_COOKIE_NAME = "__Host-waypoint-csrf" if _https else "waypoint-csrf"
SECURE_SSL_REDIRECT = _https
SECURE_HSTS_SECONDS = env_int("WAYPOINT_HSTS_SECONDS", 31536000 if _https else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("WAYPOINT_HSTS_INCLUDE_SUBDOMAINS", default=_https)
SECURE_HSTS_PRELOAD = env_bool("WAYPOINT_HSTS_PRELOAD", default=_https)
if env_bool("WAYPOINT_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies append to X-Forwarded-For in front of gunicorn. Rate limits
# (reporter routes and staff sign-in) then count the client's network, not the proxy's;
# with 0, X-Forwarded-For is ignored and every client behind a proxy shares one bucket.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("WAYPOINT_TRUSTED_PROXY_COUNT", 0, minimum=0)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "no-referrer"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
    "manifest-src": [CSP.SELF],
}

# --- Uploads, static files, email ------------------------------------------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 300
FILE_UPLOAD_PERMISSIONS = 0o600
# Every upload is encrypted as it streams in: Django's own handlers would keep it in
# memory or write it in plaintext to a temporary file (ADR 0015).
FILE_UPLOAD_HANDLERS = ["waypoint.reporting.uploads.EncryptingUploadHandler"]
WAYPOINT_UPLOAD_MAX_FILE_BYTES = env_int("WAYPOINT_UPLOAD_MAX_FILE_MB", 25, minimum=1) * 2**20
WAYPOINT_UPLOAD_MAX_REPORT_BYTES = env_int("WAYPOINT_UPLOAD_MAX_REPORT_MB", 100, minimum=1) * 2**20
WAYPOINT_UPLOAD_MAX_FILES = env_int("WAYPOINT_UPLOAD_MAX_FILES", 10, minimum=1)
# A returning reporter's session ends after this long without activity.
WAYPOINT_REPORTER_IDLE_SECONDS = 30 * 60
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
WHITENOISE_ALLOW_ALL_ORIGINS = False
# Outside production, WhiteNoise serves straight from static/ (no collectstatic needed).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
# Evidence (encrypted before it is stored) lives in the database by default, so every app
# server behind the proxy reads the same files (ADR 0038); "filesystem" keeps it under
# WAYPOINT_MEDIA_ROOT for a single server.
_EVIDENCE_STORAGE = env_str("WAYPOINT_EVIDENCE_STORAGE", "database")
if _EVIDENCE_STORAGE not in {"database", "filesystem"}:
    raise ImproperlyConfigured("WAYPOINT_EVIDENCE_STORAGE must be database or filesystem.")
STORAGES = {
    "default": (
        {"BACKEND": "waypoint.privacy.blob_storage.DatabaseBlobStorage"}
        if _EVIDENCE_STORAGE == "database"
        else {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": env_path("WAYPOINT_MEDIA_ROOT", VAR_DIR / "media")},
        }
    ),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Development prints emails to the console, each recipient as a keyed digest
# (waypoint/privacy/mail.py): reporters' addresses do not belong in a server log.
_email_backend = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "waypoint.privacy.mail.DigestConsoleEmailBackend",
)
_email_options: dict[str, object] = {}
if _email_backend == "django.core.mail.backends.smtp.EmailBackend":
    _email_options = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 587, minimum=1),
        "username": env_str("EMAIL_HOST_USER", ""),
        "password": env_secret("EMAIL_HOST_PASSWORD") or "",
        "use_tls": env_bool("EMAIL_USE_TLS", default=True),
        # A hung mail server must not hold a worker's delivery for ever (it is retried).
        "timeout": env_int("EMAIL_TIMEOUT", 30, minimum=1),
    }
# Every email is queued, encrypted, and sent by the worker through "delivery", with
# retries (waypoint/worker/mail.py, ADR 0039).
MAILERS = {
    "default": {"BACKEND": "waypoint.worker.mail.QueuedEmailBackend"},
    "delivery": {"BACKEND": _email_backend, "OPTIONS": _email_options},
}
WAYPOINT_EMAIL_RETRY_SECONDS = env_int("WAYPOINT_EMAIL_RETRY_SECONDS", 30, minimum=0)
WAYPOINT_EMAIL_MAX_ATTEMPTS = env_int("WAYPOINT_EMAIL_MAX_ATTEMPTS", 10, minimum=1)

# --- Background work (ADR 0039) -----------------------------------------------------------
# "database": tasks wait in a table for `manage.py run_worker` (make run starts one; deploy
# runs it as its own service). "immediate": each task runs inside the request that made it,
# for the test suite or a deployment that cannot run a worker (schedule jobs with cron).
WAYPOINT_TASKS = env_choice("WAYPOINT_TASKS", ("database", "immediate"), "database")
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend"
        if WAYPOINT_TASKS == "database"
        else "django.tasks.backends.immediate.ImmediateBackend"
    }
}
WAYPOINT_WORKER_BEAT_SECONDS = env_int("WAYPOINT_WORKER_BEAT_SECONDS", 10, minimum=1)
# /readyz asks for attention when no worker has beaten its heart for this long.
WAYPOINT_WORKER_STALE_SECONDS = env_int("WAYPOINT_WORKER_STALE_SECONDS", 60, minimum=5)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "waypoint@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS: list[tuple[str, str]] = []  # error emails would carry request data; never send them

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("WAYPOINT_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

# --- Logging: no request bodies, no IP addresses, no user agents ---------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "waypoint.common.logs.PlainFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "json": {"()": "waypoint.common.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            # One JSON object per line in production (WAYPOINT_LOG_FORMAT=plain to read
            # by eye); plain text in development.
            "formatter": env_str("WAYPOINT_LOG_FORMAT", "json" if PRODUCTION else "plain"),
        }
    },
    "root": {"handlers": ["console"], "level": env_str("WAYPOINT_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's and gunicorn's access lines are not kept (they carry paths and query
        # strings); waypoint.request writes one line per request without them.
        "django.request": {"level": "ERROR"},
        "waypoint.request": {"level": env_str("WAYPOINT_REQUEST_LOG_LEVEL", "INFO")},
        "django.server": {"level": "WARNING"},
        "django.security": {"level": "WARNING"},
        # worker/task_log.py writes one line per task; Django's own lines repeat it.
        "django.tasks": {"level": "WARNING"},
        "django_tasks_db": {"level": "WARNING"},
        # WeasyPrint writes a line per layout step of every PDF export.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
