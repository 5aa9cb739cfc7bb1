"""The 信访台账 and the quarterly result report as .xlsx, through the same scope as the pages; the 转办函
and package for a lower commission that is not on the platform.

Rows come from ``selectors.ledger_queryset`` (the actor's scope with the page's filters), walked by
keyset in chunks so that memory stays flat; every export is one audit event naming the filters and
the reports it contained.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from io import BytesIO
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from openpyxl import Workbook

from xiezuoqu.access.actor import Actor
from xiezuoqu.audit.services import record_event
from xiezuoqu.documents import (
    BODY_FONT,
    LABEL_FONT,
    body,
    chinese_date,
    official_document,
    paragraph,
    set_font,
    signature,
    to_bytes,
)
from xiezuoqu.errors import NotFound, NotPermitted
from xiezuoqu.spreadsheets import finish_workbook, ledger_workbook

from .models import Report, RoutingDecision
from .selectors import (
    LedgerFilters,
    decisions_visible_to,
    get_report_for,
    ledger_queryset,
    may_route,
    quarterly_results,
    with_list_relations,
)
from .workflow import STATE_LABELS, Action

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
    return ledger_workbook(title, heading, LEDGER_COLUMNS)


_finish = finish_workbook


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


# --- 转办函 and the package for a lower commission not on the platform -----------------------------------


def forward_letter_docx(report: Report, decision: RoutingDecision) -> bytes:
    """转办函: the letter that goes with a report sent to a lower commission not on the platform, in
    the official layout (红头, 文号, red rule), naming the 5 WD the lower level has by the rules."""
    commission = report.commission
    agency = decision.target_agency or (decision.target_commission.name if decision.target_commission else "")
    document = official_document(commission.name, decision.document_no or "", "转 办 函")
    paragraph(document, f"{agency}：")
    body(
        document,
        f"现将{report}检举控告件转你单位办理。根据《纪检监察机关处理检举控告工作规则》，请在收到后"
        f"5个工作日内受理或者再转办，并将办理结果按规定反馈我委信访室。",
    )
    body(document, f"转办理由：{decision.reason}")
    accused = "、".join(
        f"{a.name}（{'，'.join(p for p in (a.unit_text, a.position) if p)}）" if a.unit_text or a.position else a.name
        for a in report.accused.all()
    )
    rows = [
        ("台账编号", str(report)),
        ("收件日期", chinese_date(report.received_on)),
        ("来源渠道", report.get_channel_display()),
        ("问题类别", report.get_category_display()),
        ("被反映人", accused or "—"),
        ("主要内容", report.summary),
        (
            "举报方式",
            "实名举报（举报人身份信息不随本函附送，另行按机要渠道传递）" if report.is_real_name else "匿名举报",
        ),
    ]
    table = document.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    for (label, value), row in zip(rows, table.rows, strict=True):
        set_font(row.cells[0].paragraphs[0].add_run(label), LABEL_FONT, 14)
        set_font(row.cells[1].paragraphs[0].add_run(value), BODY_FONT, 14)
    body(document, "附件：检举控告件原文")
    signature(document, commission.name, decision.sent_on or timezone.localdate())
    return to_bytes(document)


def _report_text(report: Report) -> str:
    accused = "\n".join(
        f"  {a.order + 1}. {a.name}　{a.unit_text}　{a.position}".rstrip() for a in report.accused.all()
    )
    return (
        f"台账编号：{report}\n收件日期：{report.received_on:%Y-%m-%d}\n来源渠道：{report.get_channel_display()}\n"
        f"问题类别：{report.get_category_display()}\n举报方式：{'实名' if report.is_real_name else '匿名'}\n"
        f"被反映人：\n{accused or '  —'}\n\n主要内容摘要：\n{report.summary}\n\n反映的具体内容：\n{report.content}\n"
    )


def export_forward_package(actor: Actor, report_id: Any, *, request: HttpRequest | None = None) -> tuple[str, bytes]:
    """The recorded export for a lower commission not on the platform: a .zip with the 转办函, the
    report's text and a manifest of SHA-256 digests. The reporter's identity is never in it. Only the
    routers of the report may take it, once the decision is on record; each export is an audit event
    with the package's digest."""
    with transaction.atomic():
        report = get_report_for(actor, report_id)
        decision = (
            decisions_visible_to(actor)
            .filter(report=report, kind=Action.FORWARD_LOWER, target_commission__isnull=True)
            .order_by("-id")
            .first()
        )
        if decision is None:
            raise NotFound()
        if not may_route(actor, report):
            raise NotPermitted(
                "只有信访室或受理单位可以导出转办材料。",
                audit_action="report.forward_package_exported",
                target_type="intake.report",
                target_id=str(report.pk),
            )
        files = {
            "转办函.docx": forward_letter_docx(report, decision),
            "检举控告件.txt": _report_text(report).encode(),
        }
        manifest = {
            "report": report.pk,
            "ledger_number": report.ledger_number,
            "commission": report.commission.name,
            "to": decision.target_agency,
            "document_no": decision.document_no,
            "sent_on": decision.sent_on.isoformat() if decision.sent_on else None,
            "sent_via": decision.sent_via,
            "generated_at": timezone.localtime().isoformat(timespec="seconds"),
            "files": {name: hashlib.sha256(data).hexdigest() for name, data in files.items()},
        }
        buffer = BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in files.items():
                archive.writestr(name, data)
            archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        content = buffer.getvalue()
        record_event(
            actor=actor,
            action="report.forward_package_exported",
            target=report,
            detail={
                "decision": decision.pk,
                "to": decision.target_agency,
                "document_no": decision.document_no,
                "sha256": hashlib.sha256(content).hexdigest(),
                "files": manifest["files"],
            },
            request=request,
        )
    return f"转办材料-{report.pk}.zip", content
