"""Rows for PostgreSQL's COPY, built from the models' own metadata, and the audit chain sealed as the
services seal it.

``Table`` knows a model's concrete columns, their defaults and how each value is written in COPY's
text format; rows are added as keyword arguments (missing columns take the field's default), ids are
drawn from a counter kept in the process (the loader is the only writer of the database while it
runs; ``Ids.sync`` moves each table's sequence past what was written). ``Chain`` continues the audit
chain from its head: the same scalars, the same canonical JSON and the same HMAC as
``xiezuoqu.audit.services._append_all``, so ``xiezuoqu audit verify`` checks the loaded rows.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"


def escape(text: str) -> str:
    """COPY's text escapes, only where needed (``str.translate`` is slow on CJK text)."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.translate(_ESCAPES)
    return text


def _text(value: Any) -> str:
    return NULL if value is None else escape(str(value))


def _int(value: Any) -> str:
    return NULL if value is None else str(int(value))


def _bool(value: Any) -> str:
    return NULL if value is None else ("t" if value else "f")


def _date(value: Any) -> str:
    return NULL if value is None else value.isoformat()


def _datetime(value: Any) -> str:
    if value is None:
        return NULL
    return value.astimezone(UTC).isoformat(timespec="microseconds")


_json_encode = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode


def _json(value: Any) -> str:
    if value is None:
        return NULL
    if isinstance(value, Raw):
        return escape(value.text)
    return escape(_json_encode(value))


class Raw:
    """A JSON column's text, already canonical (the audit chain's changes and detail)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


CONVERTERS: dict[str, Callable[[Any], str]] = {
    "AutoField": _int,
    "BigAutoField": _int,
    "SmallAutoField": _int,
    "IntegerField": _int,
    "BigIntegerField": _int,
    "SmallIntegerField": _int,
    "PositiveIntegerField": _int,
    "PositiveBigIntegerField": _int,
    "PositiveSmallIntegerField": _int,
    "ForeignKey": _int,
    "OneToOneField": _int,
    "BooleanField": _bool,
    "CharField": _text,
    "TextField": _text,
    "EmailField": _text,
    "SlugField": _text,
    "DateField": _date,
    "DateTimeField": _datetime,
    "JSONField": _json,
}


class Ids:
    """Next ids per table, read once from the sequences, written back with ``sync`` before each commit."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor
        self.next: dict[str, int] = {}
        self.sequence: dict[str, str] = {}

    def take(self, table: str, column: str = "id") -> int:
        current = self.next.get(table)
        if current is None:
            self.cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
            self.sequence[table] = self.cursor.fetchone()[0]
            self.cursor.execute(f'SELECT COALESCE(MAX("{column}"), 0) FROM "{table}"')
            current = int(self.cursor.fetchone()[0]) + 1
        self.next[table] = current + 1
        return current

    def sync(self) -> None:
        for table, value in self.next.items():
            self.cursor.execute("SELECT setval(%s, %s, false)", [self.sequence[table], value])

    def forget(self) -> None:
        """After a rollback: read the sequences again."""
        self.next.clear()


class Table:
    """One model's rows for one COPY."""

    def __init__(self, model: Any, ids: Ids | None, now: datetime) -> None:
        self.model = model
        self.name = model._meta.db_table
        self.ids = ids
        fields = [f for f in model._meta.concrete_fields]
        self.pk = model._meta.pk
        self.auto_pk = self.pk.get_internal_type() in ("AutoField", "BigAutoField", "SmallAutoField")
        self.fields = fields
        self.columns = [f.column for f in fields]
        self.attnames = [f.attname for f in fields]
        self.converters = [CONVERTERS[f.get_internal_type()] for f in fields]
        self.defaults: dict[str, Any] = {}
        for f in fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.defaults[f.attname] = now
            elif f is not self.pk:
                # Django's own default: the field's default, "" for text, None otherwise (NOT NULL
                # columns then refuse a missing value in the COPY).
                self.defaults[f.attname] = f.get_default()
        self.lines: list[str] = []
        self.pairs = list(zip(self.converters, self.attnames, strict=True))

    def add(self, **values: Any) -> int:
        """Append one row; returns its primary key (drawn here for an auto id)."""
        if self.auto_pk and self.pk.attname not in values:
            assert self.ids is not None
            values[self.pk.attname] = self.ids.take(self.name, self.pk.column)
        row = self.defaults | values
        try:
            self.lines.append("\t".join([conv(row[a]) for conv, a in self.pairs]))
        except KeyError as exc:
            raise KeyError(f"{self.name}: no value for {exc}") from None
        return row[self.pk.attname] if self.auto_pk else 0

    def __len__(self) -> int:
        return len(self.lines)

    def copy(self, cursor: Any) -> int:
        """COPY the rows into the table through psycopg's copy support; returns the count."""
        count = len(self.lines)
        if not count:
            return 0
        columns = ", ".join(f'"{c}"' for c in self.columns)
        with cursor.copy(f'COPY "{self.name}" ({columns}) FROM STDIN') as copy:
            step = 20_000
            for start in range(0, count, step):
                copy.write("\n".join(self.lines[start : start + step]) + "\n")
        self.lines.clear()
        return count


class Chain:
    """The audit chain continued from its head: ``event`` seals and queues one row."""

    def __init__(self, table: Table, seq: int, mac: str) -> None:
        from xiezuoqu.audit.chain import Signer, configured_algorithm, jsonb_order

        self.table = table
        self.seq, self.mac = seq, mac
        self.signer = Signer()
        self.algorithm = configured_algorithm()
        self.order = jsonb_order
        self.checked = 0
        self._orders: dict[tuple[str, ...], tuple[str, ...]] = {}
        from xiezuoqu.audit.chain import mac_message

        self.message = mac_message

    def canonical(self, value: dict[str, Any]) -> str:
        """``canonical_json`` of a flat dict of scalars and lists (what the loader's events carry): its keys
        put in ``jsonb`` order once per key set, then the C encoder."""
        keys = tuple(value)
        ordered = self._orders.get(keys)
        if ordered is None:
            ordered = self._orders[keys] = tuple(self.order(dict.fromkeys(keys)))
        return _json_encode({k: value[k] for k in ordered})

    def event(
        self,
        *,
        when: datetime,
        commission_id: int | None,
        actor_id: int | None,
        actor_name: str,
        role: str,
        action: str,
        target_type: str,
        target_id: int | str,
        target_label: str,
        changes: dict[str, Any],
        detail: dict[str, Any],
    ) -> None:
        """Seal the next row and queue its COPY line (the columns in ``Table``'s order)."""
        self.seq += 1
        changes_text, detail_text = self.canonical(changes), self.canonical(detail)
        if self.checked < 500:  # the fast text must be the project's canonical text (checked on a sample)
            from xiezuoqu.audit.chain import canonical_json
            from xiezuoqu.audit.services import jsonable

            assert changes_text == canonical_json(jsonable(changes)), (changes_text, canonical_json(changes))
            assert detail_text == canonical_json(jsonable(detail)), (detail_text, canonical_json(detail))
            self.checked += 1
        occurred = when.astimezone(UTC).isoformat(timespec="microseconds")
        target = str(target_id)
        scalars = [
            self.seq,
            occurred,
            commission_id,
            actor_id,
            actor_name,
            role,
            action,
            target_type,
            target,
            target_label,
            "allowed",
            "",
            self.algorithm,
        ]
        prev = self.mac
        self.mac = mac = self.signer.mac(self.message(prev, scalars, changes_text, detail_text), self.algorithm)
        values = {
            "id": self.table.ids.take(self.table.name),
            "seq": self.seq,
            "occurred_at": occurred,
            "commission_id": NULL if commission_id is None else str(commission_id),
            "actor_id": NULL if actor_id is None else str(actor_id),
            "actor_name": escape(actor_name),
            "role": role,
            "action": action,
            "target_type": target_type,
            "target_id": target,
            "target_label": escape(target_label),
            "outcome": "allowed",
            "changes": escape(changes_text),
            "detail": escape(detail_text),
            "client_address": "",
            "algorithm": self.algorithm,
            "prev_mac": prev,
            "mac": mac,
        }
        self.table.lines.append("\t".join([str(values[a]) for a in self.table.attnames]))


def iso(day: date | None) -> str | None:
    """A date as ``services.jsonable`` writes it into the audit JSON."""
    return None if day is None else day.isoformat()


class BlockIds:
    """Ids of one batch drawn from its own block (``base + index × block`` per table), so that batches can
    be generated by several processes at once; the gaps between blocks are ordinary sequence gaps."""

    def __init__(self, bases: dict[str, int], index: int, block: int) -> None:
        self.bases, self.index, self.block = bases, index, block
        self.next: dict[str, int] = {}

    def take(self, table: str, column: str = "id") -> int:
        current = self.next.get(table)
        if current is None:
            current = self.bases[table] + self.index * self.block
        if current >= self.bases[table] + (self.index + 1) * self.block:
            raise RuntimeError(f"{table}: the batch's id block of {self.block} is used up")
        self.next[table] = current + 1
        return current


class Unsealed:
    """An audit event prepared by a generator process and sealed later, in order, by the writer:
    everything but ``id``, ``seq``, ``prev_mac`` and ``mac`` is formatted here (``Chain.event``'s
    arguments, the same canonical texts)."""

    def __init__(self, table: Table) -> None:
        from xiezuoqu.audit.chain import configured_algorithm, jsonb_order

        assert table.attnames[:2] == ["id", "seq"] and table.attnames[-2:] == ["prev_mac", "mac"]
        self.table = table
        self.algorithm = configured_algorithm()
        self.order = jsonb_order
        self._orders: dict[tuple[str, ...], tuple[str, ...]] = {}
        self.checked = 0
        self.events: list[tuple[str, str, str, str]] = []  # (scalars after seq, changes, detail, middle columns)

    canonical = Chain.canonical

    def event(
        self,
        *,
        when: datetime,
        commission_id: int | None,
        actor_id: int | None,
        actor_name: str,
        role: str,
        action: str,
        target_type: str,
        target_id: int | str,
        target_label: str,
        changes: dict[str, Any],
        detail: dict[str, Any],
    ) -> None:
        from xiezuoqu.audit.chain import scalars_json

        changes_text, detail_text = self.canonical(changes), self.canonical(detail)
        if self.checked < 500:
            from xiezuoqu.audit.chain import canonical_json
            from xiezuoqu.audit.services import jsonable

            assert changes_text == canonical_json(jsonable(changes))
            assert detail_text == canonical_json(jsonable(detail))
            self.checked += 1
        occurred = when.astimezone(UTC).isoformat(timespec="microseconds")
        target = str(target_id)
        scalars = [0, occurred, commission_id, actor_id, actor_name, role, action, target_type, target, target_label]
        rest = scalars_json([*scalars, "allowed", "", self.algorithm])[2:]  # after "[0"
        middle = "\t".join(
            [
                occurred,
                NULL if commission_id is None else str(commission_id),
                NULL if actor_id is None else str(actor_id),
                escape(actor_name),
                role,
                action,
                target_type,
                target,
                escape(target_label),
                "allowed",
                escape(changes_text),
                escape(detail_text),
                "",
                self.algorithm,
            ]
        )
        self.events.append((rest, changes_text, detail_text, middle))


def seal(
    events: list[tuple[str, str, str, str]], seq: int, mac: str, next_id: int, algorithm: str
) -> tuple[list[str], int, str, int]:
    """Seal prepared events one to the next from the head (``seq``, ``mac``): their COPY lines and the new
    head and next id — the same MAC as ``audit.services._append_all`` computes."""
    from xiezuoqu.audit.chain import Signer

    sign = Signer().mac
    lines = []
    for rest, changes_text, detail_text, middle in events:
        seq += 1
        prev = mac
        mac = sign(f"{prev}\n[{seq}{rest}\n{changes_text}\n{detail_text}".encode(), algorithm)
        lines.append(f"{next_id}\t{seq}\t{middle}\t{prev}\t{mac}")
        next_id += 1
    return lines, seq, mac, next_id
