"""The database refuses to change or remove audit records (triggers on PostgreSQL and SQLite).

The hash chain *detects* tampering; these triggers *prevent* the ordinary kind: an ORM ``update()``
or ``delete()``, a hand-typed ``UPDATE`` in a database console. The chain head may only move forward,
and only onto a row that exists with that MAC. Whoever owns the database can still drop the
triggers — that is what ``xiezuoqu audit verify`` is for.

Wiping the whole database stays possible: ``TRUNCATE`` (PostgreSQL's ``flush``) fires no row
triggers, and on SQLite, where ``flush`` deletes row by row, the audit app's ``flush`` command opens
the guard for its own thread (``wiping_database``). SQLite consults the guard through the function
``xzq_audit_sealed()`` that every Django connection registers; a console without it cannot delete.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

MESSAGE = "审计记录只能追加，不能修改或删除"
HEAD_MESSAGE = "审计链头只能随新记录前移，不能回退、改写或删除"

_state = threading.local()


@contextmanager
def wiping_database() -> Iterator[None]:
    """Let this thread delete audit rows on SQLite, for the length of a whole-database flush."""
    _state.wiping = True
    try:
        yield
    finally:
        _state.wiping = False


def sealed() -> int:
    """1 while the log is sealed (always, except inside ``wiping_database`` on this thread)."""
    return 0 if getattr(_state, "wiping", False) else 1


def register_sqlite_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: give each SQLite connection the guard function."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("xzq_audit_sealed", 0, sealed)


POSTGRESQL_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION USING
            MESSAGE = '{MESSAGE}（' || TG_OP || ' seq=' || OLD.seq || '）',
            ERRCODE = 'restrict_violation';
    END
    $$
    """,
    """
    CREATE TRIGGER audit_auditevent_append_only
        BEFORE UPDATE OR DELETE ON audit_auditevent
        FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()
    """,
    f"""
    CREATE OR REPLACE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE'
           OR NEW.seq <= OLD.seq
           OR NOT EXISTS (SELECT 1 FROM audit_auditevent e WHERE e.seq = NEW.seq AND e.mac = NEW.mac) THEN
            RAISE EXCEPTION '{HEAD_MESSAGE}' USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER audit_auditchainhead_forward_only
        BEFORE UPDATE OR DELETE ON audit_auditchainhead
        FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only()
    """,
]

POSTGRESQL_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_auditchainhead_forward_only ON audit_auditchainhead",
    "DROP FUNCTION IF EXISTS audit_head_forward_only()",
    "DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent",
    "DROP FUNCTION IF EXISTS audit_refuse_change()",
]

SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent
    WHEN xzq_audit_sealed()
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER audit_auditchainhead_forward_only BEFORE UPDATE ON audit_auditchainhead
    WHEN NEW.seq <= OLD.seq
      OR NOT EXISTS (SELECT 1 FROM audit_auditevent e WHERE e.seq = NEW.seq AND e.mac = NEW.mac)
    BEGIN SELECT RAISE(ABORT, '{HEAD_MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER audit_auditchainhead_no_delete BEFORE DELETE ON audit_auditchainhead
    WHEN xzq_audit_sealed()
    BEGIN SELECT RAISE(ABORT, '{HEAD_MESSAGE}'); END
    """,
]

SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_auditchainhead_no_delete",
    "DROP TRIGGER IF EXISTS audit_auditchainhead_forward_only",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
]


def _statements(vendor: str, *, install: bool) -> list[str]:
    if vendor == "postgresql":
        return POSTGRESQL_INSTALL if install else POSTGRESQL_REMOVE
    if vendor == "sqlite":
        return SQLITE_INSTALL if install else SQLITE_REMOVE
    return []


def install_guards(connection: Any) -> None:
    """Create the append-only triggers on this connection's database (PostgreSQL, SQLite)."""
    with connection.cursor() as cursor:
        for statement in _statements(connection.vendor, install=True):
            cursor.execute(statement)


def remove_guards(connection: Any) -> None:
    with connection.cursor() as cursor:
        for statement in _statements(connection.vendor, install=False):
            cursor.execute(statement)
