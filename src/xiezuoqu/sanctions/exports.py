"""处分期满台账 as .xlsx, through the same scope and filters as the page (``selectors.ledger_queryset``),
walked by keyset in chunks; every export is one audit event naming the filters and the terms it held."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.audit.services import record_event
from xiezuoqu.deadlines.models import provisional_date_text
from xiezuoqu.spreadsheets import finish_workbook, ledger_workbook

from .models import SanctionTerm
from .selectors import ROW_RELATED, LedgerFilters, ledger_queryset, status_of

COLUMNS: list[tuple[str, int]] = [
    ("序号", 6),
    ("案件编号", 22),
    ("受处分人", 12),
    ("协作区", 14),
    ("处分", 28),
    ("起算日", 12),
    ("期满日", 12),
    ("期满事项", 36),
    ("办理期限", 12),
    ("状态", 20),
    ("办理结果", 30),
    ("决定（解除）日期", 14),
    ("作出决定的组织", 20),
    ("文号", 24),
]
CHUNK = 500
MAX_ROWS = 100_000


def _chunks(qs: QuerySet[SanctionTerm]) -> Iterator[list[SanctionTerm]]:
    after: tuple[date, int] | None = None
    while True:
        page = qs if after is None else qs.filter(Q(end__gt=after[0]) | Q(end=after[0], id__gt=after[1]))
        rows = list(page.select_related(*ROW_RELATED)[:CHUNK])
        if not rows:
            return
        yield rows
        after = (rows[-1].end, rows[-1].pk)


def ledger_row(number: int, term: SanctionTerm, today: date) -> list[Any]:
    follow_up = getattr(term, "follow_up", None)
    return [
        number,
        term.case.case_number,
        term.subject.name,
        term.case.zone.name if term.case.zone else "",
        term.label,
        term.start,
        term.end,
        term.get_follow_up_kind_display(),
        # A date counted on a year whose calendar is not entered is written as such, not as a date.
        provisional_date_text(term.due_on, True) if term.due_provisional else term.due_on,  # type: ignore[attr-defined]
        status_of(term, today).label,
        follow_up.get_outcome_display() if follow_up else "",
        follow_up.decided_on if follow_up else None,
        follow_up.organisation if follow_up else "",
        follow_up.reference if follow_up else "",
    ]


def export_ledger(actor: Actor, filters: LedgerFilters, *, request: HttpRequest | None = None) -> bytes:
    """处分期满台账 .xlsx: the rows of the actor's scope under the page's filters (audited)."""
    today = timezone.localdate()
    workbook, sheet = ledger_workbook(
        "处分期满台账", f"处分期满台账（导出于 {timezone.localtime():%Y-%m-%d %H:%M}）", COLUMNS
    )
    ids: list[int] = []
    for chunk in _chunks(ledger_queryset(actor, filters, today)):
        for term in chunk:
            ids.append(term.pk)
            sheet.append(ledger_row(len(ids), term, today))
        if len(ids) >= MAX_ROWS:
            break
    with transaction.atomic():
        record_event(
            actor=actor,
            action="sanction.ledger_exported",
            target_type="sanctions.sanctionterm",
            detail={"filters": filters.as_query(), "count": len(ids), "terms": ids},
            request=request,
        )
    return finish_workbook(workbook, sheet)
