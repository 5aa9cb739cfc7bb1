"""Official documents (.docx) in the layout of 党政机关公文 (GB/T 9704 in spirit), shared by every app.

A4 with the standard margins; 红头 (the issuing body in red 小标宋, centred), the document number
under it and a red rule; titles in 小标宋, body in 仿宋_GB2312 三号 (16 pt), labels in 黑体; dates
written out in Chinese. Documents are generated on demand from the records, so they never drift.
"""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run

RED = RGBColor(0xC0, 0x00, 0x00)
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
LABEL_FONT = "黑体"
BODY_SIZE = 16  # 三号
CENTER = WD_ALIGN_PARAGRAPH.CENTER
RIGHT = WD_ALIGN_PARAGRAPH.RIGHT


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def set_font(run: Run, name: str, size: float, *, bold: bool = False, colour: RGBColor | None = None) -> Run:
    """Font for Latin and East Asian text alike (Word reads w:eastAsia for Chinese)."""
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


def red_rule(paragraph: Paragraph) -> None:
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


def paragraph(
    document: DocumentObject, text: str, font: str = BODY_FONT, size: float = BODY_SIZE, **kw: Any
) -> Paragraph:
    para = document.add_paragraph()
    align = kw.pop("align", None)
    if align is not None:
        para.alignment = align
    set_font(para.add_run(text), font, size, **kw)
    return para


def body(document: DocumentObject, text: str) -> Paragraph:
    """A body paragraph with the two-character first-line indent of official prose."""
    para = paragraph(document, text)
    para.paragraph_format.first_line_indent = Pt(BODY_SIZE * 2)
    para.paragraph_format.line_spacing = Pt(28)
    return para


def new_document() -> DocumentObject:
    """An empty A4 document with the margins of an official document."""
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    return document


def official_document(issuer: str, number: str, title: str) -> DocumentObject:
    """A new A4 document with the red header, the document number, the red rule and the title."""
    document = new_document()
    paragraph(document, issuer, TITLE_FONT, 26, bold=True, colour=RED, align=CENTER)
    red_rule(paragraph(document, number, BODY_FONT, BODY_SIZE, align=CENTER))
    paragraph(document, title, TITLE_FONT, 22, bold=True, align=CENTER)
    return document


def signature(document: DocumentObject, signer: str, day: date) -> None:
    document.add_paragraph()
    paragraph(document, signer, align=RIGHT)
    paragraph(document, chinese_date(day), align=RIGHT)


def to_bytes(document: DocumentObject) -> bytes:
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()
