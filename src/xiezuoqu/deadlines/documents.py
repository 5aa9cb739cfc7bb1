"""督办单 as a .docx in the layout of an official document (党政机关公文格式, GB/T 9704 in spirit).

红头 (the issuing body's name in red, centred, 小标宋), the document number under it, a red rule, the
title 督办单, a table of the matter, and the issuing zone leader's signature with the date in Chinese.
Generated on demand from the slip row, so the document never drifts from the record.
"""

from __future__ import annotations

from datetime import date
from io import BytesIO

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from xiezuoqu.workdays.calendar import WorkCalendar

from .kinds import DEADLINE_KINDS, kind_label
from .models import SupervisionSlip

RED = RGBColor(0xC0, 0x00, 0x00)
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
LABEL_FONT = "黑体"
# 督办要求: the default wording; the zone may say more in its answer to the slip.
REQUIREMENT = (
    "该事项已超过办理时限。请你单位高度重视，于收到本督办单之日起 5 个工作日内办结，"
    "并将办理情况及超期原因书面报告协作区；确需延期的，应按规定履行延期审批手续。"
    "逾期仍未办结的，将按有关规定予以通报。"
)


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _font(run: Run, name: str, size: float, *, bold: bool = False, colour: RGBColor | None = None) -> Run:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    if colour is not None:
        run.font.color.rgb = colour
    r_pr = run._element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), name)
    return run


def _red_rule(paragraph: Paragraph) -> None:
    """A red line under the paragraph (the 红线 of a 红头 document)."""
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), "18")
    bottom.set(qn("w:space"), "1")
    bottom.set(qn("w:color"), "C00000")
    borders.append(bottom)
    p_pr.append(borders)


def _paragraph(document: object, text: str, font: str, size: float, **kw: object) -> Paragraph:
    paragraph: Paragraph = document.add_paragraph()  # type: ignore[attr-defined]
    align = kw.pop("align", None)
    if align is not None:
        paragraph.alignment = align  # type: ignore[assignment]
    _font(paragraph.add_run(text), font, size, **kw)  # type: ignore[arg-type]
    return paragraph


def slip_docx(slip: SupervisionSlip, *, calendar: WorkCalendar) -> bytes:
    """The 督办单 of ``slip`` as .docx bytes."""
    deadline = slip.deadline
    commission = slip.commission
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)

    _paragraph(document, commission.name, TITLE_FONT, 26, bold=True, colour=RED, align=WD_ALIGN_PARAGRAPH.CENTER)
    number = _paragraph(document, slip.number, BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.CENTER)
    _red_rule(number)
    _paragraph(document, "督 办 单", TITLE_FONT, 22, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)

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
        _font(label_paragraph.add_run(label), LABEL_FONT, 14)
        _font(row.cells[1].paragraphs[0].add_run(value), BODY_FONT, 14)

    document.add_paragraph()
    leader = slip.zone_leader.name if slip.zone_leader else ""
    signer = f"{slip.zone.name}组长：{leader}" if slip.zone else f"{commission.name}"
    _paragraph(document, signer, BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(document, chinese_date(slip.issued_on), BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.RIGHT)
    note = _paragraph(
        document,
        f"抄送：{commission.name}案件监督管理室。    督办单状态：{slip.get_state_display()}",
        BODY_FONT,
        12,
    )
    note.paragraph_format.space_before = Pt(24)

    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def slip_filename(slip: SupervisionSlip) -> str:
    return f"督办单-{slip.number}.docx"
