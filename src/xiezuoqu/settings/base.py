"""Settings shared by every environment; everything that differs between deployments comes from
environment variables (see README, "Configuration")."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent  # src/xiezuoqu
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("XIEZUOQU_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-development-key-change-me-" + "x" * 30)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "xiezuoqu.org",
    "xiezuoqu.accounts",
    "xiezuoqu.access",
    "xiezuoqu.audit",
    "xiezuoqu.approvals",
    "xiezuoqu.workdays",
    "xiezuoqu.rulebook",
    "xiezuoqu.deadlines",
    "xiezuoqu.dedup",
    "xiezuoqu.intake",
    "xiezuoqu.clues",
    "xiezuoqu.recusal",
    "xiezuoqu.teams",
    "xiezuoqu.verification",
    "xiezuoqu.meetings",
    "xiezuoqu.filing",
    "xiezuoqu.cases",
    "xiezuoqu.sanctions",
    "xiezuoqu.precedents",
    "xiezuoqu.clearing",
    "xiezuoqu.archive",
    "xiezuoqu.inspections",
    "xiezuoqu.funds",
    "xiezuoqu.screening",
    "xiezuoqu.training",
    "xiezuoqu.backup",
    "xiezuoqu.public",
    "xiezuoqu.statistics",
    "xiezuoqu.demo",
    "xiezuoqu.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "xiezuoqu.rulebook.selectors.RulebookPerRequest",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "xiezuoqu.accounts.middleware.SessionGuardMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "xiezuoqu.web.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "xiezuoqu.urls"
WSGI_APPLICATION = "xiezuoqu.wsgi.application"

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
                "xiezuoqu.web.context.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
# SQLite in WAL mode under var/ is the embedded default; production sets DATABASE_URL to PostgreSQL.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'xiezuoqu.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of deadlocking.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts ---------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "org:chart"
LOGOUT_REDIRECT_URL = "accounts:login"

# The upload ceiling first: a file larger than any staff form takes is refused while it is parsed.
FILE_UPLOAD_HANDLERS = [
    "xiezuoqu.web.uploads.UploadCeilingHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

SESSION_ENGINE = "xiezuoqu.accounts.session_store"  # the db store; an unreachable database is a 503, not a 400
SESSION_COOKIE_AGE = 8 * 60 * 60  # a working day at most
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads it from the cookie-less header meta instead; see base.html

XIEZUOQU: dict[str, Any] = {
    # Roles whose users must pass TOTP at login ("all" = every role with staff access).
    "TOTP_REQUIRED_ROLES": env_list("XIEZUOQU_TOTP_REQUIRED_ROLES", ""),
    "LOCKOUT_THRESHOLD": int(os.environ.get("XIEZUOQU_LOCKOUT_THRESHOLD", "5")),
    "LOCKOUT_MINUTES": int(os.environ.get("XIEZUOQU_LOCKOUT_MINUTES", "15")),
    "IDLE_TIMEOUT": timedelta(minutes=int(os.environ.get("XIEZUOQU_IDLE_MINUTES", "30"))),
    # The audit chain's HMAC key lives outside the database (file or environment).
    "AUDIT_KEY_FILE": os.environ.get("XIEZUOQU_AUDIT_KEY_FILE", str(VAR_DIR / "audit.key")),
    "AUDIT_KEY": os.environ.get("XIEZUOQU_AUDIT_KEY", ""),
    # hmac-sha256 (default) or hmac-sm3 (GB/T 32905); each row records the algorithm it was signed with.
    "AUDIT_ALGORITHM": os.environ.get("XIEZUOQU_AUDIT_ALGORITHM", "hmac-sha256"),
    # Master key for field encryption (reporter identity, ID numbers): outside the database.
    "DATA_KEY": os.environ.get("XIEZUOQU_DATA_KEY", ""),
    "DATA_KEY_FILE": os.environ.get("XIEZUOQU_DATA_KEY_FILE", str(VAR_DIR / "data.key")),
    "KEYRING": os.environ.get("XIEZUOQU_KEYRING", "xiezuoqu.crypto.SoftwareKeyring"),
    "API_TOKEN_DAYS": int(os.environ.get("XIEZUOQU_API_TOKEN_DAYS", "365")),
}

# --- Tasks ----------------------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "ENQUEUE_ON_COMMIT": True,
    }
}

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["xiezuoqu.formats"]  # ISO first among the input formats (what <input type=date> reads)

# --- Static files ---------------------------------------------------------------------------------
MEDIA_ROOT = Path(os.environ.get("XIEZUOQU_MEDIA_ROOT", VAR_DIR / "media"))
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Security headers -----------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
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
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
