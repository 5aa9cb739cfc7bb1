"""The database refuses to change or remove audit records (triggers, on SQLite and PostgreSQL).

UPDATE and DELETE of an event are refused, however they are issued; the chain head moves only
forward, onto a row that exists. Only emptying the whole database (``flush``/TRUNCATE) removes the log.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from xiezuoqu.audit.guard import MESSAGE
from xiezuoqu.audit.models import AuditChainHead, AuditEvent
from xiezuoqu.audit.verify import verify_chain

from .conftest import append, head, sql

pytestmark = pytest.mark.django_db


def test_the_guards_are_in_place_after_all_migrations():
    """A migration that rebuilds the table (SQLite's way to alter a column) would drop them."""
    if connection.vendor == "postgresql":
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgrelid::regclass::text LIKE 'audit_%%'"
        expected = {"audit_auditevent_append_only", "audit_auditchainhead_forward_only"}
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name LIKE 'audit_%'"
        expected = {
            "audit_auditevent_no_update",
            "audit_auditevent_no_delete",
            "audit_auditchainhead_forward_only",
            "audit_auditchainhead_no_delete",
        }
    with connection.cursor() as cursor:
        cursor.execute(query)
        assert {name for (name,) in cursor.fetchall()} == expected


@pytest.fixture
def events(clerk_actor) -> list[AuditEvent]:
    return append(clerk_actor, 3)


def refused(action) -> str:  # type: ignore[no-untyped-def]
    """Run ``action`` in a savepoint and return the database's refusal message."""
    with pytest.raises(IntegrityError) as refusal, transaction.atomic():
        action()
    return str(refusal.value)


def test_saving_a_changed_event_is_refused(events):
    event = AuditEvent.objects.get(seq=events[1].seq)
    event.actor_name = "someone-else"
    assert MESSAGE in refused(lambda: event.save(update_fields=["actor_name"]))


def test_a_queryset_update_is_refused(events):
    assert MESSAGE in refused(lambda: AuditEvent.objects.filter(seq=events[0].seq).update(outcome="refused"))


def test_deleting_an_event_is_refused(events):
    event = AuditEvent.objects.get(seq=events[2].seq)
    assert MESSAGE in refused(event.delete)
    assert MESSAGE in refused(lambda: AuditEvent.objects.filter(seq__lte=events[2].seq).delete())


def test_raw_sql_is_refused_too(events):
    assert MESSAGE in refused(lambda: sql("UPDATE audit_auditevent SET detail = '{}' WHERE seq = %s", [events[0].seq]))
    assert MESSAGE in refused(lambda: sql("DELETE FROM audit_auditevent WHERE seq = %s", [events[0].seq]))


def test_the_head_cannot_be_moved_back_pointed_elsewhere_or_deleted(events):
    assert refused(lambda: AuditChainHead.objects.filter(id=1).update(seq=events[0].seq, mac=events[0].mac))
    assert refused(lambda: AuditChainHead.objects.filter(id=1).update(seq=events[-1].seq + 5, mac="a" * 64))
    assert refused(lambda: AuditChainHead.objects.filter(id=1).delete())


def test_after_the_refusals_the_log_is_unchanged_and_verifies(events):
    refused(lambda: AuditEvent.objects.filter(seq=events[0].seq).update(outcome="refused"))
    refused(lambda: AuditEvent.objects.filter(seq=events[0].seq).delete())
    assert head() == (events[-1].seq, events[-1].mac)
    assert verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_flushing_the_whole_database_empties_the_log_with_everything_else(clerk_actor):
    append(clerk_actor, 3)
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists() and not AuditChainHead.objects.exists()
    append(None, 2)  # a fresh chain starts at 1
    assert head()[0] == 2 and verify_chain().ok
