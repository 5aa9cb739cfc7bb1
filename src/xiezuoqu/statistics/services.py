"""月度台账报送 — writing: a unit submits its month's ledger to the zone (one snapshot, audited)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.audit.services import record_event
from xiezuoqu.errors import RuleViolation

from . import ledger as selectors
from .models import MonthlyLedger, MonthlyLedgerRow


def submit_month(
    *, actor: Actor, unit_id: Any, month: date, note: str = "", request: HttpRequest | None = None
) -> MonthlyLedger:
    """Snapshot the unit's ledger rows of ``month`` with their marks and send them to the unit's zone.

    Once per unit and month, after the month has ended: a second submission, or one of the month still
    running, is refused in Chinese (the snapshot stays as sent)."""
    unit = selectors.unit_for_submission(actor, unit_id)
    today = timezone.localdate()
    first = selectors.month_of(month.isoformat()[:7], today)
    if first == today.replace(day=1):
        # The ledger is the month as it stood at its end: a month still running cannot be fixed yet.
        raise RuleViolation(f"{first:%Y年%m月}尚未结束，月度台账须在月末之后（次月1日起）报送。")
    note = (note or "").strip()
    if len(note) > 300:
        raise RuleViolation("报送说明不能超过 300 字。")
    with transaction.atomic():
        if MonthlyLedger.objects.select_for_update().filter(unit=unit, month=first).exists():
            raise RuleViolation(f"{unit.name}{first:%Y年%m月}的台账已经报送，不能重复报送。")
        lines = selectors.unit_month_lines(actor, unit, first, today, whole_unit=True)
        counts = {mark: sum(1 for line in lines if line.mark == mark) for mark in ("red", "yellow", "blue", "")}
        day = selectors.as_of(first, today)
        try:
            with transaction.atomic():
                ledger = MonthlyLedger.objects.create(
                    commission_id=unit.commission_id,
                    unit=unit,
                    zone=selectors.zone_of_unit(unit, day),
                    month=first,
                    as_of=day,
                    submitted_by_id=actor.user_id,
                    submitted_at=timezone.now(),
                    red=counts["red"],
                    yellow=counts["yellow"],
                    blue=counts["blue"],
                    unmarked=counts[""],
                    note=note,
                )
        except IntegrityError:
            raise RuleViolation(f"{unit.name}{first:%Y年%m月}的台账已经报送，不能重复报送。") from None
        MonthlyLedgerRow.objects.bulk_create(
            [
                MonthlyLedgerRow(
                    ledger=ledger,
                    position=i,
                    kind=line.kind,
                    target_id=line.target_id,
                    number=line.number,
                    summary=line.summary,
                    subject_names=line.subject_names,
                    state=line.state,
                    registered_on=line.registered_on,
                    deadline_label=line.deadline_label,
                    due_on=line.due_on,
                    mark=line.mark,
                    mark_text=line.mark_text,
                )
                for i, line in enumerate(lines, start=1)
            ]
        )
        record_event(
            actor=actor,
            action="statistics.monthly_ledger_submitted",
            target=ledger,
            target_label=str(ledger),
            commission_id=unit.commission_id,
            detail={
                "unit": unit.name,
                "month": f"{first:%Y-%m}",
                "as_of": day.isoformat(),
                "rows": len(lines),
                "red": counts["red"],
                "yellow": counts["yellow"],
                "blue": counts["blue"],
                "zone": ledger.zone.name if ledger.zone else "",
            },
            request=request,
        )
    return ledger


def export_ledger(actor: Actor, *, ledger: MonthlyLedger, request: HttpRequest | None = None) -> bytes:
    """The submitted month as .xlsx, each row's 预警 cell filled red, yellow or blue; one audit event."""
    from openpyxl.styles import PatternFill

    from xiezuoqu.spreadsheets import finish_workbook, ledger_workbook

    fills = {
        "red": PatternFill("solid", fgColor="F4B6B6"),
        "yellow": PatternFill("solid", fgColor="FBE7A1"),
        "blue": PatternFill("solid", fgColor="BFD9F2"),
    }
    heading = (
        f"{ledger.unit.name}{ledger.month:%Y年%m月}问题线索和案件台账（截至 {ledger.as_of:%Y-%m-%d}，"
        f"报送于 {timezone.localtime(ledger.submitted_at):%Y-%m-%d %H:%M}）"
    )
    columns = [
        ("序号", 6),
        ("类别", 8),
        ("编号", 24),
        ("事项", 40),
        ("被反映人", 14),
        ("办理状态", 14),
        ("登记（立案）日期", 14),
        ("最紧迫的在办时限", 36),
        ("到期日", 12),
        ("预警", 10),
        ("预警说明", 18),
    ]
    workbook, sheet = ledger_workbook("月度台账", heading, columns)
    rows = list(selectors.ledger_rows_visible_to(actor).filter(ledger=ledger).order_by("position"))
    for row in rows:
        sheet.append(
            [
                row.position,
                row.get_kind_display(),
                row.number,
                row.summary,
                row.subject_names,
                row.state,
                row.registered_on,
                row.deadline_label,
                row.due_on,
                row.get_mark_display(),
                row.mark_text,
            ]
        )
        fill = fills.get(row.mark)
        if fill is not None:
            sheet.cell(row=sheet.max_row, column=10).fill = fill
    content = finish_workbook(workbook, sheet)
    with transaction.atomic():
        record_event(
            actor=actor,
            action="statistics.monthly_ledger_exported",
            target=ledger,
            target_label=str(ledger),
            commission_id=ledger.commission_id,
            detail={"rows": len(rows), "month": f"{ledger.month:%Y-%m}"},
            request=request,
        )
    return content
