"""The clue ledger (问题线索台账) as .xlsx in a 台账's columns, through the same scope as the pages.

Rows come from ``selectors.ledger_queryset`` (the actor's scope with the page's filters), walked by
keyset in chunks; every export is one audit event naming the filters and the clues it contained.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.audit.services import record_event
from xiezuoqu.spreadsheets import finish_workbook, ledger_workbook

from .models import Clue
from .selectors import LedgerFilters, ledger_queryset
from .workflow import STATE_LABELS

COLUMNS: list[tuple[str, int]] = [
    ("序号", 6),
    ("线索编号", 24),
    ("收到日期", 12),
    ("线索来源", 14),
    ("被反映人", 14),
    ("单位职务", 28),
    ("职级", 10),
    ("是否党员", 8),
    ("监察对象", 10),
    ("问题类别", 16),
    ("主要问题摘要", 44),
    ("承办单位", 18),
    ("协作区", 14),
    ("处置方式", 12),
    ("处置批准日期", 12),
    ("办理状态", 14),
    ("办理结果", 30),
    ("登记人", 10),
]
CHUNK = 500
MAX_ROWS = 100_000


def _chunks(qs: Any) -> Iterator[list[Clue]]:
    before: int | None = None
    while True:
        page = qs if before is None else qs.filter(pk__lt=before)
        rows = list(
            page.select_related("handling_unit", "zone", "registered_by").prefetch_related("subject_links__subject")[
                :CHUNK
            ]
        )
        if not rows:
            return
        yield rows
        before = rows[-1].pk


def ledger_row(number: int, clue: Clue) -> list[Any]:
    subjects = [link.subject for link in clue.subject_links.all()]
    return [
        number,
        clue.ledger_number,
        clue.received_on,
        clue.get_source_display() + (f"（{clue.source_note}）" if clue.source_note else ""),
        "、".join(s.name for s in subjects),
        "；".join("".join(x for x in (s.unit_text, s.position) if x) for s in subjects),
        "、".join(s.get_rank_display() for s in subjects),
        "、".join("是" if s.is_party_member else "否" for s in subjects),
        "、".join("否" if s.supervision_category == "none" else "是" for s in subjects),
        clue.get_category_display(),
        clue.summary,
        clue.handling_unit.name,
        clue.zone.name if clue.zone else "",
        clue.get_disposal_method_display() if clue.disposal_method else "",
        clue.disposed_on,
        STATE_LABELS.get(clue.state, clue.state),
        clue.outcome,
        str(clue.registered_by),
    ]


def export_ledger(actor: Actor, filters: LedgerFilters, *, request: HttpRequest | None = None) -> bytes:
    """问题线索台账 .xlsx: the rows of the actor's scope under the page's filters (audited)."""
    workbook, sheet = ledger_workbook(
        "问题线索台账", f"问题线索台账（导出于 {timezone.localtime():%Y-%m-%d %H:%M}）", COLUMNS
    )
    ids: list[int] = []
    for chunk in _chunks(ledger_queryset(actor, filters)):
        for clue in chunk:
            ids.append(clue.pk)
            sheet.append(ledger_row(len(ids), clue))
        if len(ids) >= MAX_ROWS:
            break
    with transaction.atomic():
        record_event(
            actor=actor,
            action="clue.ledger_exported",
            target_type="clues.clue",
            detail={"filters": filters.as_query(), "count": len(ids), "clues": ids},
            request=request,
        )
    return finish_workbook(workbook, sheet)
