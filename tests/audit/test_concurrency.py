"""Concurrent appends queue on the chain head: the chain stays gap-free and verifies.

Real threads with their own database connections. On PostgreSQL the head row lock serialises them;
on SQLite the IMMEDIATE transaction mode does (the write lock is taken at BEGIN).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from django.db import OperationalError, connection, transaction

from xiezuoqu.access.actor import Actor
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.audit.services import record_event
from xiezuoqu.audit.verify import verify_chain

PER_THREAD = 25
ROOT = Path(__file__).resolve().parents[2]


def append_one(actor: Actor, i: int) -> None:
    """One append in its own transaction, waiting out SQLite's shared-cache table lock.

    The SQLite test database is Django's in-memory database in shared-cache mode, where a second
    writer gets SQLITE_LOCKED at once instead of waiting for the busy timeout. The attempt rolled
    back entirely, so retrying it is that wait; a file database (production, and the test below)
    simply waits.
    """
    shared_cache = connection.vendor == "sqlite" and connection.is_in_memory_db()  # type: ignore[attr-defined]
    for _ in range(2000):
        try:
            with transaction.atomic():
                record_event(actor=actor, action="test.concurrent", target_type="test.thing", target_id=str(i))
            return
        except OperationalError as exc:
            if not (shared_cache and "locked" in str(exc)):
                raise
            time.sleep(0.002)
    raise AssertionError("SQLite lock never released")


def writer(name: str, start: threading.Barrier, errors: list[BaseException]) -> None:
    actor = Actor(user_id=None, username=name, commission_id=None, roles=frozenset())
    try:
        start.wait(timeout=10)
        for i in range(PER_THREAD):
            append_one(actor, i)
    except BaseException as exc:  # reported by the main thread
        errors.append(exc)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_two_threads_appending_at_once_produce_one_valid_gap_free_chain():
    start = threading.Barrier(2)
    errors: list[BaseException] = []
    threads = [threading.Thread(target=writer, args=(name, start, errors)) for name in ("甲", "乙")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, 2 * PER_THREAD + 1))
    assert set(AuditEvent.objects.values_list("actor_name", flat=True)) == {"甲", "乙"}
    result = verify_chain()
    assert result.ok, result.problem
    assert result.rows_checked == 2 * PER_THREAD


FILE_DATABASE_SCRIPT = textwrap.dedent(
    """
    import threading
    import django
    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from xiezuoqu.access.actor import Actor
    from xiezuoqu.audit.services import record_event
    from xiezuoqu.audit.verify import verify_chain
    from xiezuoqu.audit.models import AuditEvent

    call_command("migrate", verbosity=0)
    start = threading.Barrier(2)
    errors = []

    def writer(name):
        actor = Actor(user_id=None, username=name, commission_id=None, roles=frozenset())
        try:
            start.wait(timeout=10)
            for i in range({per_thread}):
                with transaction.atomic():
                    record_event(actor=actor, action="test.concurrent", target_id=str(i))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("甲", "乙")]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors, errors
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, 2 * {per_thread} + 1)), seqs
    result = verify_chain()
    assert result.ok, result.problem
    print("ok", result.rows_checked)
    """
)


def test_on_a_sqlite_file_database_writers_simply_wait_for_each_other(tmp_path):
    """The production SQLite setup (a WAL file, IMMEDIATE transactions, a busy timeout): no retries."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only; the PostgreSQL run covers its own locking above")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "xiezuoqu.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'concurrency.sqlite3'}",
        "XIEZUOQU_VAR_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-c", FILE_DATABASE_SCRIPT.format(per_thread=PER_THREAD)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == f"ok {2 * PER_THREAD}"
