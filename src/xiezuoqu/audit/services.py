"""Writing to the audit chain. Call inside the transaction of the change being recorded."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, router, transaction
from django.http import HttpRequest
from django.utils import timezone

from .chain import GENESIS, Signer, configured_algorithm
from .models import AuditChainHead, AuditEvent

if TYPE_CHECKING:
    from xiezuoqu.access.actor import Actor


def jsonable(value: Any) -> Any:
    """Values exactly as they will read back from the JSON column, so the MAC verifies later.

    Dates, decimals and UUIDs become strings (``DjangoJSONEncoder``). What PostgreSQL's ``jsonb``
    would store or print differently from Python is normalised here, before signing: ``-0.0`` becomes
    0.0 (``jsonb`` has no negative zero); a float that Python writes with an exponent becomes an
    integer when it is integral (``1e+16``) and its text otherwise (``"1.5e-07"``: ``jsonb`` would
    print ``0.00000015``); non-finite floats become their text (``jsonb`` refuses them); NUL
    characters and lone surrogates become U+FFFD (``clean_text``).
    """
    return _normalise(json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)))


def clean_text(text: str) -> str:
    """Text both databases store as given: NUL and lone surrogates (which neither accepts, and which
    an API client can send as JSON escapes) become U+FFFD."""
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    try:
        text.encode()
    except UnicodeEncodeError:
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def _normalise(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return repr(value)
        if value == 0:
            return 0.0
        text = repr(value)
        if "e" in text:
            return int(value) if value.is_integer() else text
        return value
    if isinstance(value, dict):
        return {_normalise(key): _normalise(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normalise(item) for item in value]
    return value


def client_address(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    # Behind the reverse proxy the first X-Forwarded-For entry is the client (set by our proxy only).
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        return clean_text(forwarded.split(",")[0].strip())[:64]
    return clean_text(str(request.META.get("REMOTE_ADDR", "")))[:64]


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Field values before a change, for ``diff``. Foreign keys are read by their ``_id`` column."""
    result = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        result[name] = getattr(instance, attname)
    return result


def diff(before: Mapping[str, Any], instance: models.Model) -> dict[str, list[Any]]:
    """Changed fields as ``{field: [old, new]}`` given a ``snapshot`` taken before the change."""
    after = snapshot(instance, before.keys())
    return {name: [before[name], after[name]] for name in before if before[name] != after[name]}


def record_event(
    *,
    actor: Actor | None,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    target_label: str = "",
    outcome: str = AuditEvent.Outcome.ALLOWED,
    changes: Mapping[str, Any] | None = None,
    detail: Mapping[str, Any] | None = None,
    request: HttpRequest | None = None,
    commission_id: int | None = None,
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction (so it commits or rolls back with it).

    ``action`` is a dotted name (``zone.membership_added``); ``changes`` maps field → [old, new].
    """
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
        target_label = target_label or str(target)
        commission_id = commission_id or getattr(target, "commission_id", None)
    if actor is not None and commission_id is None:
        commission_id = actor.commission_id
    # Everything that needs no lock is prepared first: the head lock serialises all appends.
    fields = {
        "commission_id": commission_id,
        "actor_id": actor.user_id if actor else None,
        "actor_name": clean_text(actor.username if actor else "")[:150],
        "role": (actor.primary_role if actor else "")[:30],
        "action": clean_text(action)[:80],
        "target_type": clean_text(target_type)[:80],
        "target_id": clean_text(str(target_id))[:64],
        "target_label": clean_text(target_label)[:200],
        "outcome": outcome,
        "changes": jsonable(dict(changes or {})),
        "detail": jsonable(dict(detail or {})),
        "client_address": client_address(request),
        "algorithm": configured_algorithm(),
    }
    return _append(fields)


@lru_cache(maxsize=8)
def _statements(alias: str) -> tuple[str, str, str, str, list[models.Field[Any, Any]]]:
    """The append's four SQL statements for one database, built once from the models' metadata.

    The append runs on every write and every sensitive read, so it talks to the cursor directly:
    the ORM's query building cost more than the three statements themselves (bench/bench_audit.py).
    """
    connection = connections[alias]
    quote = connection.ops.quote_name
    head = quote(AuditChainHead._meta.db_table)
    table = quote(AuditEvent._meta.db_table)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    select_head = f"SELECT {quote('seq')}, {quote('mac')} FROM {head} WHERE {quote('id')} = 1{lock}"
    create_head = (
        f"INSERT INTO {head} ({quote('id')}, {quote('seq')}, {quote('mac')}) VALUES (1, 0, %s) "
        f"ON CONFLICT ({quote('id')}) DO NOTHING"
    )
    fields = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
    returning = (
        f" RETURNING {quote(AuditEvent._meta.pk.column)}" if connection.features.can_return_columns_from_insert else ""
    )
    insert = (
        f"INSERT INTO {table} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}){returning}"
    )
    move_head = f"UPDATE {head} SET {quote('seq')} = %s, {quote('mac')} = %s WHERE {quote('id')} = 1"
    return select_head, create_head, insert, move_head, fields


def _append(fields: dict[str, Any]) -> AuditEvent:
    """Append one event now, or buffer it when a ``deferred_events`` block is open on this database."""
    alias = router.db_for_write(AuditEvent)
    connection = connections[alias]
    batch: _Batch | None = getattr(connection, _BATCH_ATTR, None)
    if batch is not None and connection.in_atomic_block:
        return batch.add(fields)
    return _append_all(alias, [AuditEvent(**fields)])[0]


def _append_all(alias: str, events: list[AuditEvent]) -> list[AuditEvent]:
    """Lock the chain head, seal the events one to the next from it, write them in one INSERT, move
    the head. The events' ``seq``, ``occurred_at``, ``prev_mac``, ``mac`` and ``pk`` are set in place."""
    if not events:
        return events
    connection = connections[alias]
    select_head, create_head, insert, move_head, columns = _statements(alias)
    signer = Signer()
    # No savepoint of our own: if the append fails, the caller's transaction fails with it.
    with transaction.atomic(using=alias, savepoint=False), connection.cursor() as cursor:
        cursor.execute(select_head)
        head = cursor.fetchone()
        if head is None:  # the first event of a new database (or after a flush)
            cursor.execute(create_head, [GENESIS])
            cursor.execute(select_head)
            head = cursor.fetchone()
        seq, prev_mac = head
        now = timezone.now()
        params: list[Any] = []
        for event in events:
            seq += 1
            event.seq, event.occurred_at, event.prev_mac = seq, now, prev_mac
            event.mac = prev_mac = signer.event_mac(event)
            params += [f.get_db_prep_save(getattr(event, f.attname), connection) for f in columns]
        if len(events) == 1:
            cursor.execute(insert, params)
            if cursor.description:
                events[0].pk = cursor.fetchone()[0]
        else:
            cursor.execute(_insert_many(alias, len(events)), params)
            if cursor.description:
                ids = {seq_: pk for pk, seq_ in cursor.fetchall()}
                for event in events:
                    event.pk = ids[event.seq]
        if not cursor.description:  # no RETURNING: the rows took consecutive ids in our transaction
            last = connection.ops.last_insert_id(cursor, AuditEvent._meta.db_table, AuditEvent._meta.pk.column)
            for offset, event in enumerate(reversed(events)):
                event.pk = last - offset
        cursor.execute(move_head, [seq, prev_mac])
    for event in events:
        event._state.adding = False
        event._state.db = alias
    return events


@lru_cache(maxsize=64)
def _insert_many(alias: str, count: int) -> str:
    """The append's INSERT for ``count`` rows at once, returning each row's id with its seq."""
    quote = connections[alias].ops.quote_name
    insert = _statements(alias)[2]
    head, _, tail = insert.partition(" VALUES ")
    row, returning, column = tail.partition(" RETURNING ")
    # SQLite does not promise RETURNING's row order: the rows name their seq.
    returned = f" RETURNING {column}, {quote('seq')}" if returning else ""
    return f"{head} VALUES {', '.join([row] * count)}{returned}"


# --- deferred appends --------------------------------------------------------------------------------------

_BATCH_ATTR = "_xiezuoqu_audit_batch"


class _Batch:
    """The events recorded inside a ``deferred_events`` block, in order, each with a marker.

    The marker is a do-nothing ``transaction.on_commit`` callback registered as the event is recorded:
    Django drops the callbacks of a savepoint that rolls back, so an event whose marker is gone was
    recorded inside a savepoint that rolled back (a nested ``atomic`` that failed) and is not written,
    exactly as an immediate append in that savepoint would have been undone.
    """

    def __init__(self, alias: str) -> None:
        self.alias = alias
        self.items: list[tuple[AuditEvent, Callable[[], None]]] = []

    def add(self, fields: dict[str, Any]) -> AuditEvent:
        event = AuditEvent(**fields)

        def marker() -> None:
            return None

        transaction.on_commit(marker, using=self.alias)
        self.items.append((event, marker))
        return event

    def live(self) -> list[AuditEvent]:
        pending = {id(entry[1]) for entry in connections[self.alias].run_on_commit}
        return [event for event, marker in self.items if id(marker) in pending]


@contextmanager
def deferred_events(using: str | None = None) -> Iterator[None]:
    """A transaction (``transaction.atomic``) whose audit events are appended together at its end.

    ``record_event`` and ``record_view`` inside the block buffer their events; as the block ends
    without an exception, the events still standing (not undone by a savepoint that rolled back) are
    sealed and written in one INSERT — in the same transaction as the change, just before it commits.
    The chain-head lock, which serialises every append in the system, is then held only for that
    INSERT, one UPDATE and the commit, instead of from the first event to the commit. On an exception
    the transaction rolls back and the buffer is dropped with it. Nested blocks join the outermost one.
    """
    alias = using or router.db_for_write(AuditEvent)
    connection = connections[alias]
    with transaction.atomic(using=alias):
        outer: _Batch | None = getattr(connection, _BATCH_ATTR, None)
        if outer is not None:
            yield
            return
        batch = _Batch(alias)
        setattr(connection, _BATCH_ATTR, batch)
        try:
            yield
        finally:
            setattr(connection, _BATCH_ATTR, None)
        _append_all(alias, batch.live())


def record_view(
    *,
    actor: Actor | None,
    target: models.Model,
    request: HttpRequest | None = None,
    detail: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Record that ``actor`` read a sensitive object (action ``<model>.viewed``).

    Call it from the selector or view that shows the object, after the policy let the actor in; a
    refused read is recorded at the edge by ``record_refusal`` instead.
    """
    return record_event(
        actor=actor,
        action=f"{target._meta.model_name}.viewed",
        target=target,
        detail=detail,
        request=request,
    )
