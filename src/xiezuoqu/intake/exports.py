"""The 信访台账 and the quarterly result report as .xlsx, through the same scope as the pages.

Rows come from ``selectors.ledger_queryset`` (the actor's scope with the page's filters), walked by
keyset in chunks so that memory stays flat; every export is one audit event naming the filters and
the reports it contained.
"""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from xiezuoqu.access.actor import Actor
from xiezuoqu.audit.services import record_event

from .models import Report
from .selectors import LedgerFilters, ledger_queryset, quarterly_results, with_list_relations
from .workflow import STATE_LABELS

LEDGER_COLUMNS: list[tuple[str, int]] = [
    ("编号", 24),
    ("收件日期", 12),
    ("来源渠道", 12),
    ("反映人（实名/匿名）", 14),
    ("被反映人", 16),
    ("单位职务", 28),
    ("问题类别", 16),
    ("主要内容摘要", 48),
    ("办理状态", 12),
    ("承办单位", 20),
    ("处理结果", 40),
    ("办结日期", 12),
]
CHUNK = 500
MAX_ROWS = 100_000


def _chunks(qs: Any) -> Iterator[list[Report]]:
    before: int | None = None
    while True:
        page = qs if before is None else qs.filter(pk__lt=before)
        rows = list(with_list_relations(page)[:CHUNK])
        if not rows:
            return
        yield rows
        before = rows[-1].pk


def ledger_row(report: Report) -> list[Any]:
    accused = list(report.accused.all())
    return [
        report.ledger_number or str(report),
        report.received_on,
        report.get_channel_display(),
        "实名" if report.is_real_name else "匿名",
        "、".join(a.name for a in accused),
        "；".join("".join(x for x in (a.unit_text, a.position) if x) for a in accused if a.unit_text or a.position),
        report.get_category_display(),
        report.summary,
        STATE_LABELS.get(report.state, report.state),
        report.handling_unit.name if report.handling_unit else "",
        report.result,
        report.concluded_on,
    ]


def _workbook(title: str, heading: str) -> tuple[Workbook, Any]:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append([heading])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([h for h, _ in LEDGER_COLUMNS])
    for index, (_, width) in enumerate(LEDGER_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
        cell = sheet.cell(row=2, column=index)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    sheet.freeze_panes = "A3"
    return workbook, sheet


def _finish(workbook: Workbook, sheet: Any) -> bytes:
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            if hasattr(cell.value, "isoformat"):
                cell.number_format = "yyyy-mm-dd"
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def export_ledger(actor: Actor, filters: LedgerFilters, *, request: HttpRequest | None = None) -> bytes:
    """信访台账 .xlsx: the rows of the actor's scope under the page's filters (audited)."""
    workbook, sheet = _workbook("信访台账", f"信访台账（导出于 {timezone.localtime():%Y-%m-%d %H:%M}）")
    ids: list[int] = []
    for chunk in _chunks(ledger_queryset(actor, filters)):
        for report in chunk:
            sheet.append(ledger_row(report))
            ids.append(report.pk)
        if len(ids) >= MAX_ROWS:
            break
    with transaction.atomic():
        record_event(
            actor=actor,
            action="report.ledger_exported",
            target_type="intake.report",
            detail={"filters": filters.as_query(), "count": len(ids), "reports": ids},
            request=request,
        )
    return _finish(workbook, sheet)


def export_quarterly(
    actor: Actor, year: int, quarter: int, unit_id: int | None, *, request: HttpRequest | None = None
) -> bytes:
    """实名举报办理结果季度报送 .xlsx: concluded real-name reports of the quarter per handling unit."""
    workbook, sheet = _workbook(f"{year}Q{quarter}", f"{year}年第{quarter}季度实名检举控告办理结果（报送信访室）")
    ids: list[int] = []
    for report in quarterly_results(actor, year, quarter, unit_id):
        sheet.append(ledger_row(report))
        ids.append(report.pk)
    with transaction.atomic():
        record_event(
            actor=actor,
            action="report.quarterly_exported",
            target_type="intake.report",
            detail={"year": year, "quarter": quarter, "unit": unit_id, "count": len(ids), "reports": ids},
            request=request,
        )
    return _finish(workbook, sheet)
