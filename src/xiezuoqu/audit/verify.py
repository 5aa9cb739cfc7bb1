"""Verify the audit chain end to end and name the first row that was altered, removed or inserted.

The rows are streamed in ``seq`` order in keyset batches of plain tuples (no model instances, no full
load); each row's MAC is recomputed with a key prepared once, and each row must continue the row
before it: the next ``seq``, and a ``prev_mac`` equal to that row's ``mac``. At the end the chain
head (updated in the same transaction as every append) must point at the last row, so a deletion
at the tail shows too.

What each finding means, given that nobody without the key can compute a valid MAC:

- ``altered`` — the row's MAC does not match its content: a field, its ``seq`` or its ``prev_mac``
  was changed (or a forged row took the place of a removed one);
- ``removed`` — a valid row does not continue its predecessor: rows between them are missing;
- ``inserted`` — a row that belongs nowhere: its MAC is invalid and the row after it continues the
  row before it, or it lies beyond the chain head, or its ``seq`` precedes the chain's start;
- ``head_mismatch`` — the chain head and the last row disagree: rows at the end were removed (or
  the head was changed).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connections
from django.db.models import Func, TextField
from django.db.models.functions import Cast

from .chain import GENESIS, SCALAR_FIELDS, Signer, canonical_json, mac_message, utc_iso
from .models import AuditChainHead, AuditEvent

COLUMNS = (*SCALAR_FIELDS, "changes", "detail", "prev_mac", "mac")
_SCALARS = len(SCALAR_FIELDS)
_OCCURRED_AT = SCALAR_FIELDS.index("occurred_at")
_ALGORITHM = SCALAR_FIELDS.index("algorithm")
_CHANGES, _DETAIL, _PREV_MAC, _MAC = _SCALARS, _SCALARS + 1, _SCALARS + 2, _SCALARS + 3
BATCH_SIZE = 5000

ALTERED = "altered"
REMOVED = "removed"
INSERTED = "inserted"
HEAD_MISMATCH = "head_mismatch"


@dataclass(frozen=True)
class Problem:
    kind: str  # ALTERED, REMOVED, INSERTED or HEAD_MISMATCH
    seq: int | None  # the row named (for REMOVED: the last intact row before the gap)
    message: str


@dataclass
class VerifyResult:
    rows_checked: int = 0
    seconds: float = 0.0
    first_seq: int | None = None
    last_seq: int | None = None
    head_seq: int | None = None
    # False when ``from_seq`` starts after a row that no longer exists: the first row is then
    # trusted to continue whatever came before it.
    anchored: bool = True
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def rows_per_second(self) -> float:
        return self.rows_checked / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        rate = f"{self.rows_per_second:,.0f} 条/秒" if self.rows_checked else "—"
        span = f"seq {self.first_seq}–{self.last_seq}，" if self.rows_checked else ""
        head = f"链头 seq={self.head_seq}" if self.head_seq is not None else "链头未建立"
        return f"已校验 {self.rows_checked:,} 条（{span}{head}），用时 {self.seconds:.2f} 秒，{rate}"


@dataclass
class _Chain:
    """The walk's state: what the next row must be."""

    expected_seq: int
    expected_prev: str | None  # None: not anchored (accept the first row's prev_mac)
    last: tuple[int, str] | None = None
    checked: int = 0
    problem: Problem | None = None
    first_seq: int | None = None
    head_seq: int | None = None


def _head(using: str) -> tuple[int, str] | None:
    return AuditChainHead.objects.using(using).filter(id=1).values_list("seq", "mac").first()


def _rows(using: str, after: int | None, batch_size: int) -> Iterator[tuple[Any, ...]]:
    """All rows with ``seq > after`` (all rows for ``None``), ascending, in keyset batches.

    The SQL is the ORM's; the rows are the driver's plain tuples, without Django's per-value
    converters (the walk converts the two kinds of value it needs, much faster).
    """
    connection = connections[using]
    columns: list[Any] = list(COLUMNS)
    # The time as text, without the driver's datetime objects (see ``_time_reader``).
    if connection.vendor == "sqlite":
        columns[_OCCURRED_AT] = Cast("occurred_at", TextField())  # Django's stored text
    elif connection.vendor == "postgresql":
        columns[_OCCURRED_AT] = _UtcIsoText("occurred_at")  # the MAC's own form
    base = AuditEvent.objects.using(using).order_by("seq").values_list(*columns)
    while True:
        qs = base if after is None else base.filter(seq__gt=after)
        sql, params = qs[:batch_size].query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            batch = cursor.fetchall()
        if not batch:
            return
        yield from batch
        after = batch[-1][0]


class _UtcIsoText(Func):
    """PostgreSQL: a timestamp as the text ``utc_iso`` gives (``2026-11-26T08:30:00.000000+00:00``)."""

    template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')"
    output_field = TextField()


def _time_reader(using: str) -> Callable[[Any], str]:
    """The driver's value of ``occurred_at`` → the UTC ISO text the MAC covers."""
    connection = connections[using]
    tz = connection.timezone
    # SQLite keeps naive UTC (Django writes it so and reads it back as a naive datetime).
    naive_is_utc = connection.timezone_name == "UTC"

    def read(value: Any) -> str:
        if type(value) is str:
            if len(value) == 32 and value[10] == "T" and value.endswith("+00:00"):
                return value  # already the MAC's form (PostgreSQL's to_char above)
            if naive_is_utc and len(value) in (19, 26) and value[10] == " ":
                # Django's SQLite text, str(naive UTC datetime): "YYYY-MM-DD HH:MM:SS[.ffffff]".
                return f"{value[:10]}T{value[11:]}{'' if len(value) == 26 else '.000000'}+00:00"
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            if naive_is_utc:
                return value.isoformat(timespec="microseconds") + "+00:00"
            value = value.replace(tzinfo=tz)
        return utc_iso(value)

    return read


def _canonical(raw: Any) -> str:
    """The canonical JSON of a stored JSON value (text from the driver, or already decoded)."""
    return canonical_json(json.loads(raw) if isinstance(raw, str) else raw)


class _RowChecker:
    """Recomputes a raw row's MAC. The JSON text the database returns is already canonical (see
    ``chain.CanonicalJSONEncoder``): used as is, and parsed only if that fails (equivalent text
    written by other means, e.g. ``loaddata`` on SQLite)."""

    def __init__(self, using: str) -> None:
        self.signer = Signer()
        self.when = _time_reader(using)

    def valid(self, row: tuple[Any, ...]) -> bool:
        scalars = list(row[:_SCALARS])
        try:
            scalars[_OCCURRED_AT] = self.when(row[_OCCURRED_AT])
            changes, detail = row[_CHANGES], row[_DETAIL]
            mac, algorithm, prev_mac = row[_MAC], row[_ALGORITHM], row[_PREV_MAC]
            if (
                isinstance(changes, str)
                and isinstance(detail, str)
                and self.signer.mac(mac_message(prev_mac, scalars, changes, detail), algorithm) == mac
            ):
                return True
            message = mac_message(prev_mac, scalars, _canonical(changes), _canonical(detail))
            return self.signer.mac(message, algorithm) == mac
        except (ValueError, TypeError, AttributeError):  # a value no writer produces: tampered
            return False


def _walk(chain: _Chain, rows: Iterator[tuple[Any, ...]], checker: _RowChecker, using: str) -> None:
    """Check rows in order until they run out or the first problem is found (the hot loop: state in
    locals, written back at the end)."""
    valid = checker.valid
    expected, expected_prev, last, checked = chain.expected_seq, chain.expected_prev, chain.last, 0
    try:
        for row in rows:
            seq = row[0]
            checked += 1
            if chain.first_seq is None:
                chain.first_seq = seq
            after = last[0] if last else expected - 1
            if seq < expected:
                chain.problem = Problem(
                    INSERTED, seq, f"seq={seq} 是插入的记录：链从 seq={expected} 起，这一条不属于链。"
                )
                return
            if not valid(row):
                chain.expected_seq, chain.expected_prev, chain.last = expected, expected_prev, last
                chain.problem = _classify_invalid(chain, seq, next(rows, None), using)
                return
            if seq > expected:
                chain.problem = Problem(
                    REMOVED,
                    after,
                    f"seq={after} 之后缺失记录：下一条应为 seq={expected}，"
                    f"实际为 seq={seq}（缺 {seq - expected} 条）。",
                )
                return
            mac = row[_MAC]
            if expected_prev is not None and row[_PREV_MAC] != expected_prev:
                chain.problem = Problem(
                    REMOVED, after, f"seq={after} 之后缺失记录：seq={seq} 的 prev_mac 与 seq={after} 的 MAC 不符。"
                )
                return
            expected, expected_prev, last = seq + 1, mac, (seq, mac)
    finally:
        chain.expected_seq, chain.expected_prev, chain.last = expected, expected_prev, last
        chain.checked += checked


def _classify_invalid(chain: _Chain, seq: int, following: tuple[Any, ...] | None, using: str) -> Problem:
    """A row whose MAC does not match: inserted into the chain, or altered in place (or a gap)."""
    expected = chain.expected_seq
    after = chain.last[0] if chain.last else expected - 1
    if following is not None and chain.expected_prev is not None and following[_PREV_MAC] == chain.expected_prev:
        return Problem(
            INSERTED,
            seq,
            f"seq={seq} 是插入的记录：其 MAC 无效，而下一条（seq={following[0]}）接续的是 seq={after}。",
        )
    head = _head(using)
    if head is not None and seq > head[0]:
        return Problem(INSERTED, seq, f"seq={seq} 是插入的记录：其 MAC 无效，且链头止于 seq={head[0]}。")
    if seq > expected:
        return Problem(
            REMOVED, after, f"seq={after} 之后缺失记录：下一条应为 seq={expected}，实际为 seq={seq}（且其 MAC 无效）。"
        )
    return Problem(ALTERED, seq, f"第 {seq} 条（seq={seq}）内容被篡改：重新计算的 MAC 与记录的 MAC 不符。")


def _check_head(chain: _Chain, using: str, batch_size: int, checker: _RowChecker) -> None:
    """The head must name the last row. Rows appended while we walked are walked too, then re-checked."""
    while chain.problem is None:
        head = _head(using)
        chain.head_seq = head[0] if head else None
        last_seq = chain.last[0] if chain.last else chain.expected_seq - 1
        if head is None:
            if chain.last is not None:
                chain.problem = Problem(HEAD_MISMATCH, last_seq, "链头缺失：审计链头记录被删除。")
            return
        if chain.last is not None and head == chain.last:
            return
        if head[0] > last_seq:
            more = _rows(using, last_seq, batch_size)
            first = next(more, None)
            if first is not None:  # appended meanwhile: walk on
                _walk(chain, _prepend(first, more), checker, using)
                continue
            chain.problem = Problem(
                HEAD_MISMATCH,
                last_seq,
                f"seq={last_seq} 之后缺失记录：链头记录到 seq={head[0]}，"
                f"但 seq={last_seq} 之后已没有记录（末尾记录被删除）。",
            )
            return
        if chain.last is None:  # nothing to check and the head is at (or before) the start
            return
        chain.problem = Problem(
            HEAD_MISMATCH, last_seq, f"链头（seq={head[0]}）与最后一条记录（seq={last_seq}）不符：链头被改动。"
        )
        return


def _prepend(first: tuple[Any, ...], rest: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    yield first
    yield from rest


def verify_chain(*, from_seq: int = 1, batch_size: int = BATCH_SIZE, using: str = "default") -> VerifyResult:
    """Walk the chain from ``from_seq`` to the head and report the first problem, if any."""
    started = time.perf_counter()
    checker = _RowChecker(using)
    if from_seq <= 1:
        chain = _Chain(expected_seq=1, expected_prev=GENESIS)
        chain_anchored = True
        rows = _rows(using, None, batch_size)
    else:
        anchor = AuditEvent.objects.using(using).filter(seq=from_seq - 1).values_list("seq", "mac").first()
        chain = _Chain(expected_seq=from_seq, expected_prev=anchor[1] if anchor else None, last=anchor)
        chain_anchored = anchor is not None
        rows = _rows(using, from_seq - 1, batch_size)
    _walk(chain, rows, checker, using)
    _check_head(chain, using, batch_size, checker)
    if chain.head_seq is None:
        head = _head(using)
        chain.head_seq = head[0] if head else None
    return VerifyResult(
        rows_checked=chain.checked,
        seconds=time.perf_counter() - started,
        first_seq=chain.first_seq,
        last_seq=chain.last[0] if chain.checked and chain.last else None,
        head_seq=chain.head_seq,
        anchored=from_seq <= 1 or chain_anchored,
        problem=chain.problem,
    )
