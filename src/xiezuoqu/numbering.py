"""Sequence numbers for ledgers (台账编号), clue ledgers and 督办单: one way to draw them safely.

Each numbered thing keeps a small counter table keyed by what restarts the sequence (a unit and a
year, a commission and a year) with a ``last`` column. The counter row is locked for the rest of the
caller's transaction, so two writers of the same ledger serialise on it (PostgreSQL: SELECT … FOR
UPDATE; SQLite: the IMMEDIATE transaction's write lock). The first writer of a year creates the row;
if two race to create it, the loser's insert fails on the counter's unique constraint and it locks
the winner's row instead. A unique constraint on the numbered rows themselves is the backstop.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import IntegrityError, connections, models, transaction
from django.db.transaction import TransactionManagementError

C = TypeVar("C", bound=models.Model)


def locked_counter(model: type[C], **key: Any) -> C:
    """The counter row for ``key``, created on first use, locked until the caller's transaction ends."""
    manager = model._default_manager
    counter = manager.select_for_update().filter(**key).first()
    if counter is not None:
        return counter
    try:
        with transaction.atomic():
            return manager.create(**key, last=0)
    except IntegrityError:  # another writer created it first: lock theirs
        return manager.select_for_update().get(**key)


def next_in_sequence(model: type[models.Model], **key: Any) -> int:
    """Take the next number of the sequence ``key`` (call inside the transaction that uses it).

    One statement once the counter exists: ``UPDATE … SET last = last + 1 … RETURNING last`` both
    locks the row until the transaction ends and reads the number taken.
    """
    manager = model._default_manager
    if not transaction.get_connection(manager.db).in_atomic_block:
        raise TransactionManagementError("编号须在使用它的事务内领取。")
    taken = _increment(manager, key)
    if taken is not None:
        return taken
    counter = locked_counter(model, **key)  # the first of its year: create it (or lock a racer's)
    counter.last += 1  # type: ignore[attr-defined]
    counter.save(update_fields=["last"])
    return int(counter.last)  # type: ignore[attr-defined]


def _increment(manager: models.Manager[Any], key: dict[str, Any]) -> int | None:
    model = manager.model
    connection = connections[manager.db]
    where = []
    params: list[Any] = []
    quote = connection.ops.quote_name
    for name, value in key.items():
        field = model._meta.get_field(name)
        column = getattr(field, "column", name)
        if isinstance(value, models.Model):
            value = value.pk
        where.append(f"{quote(column)} = %s")
        params.append(value)
    table = quote(model._meta.db_table)
    last = quote("last")
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {last} = {last} + 1 WHERE {' AND '.join(where)} RETURNING {last}", params)
        row = cursor.fetchone()
    return None if row is None else int(row[0])
