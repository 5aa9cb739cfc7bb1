"""Helpers for the audit tests: actors, a quick way to append events, and a tamperer.

``tampering()`` plays the attacker who owns the database: it switches the append-only triggers off
(PostgreSQL: ``session_replication_role = replica``, which needs the superuser the tests run as;
SQLite: drops the triggers and recreates them afterwards) so that raw SQL can edit the log.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection

from tests.factories import make_commission, make_user
from xiezuoqu.access.actor import Actor, build_actor
from xiezuoqu.accounts.models import User
from xiezuoqu.accounts.roles import Role
from xiezuoqu.audit.guard import install_guards, remove_guards
from xiezuoqu.audit.models import AuditChainHead, AuditEvent
from xiezuoqu.audit.services import record_event
from xiezuoqu.org.models import Commission


@contextmanager
def tampering() -> Iterator[None]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")
    else:
        remove_guards(connection)
        try:
            yield
        finally:
            install_guards(connection)


def sql(statement: str, params: list[Any] | tuple[Any, ...] = ()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def head() -> tuple[int, str]:
    found = AuditChainHead.objects.filter(id=1).values_list("seq", "mac").first()
    return found if found is not None else (0, "0" * 64)


def append(actor: Actor | None, count: int, *, action: str = "test.recorded", **kwargs: Any) -> list[AuditEvent]:
    """Append ``count`` events, each in its own transaction (as requests do)."""
    return [
        record_event(
            actor=actor,
            action=action,
            target_type="test.thing",
            target_id=str(i),
            target_label=f"测试对象 {i}",
            changes={"state": ["draft", f"step{i}"]},
            detail={"n": i},
            **kwargs,
        )
        for i in range(count)
    ]


@pytest.fixture
def commission(db: None) -> Commission:
    return make_commission()


@pytest.fixture
def auditor(commission: Commission) -> User:
    return make_user(Role.AUDIT_ADMIN, commission=commission, username="auditor")


@pytest.fixture
def auditor_actor(auditor: User) -> Actor:
    return build_actor(auditor)


@pytest.fixture
def clerk(commission: Commission) -> User:
    """A staff member of the same commission whose actions fill the log."""
    return make_user(Role.CASE_MANAGER, commission=commission, username="clerk")


@pytest.fixture
def clerk_actor(clerk: User) -> Actor:
    return build_actor(clerk)
