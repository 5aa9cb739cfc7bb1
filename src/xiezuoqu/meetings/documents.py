"""会议纪要 as a .docx in official layout (红头, 纪要 number line, red rule, body in 仿宋).

Generated on demand from the meeting's record — attendance, per-item recusals, votes and
resolutions — so the minutes never drift from what was decided.
"""

from __future__ import annotations

from io import BytesIO

from docx.enum.text import WD_ALIGN_PARAGRAPH

from xiezuoqu.documents import BODY_FONT, LABEL_FONT, RED, TITLE_FONT, chinese_date, new_document
from xiezuoqu.documents import paragraph as _paragraph
from xiezuoqu.documents import red_rule as _red_rule

from .models import Attendance, Meeting, Presence


def minutes_docx(meeting: Meeting, items: list, attendances: list[Attendance]) -> bytes:
    """The minutes of ``meeting``: ``items`` are the agenda items (with resolutions and recusals)."""
    document = new_document()
    _paragraph(
        document, f"{meeting.zone.name}会议纪要", TITLE_FONT, 26, bold=True, colour=RED, align=WD_ALIGN_PARAGRAPH.CENTER
    )
    number_line = _paragraph(
        document,
        f"{meeting.get_kind_display()}    {chinese_date(meeting.scheduled_at.date())}",
        BODY_FONT,
        16,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    _red_rule(number_line)
    _paragraph(document, meeting.title, TITLE_FONT, 22, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)

    when = meeting.held_at or meeting.scheduled_at
    _paragraph(
        document,
        f"{chinese_date(when.date())}，{meeting.zone.name}在{meeting.place}召开{meeting.get_kind_display()}，"
        f"由{meeting.chair.name}主持。",
        BODY_FONT,
        16,
    )
    voters = [a for a in attendances if a.is_voting]
    present = [a.staff.name for a in voters if a.presence == Presence.PRESENT]
    away = [
        f"{a.staff.name}（{a.get_presence_display()}：{a.reason}）" for a in voters if a.presence != Presence.PRESENT
    ]
    guests = [a.staff.name for a in attendances if not a.is_voting and a.presence == Presence.PRESENT]
    _paragraph(document, "一、出席情况", LABEL_FONT, 16)
    _paragraph(
        document,
        f"有表决权成员应到 {len(voters)} 人，实到 {len(present)} 人：{'、'.join(present) or '无'}。"
        + (f"缺席（请假）：{'；'.join(away)}。" if away else "")
        + (f"列席：{'、'.join(guests)}。" if guests else ""),
        BODY_FONT,
        16,
    )
    _paragraph(document, "二、议定事项", LABEL_FONT, 16)
    for item in items:
        _paragraph(document, f"（{item.order}）{item.kind_label}：{item.title}", BODY_FONT, 16, bold=True)
        recusals = list(item.recusals.all())
        if recusals:
            names = "、".join(f"{r.staff.name}（{r.ground_label}）" for r in recusals)
            _paragraph(document, f"回避：{names}，未参加本议题的研究和表决。", BODY_FONT, 16)
        resolution = getattr(item, "resolution", None)
        if resolution is None:
            _paragraph(document, "本议题未表决。", BODY_FONT, 16)
            continue
        _paragraph(
            document,
            f"决议（{resolution.number}）：{resolution.get_outcome_display()}。{resolution.text}",
            BODY_FONT,
            16,
        )
        _paragraph(
            document,
            f"表决情况：参加表决 {resolution.present_voters} 人，同意 {resolution.votes_for} 票，"
            f"反对 {resolution.votes_against} 票，弃权 {resolution.votes_abstain} 票。",
            BODY_FONT,
            16,
        )
    if meeting.minutes_summary:
        _paragraph(document, "三、会议要求", LABEL_FONT, 16)
        _paragraph(document, meeting.minutes_summary, BODY_FONT, 16)
    document.add_paragraph()  # type: ignore[attr-defined]
    _paragraph(document, meeting.zone.name, BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.RIGHT)
    issued = meeting.minutes_issued_at.date() if meeting.minutes_issued_at else when.date()
    _paragraph(document, chinese_date(issued), BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(document, f"报送：{meeting.commission.name}案件监督管理室。", BODY_FONT, 12)
    buffer = BytesIO()
    document.save(buffer)  # type: ignore[attr-defined]
    return buffer.getvalue()


def minutes_filename(meeting: Meeting) -> str:
    return f"会议纪要-{meeting.zone.name}-{meeting.scheduled_at:%Y%m%d}.docx"
