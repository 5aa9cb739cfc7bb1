"""Writing to the audit chain. Call inside the transaction of the change being recorded."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
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
    """Lock the chain head, write the next event sealed to the previous one, move the head."""
    alias = router.db_for_write(AuditEvent)
    connection = connections[alias]
    select_head, create_head, insert, move_head, columns = _statements(alias)
    # No savepoint of our own: if the append fails, the caller's transaction fails with it.
    with transaction.atomic(using=alias, savepoint=False), connection.cursor() as cursor:
        cursor.execute(select_head)
        head = cursor.fetchone()
        if head is None:  # the first event of a new database (or after a flush)
            cursor.execute(create_head, [GENESIS])
            cursor.execute(select_head)
            head = cursor.fetchone()
        seq, prev_mac = head
        event = AuditEvent(seq=seq + 1, occurred_at=timezone.now(), prev_mac=prev_mac, **fields)
        event.mac = Signer().event_mac(event)
        cursor.execute(insert, [f.get_db_prep_save(getattr(event, f.attname), connection) for f in columns])
        event.pk = (
            cursor.fetchone()[0]
            if cursor.description
            else connection.ops.last_insert_id(cursor, AuditEvent._meta.db_table, AuditEvent._meta.pk.column)
        )
        cursor.execute(move_head, [event.seq, event.mac])
    event._state.adding = False
    event._state.db = alias
    return event


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
