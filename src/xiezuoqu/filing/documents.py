"""立案审查呈批报告 as a .docx in official layout: 红头, title, the 呈批 table of the recorded data
(subject, source, facts, basis, team, measures, evidence, the team's proposal), then the zone's
recommendation (with its resolution number) and the competent body's decision — each filled from
the record once it exists, left blank for signature before."""

from __future__ import annotations

from io import BytesIO

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm

from xiezuoqu.documents import BODY_FONT, LABEL_FONT, RED, TITLE_FONT, chinese_date, new_document
from xiezuoqu.documents import paragraph as _paragraph
from xiezuoqu.documents import red_rule as _red_rule
from xiezuoqu.documents import set_font as _font
from xiezuoqu.meetings.documents import vote_lines

from .models import FilingProposal


def _subject_line(proposal: FilingProposal) -> str:
    s = proposal.subject
    parts = [s.name, s.unit_text, s.position, s.get_rank_display(), "中共党员" if s.is_party_member else "非中共党员"]
    if s.is_village_cadre:
        parts.append("村（社区）干部")
    return "，".join(p for p in parts if p)


def filing_request_docx(proposal: FilingProposal) -> bytes:
    document = new_document()
    _paragraph(
        document, proposal.commission.name, TITLE_FONT, 26, bold=True, colour=RED, align=WD_ALIGN_PARAGRAPH.CENTER
    )
    line = _paragraph(
        document,
        f"{proposal.zone.name if proposal.zone else ''}    {proposal.clue.ledger_number}",
        BODY_FONT,
        16,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    _red_rule(line)
    _paragraph(document, "立案审查呈批报告", TITLE_FONT, 22, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)

    resolution = proposal.zone_resolution
    if resolution is not None:
        zone_view = (
            f"经{proposal.zone.name if proposal.zone else '协作区'}会议研究（{resolution.number}），"
            f"{resolution.get_outcome_display()}。{resolution.text}\n" + "\n".join(vote_lines(resolution))
        )
    else:
        zone_view = "（待协作区立案研究会研究）"
    if proposal.body_decision:
        body_view = (
            f"{proposal.get_body_decision_display()}。{proposal.body_reason}"
            + (f"（{proposal.body_document_number}）" if proposal.body_document_number else "")
            + (f"  {chinese_date(proposal.body_decided_at.date())}" if proposal.body_decided_at else "")
        )
    else:
        body_view = "\n\n签字：                日期："
    rows = [
        ("被审查调查人", _subject_line(proposal)),
        (
            "线索来源",
            f"{proposal.clue.get_source_display()}（{proposal.clue.ledger_number}，收到于{chinese_date(proposal.clue.received_on)}）",
        ),
        ("承办单位", proposal.clue.handling_unit.name),
        ("主要违纪违法事实", proposal.facts),
        ("立案依据", proposal.basis),
        ("核查组成员", proposal.team_text or "—"),
        ("初核措施使用情况", proposal.measures_summary or "—"),
        ("证据材料目录", proposal.evidence_inventory or "—"),
        ("拟办意见", proposal.proposal),
        ("协作区研究意见", zone_view),
        (f"有权机关意见（{proposal.body_name}）", body_view),
    ]
    table = document.add_table(rows=len(rows), cols=2)  # type: ignore[attr-defined]
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for (label, value), row in zip(rows, table.rows, strict=True):
        row.cells[0].width, row.cells[1].width = Cm(3.6), Cm(12.0)
        label_paragraph = row.cells[0].paragraphs[0]
        label_paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(label_paragraph.add_run(label), LABEL_FONT, 14)
        _font(row.cells[1].paragraphs[0].add_run(value), BODY_FONT, 14)
    document.add_paragraph()  # type: ignore[attr-defined]
    _paragraph(
        document,
        f"起草：{proposal.drafted_by}    {chinese_date(proposal.drafted_at.date())}",
        BODY_FONT,
        14,
        align=WD_ALIGN_PARAGRAPH.RIGHT,
    )
    buffer = BytesIO()
    document.save(buffer)  # type: ignore[attr-defined]
    return buffer.getvalue()


def filing_request_filename(proposal: FilingProposal) -> str:
    return f"立案审查呈批报告-{proposal.clue.ledger_number}-{proposal.subject.name}.docx"
