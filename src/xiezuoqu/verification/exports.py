"""The 措施使用台账 (.xlsx) and a matter's 证据清单 (.xlsx and .docx), through the same scope as the pages.

Every export is one audit event naming what it contained; an inventory export is also a custody
event (exported) of every item it lists.
"""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm

from xiezuoqu.access.actor import Actor
from xiezuoqu.audit.services import record_event
from xiezuoqu.clues.models import Clue
from xiezuoqu.documents import BODY_FONT, LABEL_FONT, TITLE_FONT, chinese_date
from xiezuoqu.documents import paragraph as _paragraph
from xiezuoqu.documents import set_font as _font
from xiezuoqu.public.files import size_text
from xiezuoqu.spreadsheets import finish_workbook, ledger_workbook

from . import services
from .models import EvidenceItem, Measure
from .selectors import MeasureFilters, inventory, measure_ledger_queryset, with_measure_relations

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

MEASURE_COLUMNS: list[tuple[str, int]] = [
    ("序号", 6),
    ("线索编号", 24),
    ("承办单位", 16),
    ("措施种类", 10),
    ("对象（人员或资料）", 24),
    ("开始时间", 17),
    ("结束时间", 17),
    ("地点", 20),
    ("承办人员", 18),
    ("审批依据", 24),
    ("批准人", 10),
    ("措施文书", 24),
    ("状态", 10),
    ("审核人", 10),
    ("审核意见", 20),
    # Time-limited measures (管护, 责令候查, 强制到案, 冻结): the end above is the planned end.
    ("法定期限", 28),
    ("期限状态", 14),
    ("延长（续冻）", 30),
    ("解除（变更）", 30),
]
EVIDENCE_COLUMNS: list[tuple[str, int]] = [
    ("证据序号", 8),
    ("证据名称", 28),
    ("证据种类", 14),
    ("证明内容", 30),
    ("文件类型", 14),
    ("大小", 10),
    ("SHA-256", 68),
    ("SM3", 68),
    ("收集人", 10),
    ("收集时间", 17),
    ("来源措施", 14),
    ("完整性", 10),
]
CHUNK = 500
MAX_ROWS = 100_000


_sheet = ledger_workbook
_finish = finish_workbook


def _local(value: Any) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def _chunks(qs: Any) -> Iterator[list[Measure]]:
    before: int | None = None
    while True:
        page = qs if before is None else qs.filter(pk__lt=before)
        rows = list(with_measure_relations(page)[:CHUNK])
        if not rows:
            return
        yield rows
        before = rows[-1].pk


def measure_row(number: int, m: Measure) -> list[Any]:
    return [
        number,
        m.clue.ledger_number,
        m.clue.handling_unit.name,
        m.get_kind_display(),
        m.person_or_record,
        _local(m.starts_at),
        _local(m.ends_at),
        m.place,
        "、".join(o.name for o in m.officers.all()),
        m.approval_reference,
        str(m.approved_by) if m.approved_by else "",
        f"证据 {m.record_document.number}：{m.record_document.title}" if m.record_document else "（未上传）",
        m.get_state_display(),
        str(m.reviewed_by) if m.reviewed_by else "",
        m.review_note,
        *_term_cells(m),
    ]


def _term_cells(m: Measure) -> list[str]:
    term = m.term
    if term is None:
        return ["", "", "", ""]
    verb = "续冻" if m.kind == "freeze" else "延长"
    extensions = "；".join(
        f"{verb}{x.amount}{x.get_unit_display()}至{_local(x.new_ends_at)}（{x.reference}）" for x in m.extensions.all()
    )
    released = ""
    if m.released_at is not None:
        into = f"为{m.get_converted_to_display()}" if m.converted_to else ""
        released = f"{m.get_term_state_display()}{into} {_local(m.released_at)}：{m.release_reason}"
    state = term.state_label + (f"（{term.remaining_text}）" if term.remaining_text else "")
    return [term.limit.text, state, extensions, released]


def export_measure_ledger(actor: Actor, filters: MeasureFilters, *, request: HttpRequest | None = None) -> bytes:
    """措施使用台账 .xlsx: the measures of the actor's scope under the page's filters (audited)."""
    workbook, sheet = _sheet(
        "措施使用台账", f"措施使用台账（导出于 {timezone.localtime():%Y-%m-%d %H:%M}）", MEASURE_COLUMNS
    )
    ids: list[int] = []
    for chunk in _chunks(measure_ledger_queryset(actor, filters)):
        for measure in chunk:
            ids.append(measure.pk)
            sheet.append(measure_row(len(ids), measure))
        if len(ids) >= MAX_ROWS:
            break
    with transaction.atomic():
        record_event(
            actor=actor,
            action="verification.measure_ledger_exported",
            target_type="verification.measure",
            detail={"filters": filters.as_query(), "count": len(ids), "measures": ids},
            request=request,
        )
    return _finish(workbook, sheet)


def evidence_row(item: EvidenceItem) -> list[Any]:
    measure = item.source_measure
    return [
        item.number,
        item.title,
        item.get_kind_display(),
        item.description,
        item.content_type.split(";")[0],
        size_text(item.size),
        item.sha256,
        item.sm3,
        str(item.collected_by),
        _local(item.collected_at),
        measure.get_kind_display() if measure else "",
        item.get_integrity_display(),
    ]


def export_inventory_xlsx(actor: Actor, clue: Clue, *, request: HttpRequest | None = None) -> bytes:
    """证据清单 .xlsx of one matter (every item a custody event: exported)."""
    items = inventory(actor, clue)
    workbook, sheet = _sheet("证据清单", f"{clue.ledger_number} 证据清单", EVIDENCE_COLUMNS)
    for item in items:
        sheet.append(evidence_row(item))
    services.record_export(actor=actor, clue=clue, items=items, fmt="xlsx", request=request)
    return _finish(workbook, sheet)


def export_inventory_docx(actor: Actor, clue: Clue, *, request: HttpRequest | None = None) -> bytes:
    """证据清单 .docx in the official layout (title 小标宋, body 仿宋, a table of the items and digests)."""
    items = inventory(actor, clue)
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.5)
    section.left_margin, section.right_margin = Cm(2.5), Cm(2.5)
    _paragraph(document, "证 据 清 单", TITLE_FONT, 22, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(
        document,
        f"线索编号：{clue.ledger_number}    承办单位：{clue.handling_unit.name}",
        BODY_FONT,
        14,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    headers = ["序号", "证据名称", "种类", "证明内容", "收集人、时间", "摘要（SHA-256 / SM3）", "完整性"]
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _font(cell.paragraphs[0].add_run(text), LABEL_FONT, 11)
    for item in items:
        cells = table.add_row().cells
        values = [
            str(item.number),
            item.title,
            item.get_kind_display(),
            item.description,
            f"{item.collected_by}\n{_local(item.collected_at)}",
            f"SHA-256：{item.sha256}\nSM3：{item.sm3}",
            item.get_integrity_display(),
        ]
        for cell, text in zip(cells, values, strict=True):
            _font(cell.paragraphs[0].add_run(text), BODY_FONT, 10)
    document.add_paragraph()
    _paragraph(document, f"共 {len(items)} 项。", BODY_FONT, 14)
    _paragraph(document, chinese_date(timezone.localdate()), BODY_FONT, 14, align=WD_ALIGN_PARAGRAPH.RIGHT)
    services.record_export(actor=actor, clue=clue, items=items, fmt="docx", request=request)
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()
