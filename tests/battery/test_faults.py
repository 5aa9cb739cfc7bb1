"""Faults (issue 16): the database connection breaks in the middle of a request.

On a real database (no mock of it): a hook on the connection (``execute_wrapper``) lets the request's
service write its first rows, then, just before the audit event — the last write of the transaction — cuts
the connection: on PostgreSQL a second connection ends the request's backend with ``pg_terminate_backend``
(what a server restart or a network cut does); on SQLite the hook closes the request's database handle.
The answer must be clean — problem JSON 503 on the API, a Chinese 503 page on a page — and nothing of the
half-done transaction may remain: no token, no audit event. The next request works again (the connection
is opened anew without a restart).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.factories import make_commission, make_staff, make_unit, make_user
from xiezuoqu.accounts.models import ApiToken
from xiezuoqu.accounts.roles import Role
from xiezuoqu.audit.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)
AUDIT_TABLE = AuditEvent._meta.db_table


def cut() -> None:
    """Break the request's database connection from outside it."""
    if connection.vendor == "postgresql":
        import psycopg

        pid = connection.connection.info.backend_pid
        params = connection.get_connection_params()
        with psycopg.connect(**params, autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", [pid])
    else:
        connection.connection.close()


@contextmanager
def cut_before_the_audit_event() -> Iterator[list[str]]:
    cuts: list[str] = []

    def hook(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if not cuts and sql.lstrip().upper().startswith("INSERT") and AUDIT_TABLE in sql:
            cuts.append(sql)
            cut()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(hook):
        yield cuts


@pytest.fixture
def client_of_staff() -> Client:
    unit = make_unit(make_commission())
    user = make_user(Role.TOWNSHIP_STAFF, unit=unit, staff=make_staff(unit), username="zhao")
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_an_api_write_cut_off_mid_transaction_answers_503_problem_json_and_writes_nothing(client_of_staff):
    tokens, events = ApiToken.objects.count(), AuditEvent.objects.count()
    with cut_before_the_audit_event() as cuts:
        response = client_of_staff.post(
            "/api/v1/accounts/tokens", json.dumps({"name": "对接系统"}), content_type="application/json"
        )
    assert cuts, "the hook never saw the audit insert"
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    body = json.loads(response.content)
    assert body["status"] == 503 and "未保存" in body["detail"]
    assert ApiToken.objects.count() == tokens
    assert AuditEvent.objects.count() == events
    # the connection comes back by itself: the same write now succeeds, once
    response = client_of_staff.post(
        "/api/v1/accounts/tokens", json.dumps({"name": "对接系统"}), content_type="application/json"
    )
    assert response.status_code == 201
    assert ApiToken.objects.count() == tokens + 1


def test_a_page_write_cut_off_mid_transaction_answers_a_chinese_503_page_and_writes_nothing(client_of_staff):
    tokens, events = ApiToken.objects.count(), AuditEvent.objects.count()
    form = {"action": "token", "tk-name": "对接系统", "tk-days": "30"}
    with cut_before_the_audit_event() as cuts:
        response = client_of_staff.post(reverse("accounts:profile"), form)
    assert cuts, "the hook never saw the audit insert"
    assert response.status_code == 503
    page = response.content.decode()
    assert "服务暂时不可用" in page and "未保存任何内容" in page
    assert ApiToken.objects.count() == tokens
    assert AuditEvent.objects.count() == events
