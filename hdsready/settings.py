"""The one settings file of hdsready, read from the environment (see README, Configuration)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from hdsready.encryption import Keyring, KeyringError, parse_keyring
from hdsready.env import (
    database_from_url,
    development_key_file,
    env_bool,
    env_int,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("HDSREADY_VAR_DIR", str(BASE_DIR / "var")) or BASE_DIR / "var")

DEBUG = env_bool("DEBUG", False)

_secret = env_str("SECRET_KEY")
if not _secret:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (or set DEBUG=true for local development)."
        )
    _secret = "insecure-development-key-only-used-with-DEBUG-on"  # noqa: S105
SECRET_KEY: str = _secret

# The audit trail's chain is an HMAC under this key, kept outside the database (environment or
# TRAIL_KEY_FILE): someone who can write to the database but not read this key cannot rewrite a
# row and recompute the hashes after it. Its own key, not SECRET_KEY, so rotating the session
# signing key leaves the trail verifiable.
_trail_key = env_str("TRAIL_KEY")
if not _trail_key:
    if not DEBUG:
        raise ImproperlyConfigured(
            "TRAIL_KEY must be set when DEBUG is off: the audit trail is keyed with it "
            "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')."
        )
    _trail_key = "insecure-development-trail-key-only-used-with-DEBUG-on"
TRAIL_KEY: str = _trail_key

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "guardian",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "hdsready",
    "scopes",
    "evidence",
    "contracts",
    "sovereignty",
    "guarantees",
    "audits",
    "dossiers",
    "accessreviews",
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
    "hdsready.middleware.RequestContextMiddleware",
    "hdsready.middleware.RequireMFAMiddleware",
    "hdsready.middleware.EncryptionKeyErrorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

# The product's URLs; the page bench (bench/pages.py) serves them with its baseline page added.
ROOT_URLCONF = env_str("ROOT_URLCONF") or "hdsready.urls"

# Content-Security-Policy on every page: everything from this site only, no inline script or
# style (the templates have none; the API docs load their script as a file), no framing, forms
# posted here only. A page injected with markup can then run nothing.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
WSGI_APPLICATION = "hdsready.wsgi.application"

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
                "hdsready.context_processors.memberships",
                "hdsready.context_processors.notifications",
            ],
            # Django's `date` filter, with the French first of the month (hdsready/dates.py).
            "builtins": ["hdsready.templatetags.dates"],
        },
    },
]

# Database: PostgreSQL when DATABASE_URL is set, otherwise an embedded SQLite file so that
# `make run` works on a machine with nothing installed.
_database_url = env_str("DATABASE_URL")
if _database_url:
    DATABASES = {"default": database_from_url(_database_url)}
else:
    _sqlite_path = Path(env_str("SQLITE_PATH") or VAR_DIR / "hdsready.sqlite3")
    _sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": _sqlite_path,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "hdsready.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "hdsready:login"
LOGIN_REDIRECT_URL = "hdsready:home"
LOGOUT_REDIRECT_URL = "hdsready:login"

# django-guardian: no anonymous user row; object permissions are only granted to members.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# django-otp
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "hdsready")
OTP_TOTP_THROTTLE_FACTOR = env_int("OTP_TOTP_THROTTLE_FACTOR", 1)
OTP_STATIC_THROTTLE_FACTOR = env_int("OTP_STATIC_THROTTLE_FACTOR", 1)
MFA_BACKUP_CODE_COUNT = 10

# django-axes: login throttling against brute force.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "hdsready/lockout.html"
# A correct password is half a login: it must not wipe the wrong second-factor codes counted
# before it, or re-entering the password between tries would allow unlimited guesses. The count
# is cleared only once the second factor passes (hdsready.services.mfa.login_failures_clear).
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False

INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 7)

# Single sign-on (hdsready/services/sso.py): the organisations' OpenID Connect client secrets are
# stored encrypted under this key, which lives outside the database (SSO_SECRET_KEY_FILE too).
# Unset, it is SECRET_KEY; changing it means the officers enter their client secrets again.
SSO_SECRET_KEY: str = env_str("SSO_SECRET_KEY") or SECRET_KEY

# The REST API (/api/): bearer tokens for scripts, MFA-verified sessions for the browser.
REST_FRAMEWORK = {
    # The token class comes first: a request without credentials then gets a 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "hdsready.api_auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["hdsready.api_auth.IsVerified"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["hdsready.api_edge.TextJSONParser"],
    "DEFAULT_METADATA_CLASS": "hdsready.api_edge.DescriptionMetadata",
    "DEFAULT_SCHEMA_CLASS": "hdsready.api_schema.ErrorsAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "hdsready API",
    "VERSION": "1.0.0",
    "DESCRIPTION": _(
        "Scope, certificates, Statement of Applicability and readiness of the organisations "
        "you are a member of. Authenticate with a personal API token (Authorization: Bearer)."
    ),
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["hdsready.api_auth.IsVerified"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Fields of the same name with other choices ("kind", "status"): every set keeps its name.
    "ENUM_NAME_OVERRIDES": {
        "KindEnum": "scopes.models.CertificateKind",
        "CertificateStatusEnum": "scopes.models.CertificateStatus",
        "CertificateDecisionEnum": "scopes.models.CERTIFICATE_DECISIONS",
        "StatusEnum": "scopes.models.ReadinessStatus",
        "EvidenceKindEnum": "evidence.models.EvidenceKind",
        "EvidenceStatusEnum": "evidence.models.EvidenceStatus",
        "AuditKindEnum": "audits.models.AuditKind",
        "AuditStatusEnum": "audits.models.AuditStatus",
        "FindingKindEnum": "audits.models.FindingKind",
        "FindingStatusEnum": "audits.models.FindingStatus",
        "DossierKindEnum": "dossiers.models.DossierKind",
        "DossierStatusEnum": "dossiers.models.DossierStatus",
    },
    # Tags and operation ids from the part after the organisation: "scope", "soa", ...
    "SCHEMA_PATH_PREFIX": r"/api/(o/\{slug\}/)?",
    # Swagger UI from the installed package, not from a CDN: the docs work offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Internationalisation: French first, English second.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Paris"
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")) or VAR_DIR / "media")
# Uploads stream to temporary files while hashed (evidence/uploads.py); past UPLOAD_MAX_BYTES a
# file is dropped as soon as it crosses the limit.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 200) * 1024 * 1024
FILE_UPLOAD_HANDLERS = ["evidence.uploads.HashingUploadHandler"]
FILE_UPLOAD_TEMP_DIR = env_str("FILE_UPLOAD_TEMP_DIR") or None

# Stored files (evidence, dossiers) are encrypted at rest (hdsready/encryption.py) with keys kept
# outside the database: EVIDENCE_KEYS (or EVIDENCE_KEYS_FILE), `id:base64` entries, the first
# current, the others still read until `manage.py storage_reencrypt` moves their files to it.
# With DEBUG on and no key set, one is made once in var/evidence-keys (so `make run` works).
_evidence_keys = env_str("EVIDENCE_KEYS")
if not _evidence_keys:
    if not DEBUG:
        raise ImproperlyConfigured(
            "EVIDENCE_KEYS must be set when DEBUG is off: stored files are encrypted with it "
            "(e.g. python -c 'import base64, os; "
            'print("k1:" + base64.b64encode(os.urandom(32)).decode())\').'
        )
    _evidence_keys = development_key_file(VAR_DIR / "evidence-keys")
try:
    EVIDENCE_KEYS: Keyring = parse_keyring(_evidence_keys)
except KeyringError as exc:
    raise ImproperlyConfigured(str(exc)) from None

# Evidence files: local disk by default; S3-compatible object storage with STORAGE_BACKEND=s3
# (django-storages, `pip install django-storages[s3]`, AWS_* variables as django-storages reads).
_storage_backend = env_str("STORAGE_BACKEND", "filesystem")
if _storage_backend == "filesystem":
    _default_storage: dict[str, object] = {
        "BACKEND": "hdsready.storage.EncryptedFileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "file_permissions_mode": 0o640},
    }
elif _storage_backend == "s3":
    _default_storage = {
        "BACKEND": "hdsready.storage.s3.EncryptedS3Storage",
        "OPTIONS": {
            "bucket_name": env_str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL"),
            "region_name": env_str("AWS_S3_REGION_NAME"),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    raise ImproperlyConfigured(f"STORAGE_BACKEND={_storage_backend!r}: use filesystem or s3.")
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# E-mail (Django 6.1 MAILERS): SMTP in production; the console in development. MAIL_BACKEND
# picks another backend, e.g. "file" (files under EMAIL_FILE_PATH) for a worker under test.
_mail_backend = env_str("MAIL_BACKEND", "console" if DEBUG else "smtp")
if _mail_backend == "smtp":
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("EMAIL_HOST", "localhost"),
                "port": env_int("EMAIL_PORT", 25),
                "username": env_str("EMAIL_HOST_USER", ""),
                "password": env_str("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
                "timeout": 30,
            },
        }
    }
elif _mail_backend == "file":
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))},
        }
    }
elif _mail_backend == "console":
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    raise ImproperlyConfigured(f"MAIL_BACKEND={_mail_backend!r}: use smtp, file or console.")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "hdsready <no-reply@localhost>")
# Absolute links in e-mails (invitations) need the public address of the app.
SITE_URL = (env_str("SITE_URL", "http://127.0.0.1:8000") or "").rstrip("/")

# Passkeys and security keys (django-otp-webauthn), a second factor only: never a password-less
# login. A passkey is bound to the relying party id, a host name (browsers refuse an IP address):
# by default the host of SITE_URL, "localhost" for 127.0.0.1. Changing it later orphans every
# passkey enrolled. The browser's origin must be an allowed origin, https or http://localhost
# (phishing resistance: a look-alike site gets a signature the server refuses).
_site = urlsplit(SITE_URL)
_site_host = _site.hostname or "localhost"
_rp_host = "localhost" if _site_host == "127.0.0.1" else _site_host
_origin_scheme = "http" if _rp_host == "localhost" else "https"
OTP_WEBAUTHN_RP_ID = env_str("OTP_WEBAUTHN_RP_ID", _rp_host) or _rp_host
OTP_WEBAUTHN_RP_NAME = env_str("OTP_WEBAUTHN_RP_NAME", "hdsready") or "hdsready"
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list(
    "OTP_WEBAUTHN_ALLOWED_ORIGINS",
    [f"{_origin_scheme}://{_rp_host}" + (f":{_site.port}" if _site.port else "")],
)
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_HELPER_CLASS = "hdsready.services.passkeys.PasskeyHelper"
# How long a challenge handed to the browser stays good (it is also used once only).
OTP_WEBAUTHN_TIMEOUT_SECONDS = env_int("OTP_WEBAUTHN_TIMEOUT_SECONDS", 300)

# Celery: Redis when CELERY_BROKER_URL is set; without it tasks run in-process so the app works
# on a bare machine. The beat schedule is static on purpose (no django-celery-beat).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL or env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
# The app reads no task's result (tasks write what they do to the database). Kept, every send
# would subscribe the sending process to the result's channel in Redis, one channel per task
# never read; and with Redis down, that subscription fails after its own retries and leaves
# the process unable to send until it is restarted.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker that loses Redis keeps reconnecting until it is back, however long that takes.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# No task is lost with its worker: a message is acknowledged once its task has run, a task whose
# pool process died (SIGKILL, the OOM killer) goes back to the queue, and a message a killed
# worker held is delivered again after CELERY_VISIBILITY_TIMEOUT seconds. That must exceed the
# longest task (a dossier layout stops at 660 s), or a running task is delivered a second time.
# Tasks are idempotent, so a second delivery does nothing twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
}
# Days before a stored deadline (correction window, planned audit, certificate expiry,
# evidence review, auditor access) when a reminder goes out; one more once the date has passed.
REMINDER_OFFSET_DAYS = tuple(
    int(d) for d in env_list("REMINDER_OFFSET_DAYS", ["30", "14", "7", "1"])
)
# Dossier PDFs: units are laid out in this many parallel batches (one per worker process is
# right), and a dossier still in flight after the timeout is marked failed so it can be retried.
DOSSIER_RENDER_BATCHES = env_int("DOSSIER_RENDER_BATCHES", 2)
DOSSIER_TIMEOUT_MINUTES = env_int("DOSSIER_TIMEOUT_MINUTES", 15)
HDSREADY_VERSION = "0.1.0"
CELERY_BEAT_SCHEDULE = {
    "outbox-relay-every-minute": {
        "task": "hdsready.tasks.outbox_relay",
        "schedule": crontab(),
    },
    "dossiers-stale-every-5-minutes": {
        "task": "dossiers.tasks.dossiers_stale_sweep_task",
        "schedule": crontab(minute="*/5"),
    },
    "trail-verify-nightly": {
        "task": "hdsready.tasks.trail_verify",
        "schedule": crontab(hour=3, minute=17),
    },
    "correction-windows-every-15-minutes": {
        "task": "audits.tasks.correction_windows_sweep",
        "schedule": crontab(minute="*/15"),
    },
    "invitations-expire-hourly": {
        "task": "hdsready.tasks.invitations_expire",
        "schedule": crontab(minute=5),
    },
    "auditor-access-sweep-hourly": {
        "task": "audits.tasks.auditor_access_sweep",
        "schedule": crontab(minute=35),
    },
    "reminders-daily": {
        "task": "audits.tasks.reminders_sweep_task",
        "schedule": crontab(hour=7, minute=0),
    },
    # Access reviews past their due date, or not opened within the interval (accessreviews/).
    "access-review-reminders-daily": {
        "task": "accessreviews.tasks.access_review_reminders_task",
        "schedule": crontab(hour=7, minute=10),
    },
}

# Security: secure defaults whenever DEBUG is off (`manage.py check --deploy` is clean).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Take the client address from X-Forwarded-For only behind a proxy that sets it.
TRAIL_TRUST_X_FORWARDED_FOR = env_bool("TRAIL_TRUST_X_FORWARDED_FOR", False)
# Signed checkpoints of the trail's head, outside the database: a truncated tail shows against
# the last one. Keep this directory on other storage than the database's (or copy it off-site).
TRAIL_CHECKPOINT_DIR = Path(env_str("TRAIL_CHECKPOINT_DIR") or VAR_DIR / "trail-checkpoints")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint reports every layout step at INFO, pikepdf its start: only warnings matter.
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "pikepdf": {"level": "WARNING"},
        # Tasks run in-process (no broker): a line per task and kombu's "no hostname" warning
        # are noise in the terminal of `make run` and its seeds; a real worker logs both.
        **(
            {"celery.app.trace": {"level": "WARNING"}, "kombu.connection": {"level": "ERROR"}}
            if CELERY_TASK_ALWAYS_EAGER
            else {}
        ),
    },
}
