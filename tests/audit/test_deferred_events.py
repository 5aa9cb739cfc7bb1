"""``deferred_events``: the events recorded in the block are written together as it ends, in the
same transaction as the change — gap-free, sealed to each other, verifiable — and only those whose
savepoint did not roll back; an exception drops them with the change."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.audit.services import deferred_events, record_event
from xiezuoqu.audit.verify import verify_chain

from .conftest import head

pytestmark = pytest.mark.django_db


def _actions(after_seq: int) -> list[str]:
    return list(AuditEvent.objects.filter(seq__gt=after_seq).order_by("seq").values_list("action", flat=True))


def test_events_wait_for_the_end_of_the_block_and_are_written_in_order(clerk_actor):
    start, _ = head()
    with deferred_events():
        first = record_event(actor=clerk_actor, action="test.first", target_type="t", target_id="1")
        record_event(actor=clerk_actor, action="test.second", target_type="t", target_id="2")
        record_event(actor=clerk_actor, action="test.third", target_type="t", target_id="3")
        assert AuditEvent.objects.filter(seq__gt=start).count() == 0  # buffered, the head is not locked
        assert first.pk is None
    assert _actions(start) == ["test.first", "test.second", "test.third"]
    stored = list(AuditEvent.objects.filter(seq__gt=start).order_by("seq"))
    assert [e.seq for e in stored] == [start + 1, start + 2, start + 3]
    for earlier, later in itertools.pairwise(stored):
        assert later.prev_mac == earlier.mac
    assert first.pk == stored[0].pk and first.seq == start + 1 and first.mac == stored[0].mac
    assert head() == (start + 3, stored[-1].mac)
    assert verify_chain().ok


def test_the_events_go_in_with_one_insert(clerk_actor):
    with CaptureQueriesContext(connection) as ctx, deferred_events():
        for i in range(5):
            record_event(actor=clerk_actor, action="test.many", target_type="t", target_id=str(i))
    inserts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith('INSERT INTO "audit_auditevent"')]
    assert len(inserts) == 1


def test_an_exception_drops_the_events_with_the_change(clerk_actor, commission):
    start = head()
    name = commission.name
    with pytest.raises(RuntimeError), deferred_events():
        commission.name = "改过的名称"
        commission.save(update_fields=["name"])
        record_event(actor=clerk_actor, action="test.lost", target=commission)
        raise RuntimeError
    commission.refresh_from_db()
    assert commission.name == name
    assert head() == start


def test_an_event_inside_a_rolled_back_savepoint_is_not_written(clerk_actor):
    start, _ = head()
    with deferred_events():
        record_event(actor=clerk_actor, action="test.kept", target_type="t", target_id="1")
        try:
            with transaction.atomic():
                record_event(actor=clerk_actor, action="test.undone", target_type="t", target_id="2")
                raise ValueError
        except ValueError:
            pass
        with transaction.atomic():
            record_event(actor=clerk_actor, action="test.released", target_type="t", target_id="3")
    assert _actions(start) == ["test.kept", "test.released"]
    assert verify_chain().ok


def test_nested_blocks_join_the_outer_one(clerk_actor):
    start, _ = head()
    with deferred_events():
        record_event(actor=clerk_actor, action="test.outer", target_type="t", target_id="1")
        with deferred_events():
            record_event(actor=clerk_actor, action="test.inner", target_type="t", target_id="2")
        assert _actions(start) == []
        with pytest.raises(ValueError), deferred_events():
            record_event(actor=clerk_actor, action="test.inner_failed", target_type="t", target_id="3")
            raise ValueError
    assert _actions(start) == ["test.outer", "test.inner"]


def test_outside_a_block_events_are_appended_at_once(clerk_actor):
    start, _ = head()
    with transaction.atomic():
        record_event(actor=clerk_actor, action="test.now", target_type="t", target_id="1")
        assert _actions(start) == ["test.now"]
