"""督办单 as a .docx in the layout of an official document (党政机关公文格式, GB/T 9704 in spirit).

红头 (the issuing body's name in red, centred, 小标宋), the document number under it, a red rule, the
title 督办单, a table of the matter, and the issuing zone leader's signature with the date in Chinese.
Generated on demand from the slip row, so the document never drifts from the record.
"""

from __future__ import annotations

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from xiezuoqu.documents import (
    BODY_FONT,
    LABEL_FONT,
    chinese_date,
    official_document,
    paragraph,
    set_font,
    to_bytes,
)
from xiezuoqu.workdays.calendar import WorkCalendar

from .kinds import DEADLINE_KINDS, kind_label
from .models import SupervisionSlip

# 督办要求: the default wording; the zone may say more in its answer to the slip.
REQUIREMENT = (
    "该事项已超过办理时限。请你单位高度重视，于收到本督办单之日起 5 个工作日内办结，"
    "并将办理情况及超期原因书面报告协作区；确需延期的，应按规定履行延期审批手续。"
    "逾期仍未办结的，将按有关规定予以通报。"
)


def slip_docx(slip: SupervisionSlip, *, calendar: WorkCalendar) -> bytes:
    """The 督办单 of ``slip`` as .docx bytes."""
    deadline = slip.deadline
    commission = slip.commission
    document = official_document(commission.name, slip.number, "督 办 单")

    overdue_wd = max(0, calendar.working_days_between(slip.due_date, slip.issued_on).days)
    overdue_days = max(0, (slip.issued_on - slip.due_date).days)
    kind = DEADLINE_KINDS.get(deadline.kind)
    rows = [
        ("督办事项", deadline.label),
        ("事项对象", deadline.target_label),
        ("时限类别", kind_label(deadline.kind) + (f"（{kind.rule}）" if kind and kind.rule else "")),
        ("起算日期", chinese_date(deadline.start_date)),
        (
            "办理期限",
            deadline.period_text + (f"（已延期 {deadline.extension_count} 次）" if deadline.extension_count else ""),
        ),
        ("到期日期", chinese_date(slip.due_date)),
        ("超期情况", f"截至{chinese_date(slip.issued_on)}，已超期 {overdue_wd} 个工作日（{overdue_days} 天）"),
        ("责任单位", deadline.responsible_unit.name if deadline.responsible_unit else "—"),
        ("所属协作区", slip.zone.name if slip.zone else "—"),
        ("督办要求", REQUIREMENT),
    ]
    table = document.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for (label, value), row in zip(rows, table.rows, strict=True):
        row.cells[0].width, row.cells[1].width = Cm(3.2), Cm(12.4)
        label_paragraph = row.cells[0].paragraphs[0]
        label_paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_font(label_paragraph.add_run(label), LABEL_FONT, 14)
        set_font(row.cells[1].paragraphs[0].add_run(value), BODY_FONT, 14)

    document.add_paragraph()
    leader = slip.zone_leader.name if slip.zone_leader else ""
    signer = f"{slip.zone.name}组长：{leader}" if slip.zone else f"{commission.name}"
    paragraph(document, signer, BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.RIGHT)
    paragraph(document, chinese_date(slip.issued_on), BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.RIGHT)
    note = paragraph(
        document,
        f"抄送：{commission.name}案件监督管理室。    督办单状态：{slip.get_state_display()}",
        BODY_FONT,
        12,
    )
    note.paragraph_format.space_before = Pt(24)

    return to_bytes(document)


def slip_filename(slip: SupervisionSlip) -> str:
    return f"督办单-{slip.number}.docx"
