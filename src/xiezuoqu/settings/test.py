"""The test suite: the real databases (SQLite by default, PostgreSQL with DATABASE_URL), fast hashing."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import STORAGES, XIEZUOQU

# Argon2 still, with cheap parameters so that a hundred demo users hash in milliseconds.
PASSWORD_HASHERS = ["xiezuoqu.accounts.hashers.TestArgon2PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
_tmp = Path(tempfile.mkdtemp(prefix="xiezuoqu-test-"))
XIEZUOQU = {
    **XIEZUOQU,
    "AUDIT_KEY": "test-audit-key-0123456789abcdef",
    "AUDIT_KEY_FILE": str(_tmp / "audit.key"),
    "DATA_KEY": "test-data-key-0123456789abcdef-0123456789",
}

# Serve static files straight from the apps (no collectstatic needed outside production).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# A file, not SQLite's shared in-memory database: concurrency tests then see the real locking (WAL,
# IMMEDIATE transactions and the busy timeout) that production SQLite deployments get.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(_tmp / "test.sqlite3")}  # noqa: F405
