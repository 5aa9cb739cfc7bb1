"""Shared set-up of the benchmark scripts: Django on a throwaway database.

Without DATABASE_URL each script gets its own fresh SQLite file under var/bench/; with it (a
PostgreSQL database such as ``bench``), ``wipe`` flushes it first — never point it at real data.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(name: str, *, wipe: bool = False) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezuoqu.settings.dev")
    os.environ.setdefault("DEBUG", "0")  # as in production: no per-query logging
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
    os.environ.setdefault("XIEZUOQU_AUDIT_KEY", "bench-audit-key-not-a-secret-0123456789")
    os.environ.setdefault("XIEZUOQU_DATA_KEY", "bench-data-key-not-a-secret-0123456789")
    if not os.environ.get("DATABASE_URL"):
        bench_dir = ROOT / "var" / "bench"
        bench_dir.mkdir(parents=True, exist_ok=True)
        db = bench_dir / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    if wipe:
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
