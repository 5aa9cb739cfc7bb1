"""Faults (issue 16): PostgreSQL goes away under load — every backend of the database is ended at once.

The closest safe equivalent of a server restart on a shared cluster: ``pg_terminate_backend`` over
``pg_stat_activity`` for every session of the test database (the cluster itself is not restarted). A loop
of writes (an API token per request, one transaction with its audit event) runs while a second thread
ends every backend again and again, and once exactly at a request's last write (the audit insert), so
that at least one transaction is cut in its middle. Every answer is a 201 or a problem-JSON 503 in
Chinese; nothing half-done remains (tokens created = 201s, one audit event per token); and once the cuts
stop, requests succeed again without restarting anything.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from django.db import close_old_connections, connection
from django.test import Client

from tests.factories import make_commission, make_staff, make_unit, make_user
from xiezuoqu.accounts.models import ApiToken
from xiezuoqu.accounts.roles import Role
from xiezuoqu.audit.models import AuditEvent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: ends the database's backends"),
]
AUDIT_TABLE = AuditEvent._meta.db_table
TERMINATE_ALL = (
    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


def _other() -> psycopg.Connection[Any]:
    return psycopg.connect(**connection.get_connection_params(), autocommit=True)


@pytest.fixture(autouse=True)
def _may_terminate() -> None:
    with _other() as other:
        row = other.execute(
            "SELECT rolsuper OR pg_has_role(current_user, 'pg_signal_backend', 'member') FROM pg_roles "
            "WHERE rolname = current_user"
        ).fetchone()
    if not row or not row[0]:
        pytest.skip("the test user may not end other sessions (needs superuser or pg_signal_backend)")


def _post(client: Client, n: int) -> Any:
    response = client.post(
        "/api/v1/accounts/tokens", json.dumps({"name": f"对接系统{n}"}), content_type="application/json"
    )
    # What Django's WSGI handler does at the end of every request (request_finished), and the test client
    # leaves out: a connection that failed and is no longer usable is closed, the next request opens one.
    close_old_connections()
    return response


def test_requests_survive_every_backend_being_ended_and_nothing_half_done_remains():
    unit = make_unit(make_commission())
    user = make_user(Role.TOWNSHIP_STAFF, unit=unit, staff=make_staff(unit), username="zhao")
    client = Client(raise_request_exception=False)
    client.force_login(user)
    tokens_before = ApiToken.objects.filter(user=user).count()
    events_before = AuditEvent.objects.filter(action__startswith="api_token").count()

    stop = threading.Event()
    ended: list[int] = []

    def terminator() -> None:
        with _other() as other:
            while not stop.is_set():
                ended.append(other.execute(TERMINATE_ALL).fetchone()[0])  # type: ignore[index]
                stop.wait(0.02)

    cut_mid_transaction: list[str] = []

    def hook(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if not cut_mid_transaction and sql.lstrip().upper().startswith("INSERT") and AUDIT_TABLE in sql:
            cut_mid_transaction.append(sql)
            with _other() as other:
                other.execute(TERMINATE_ALL)
        return execute(sql, params, many, context)

    statuses: list[int] = []

    def check(response: Any) -> None:
        statuses.append(response.status_code)
        if response.status_code != 201:
            assert response.status_code == 503, response.content[:500]
            assert response["Content-Type"] == "application/problem+json"
            body = json.loads(response.content)
            assert body["status"] == 503 and "未保存" in body["detail"]

    thread = threading.Thread(target=terminator)
    thread.start()
    try:
        for n in range(30):
            check(_post(client, n))
    finally:
        stop.set()
        thread.join()
    assert sum(ended) > 0 and 503 in statuses
    check(_post(client, 30))  # may still meet the connection the last cut ended
    # One request cut exactly at its last write, the audit insert: the whole transaction must go.
    with connection.execute_wrapper(hook):
        cut = _post(client, 31)
    check(cut)
    assert cut_mid_transaction and cut.status_code == 503, (statuses, cut.content[:300])

    after = [_post(client, 100 + n).status_code for n in range(5)]
    assert after == [201] * 5, "the app did not recover by itself"

    connection.close()
    created = statuses.count(201) + 5
    assert ApiToken.objects.filter(user=user).count() == tokens_before + created
    assert AuditEvent.objects.filter(action__startswith="api_token").count() == events_before + created
