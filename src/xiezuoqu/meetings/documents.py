"""会议纪要 as a .docx in official layout (红头, 纪要 number line, red rule, body in 仿宋).

Generated on demand from the meeting's record — attendance, per-item recusals, each member's vote
(记名表决), resolutions, the tasks they assign (会议交办事项) and a 总结会's figures as frozen when the
item was decided — so the minutes never drift from what was decided.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH

from xiezuoqu.documents import BODY_FONT, LABEL_FONT, RED, TITLE_FONT, chinese_date, new_document
from xiezuoqu.documents import paragraph as _paragraph
from xiezuoqu.documents import red_rule as _red_rule

from .models import Attendance, Meeting, Presence, Vote
from .summary import Period, ZoneFigures, period_label


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
        for line in vote_lines(resolution):
            _paragraph(document, line, BODY_FONT, 16)
        if resolution.figures:
            figures = ZoneFigures.from_json(resolution.figures)
            _paragraph(document, f"统计期间：{_period_text(item)}。本协作区工作数据（表决时统计）：", BODY_FONT, 16)
            for n, (label, value) in enumerate(figures.rows(), start=1):
                _paragraph(document, f"{n}. {label}：{value}", BODY_FONT, 14)
        for task in resolution.follow_ups.all():
            who = task.unit.name + (f"（{task.assignee.name}）" if task.assignee else "")
            _paragraph(
                document,
                f"交办事项{task.seq}：{task.task}（承办：{who}；办结时限：{chinese_date(task.due_on)}前）",
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


def vote_lines(resolution: Any) -> list[str]:
    """表决情况 as a 纪要 records it: the counts, then who voted how, by name."""
    if resolution.outcome == "defer" and not resolution.votes_for + resolution.votes_against + resolution.votes_abstain:
        return [f"表决情况：应到有表决权成员 {resolution.voting_members} 人，本议题暂缓研究，未付表决。"]
    counts = (
        f"表决情况：应到有表决权成员 {resolution.voting_members} 人，参加表决 {resolution.present_voters} 人，"
        f"同意 {resolution.votes_for} 票，不同意 {resolution.votes_against} 票，弃权 {resolution.votes_abstain} 票"
    )
    if not resolution.by_ballot:
        return [counts + "（按票数登记）。"]
    by_vote: dict[str, list[str]] = {v: [] for v in Vote.values}
    for ballot in resolution.ballots.all():
        by_vote[ballot.vote].append(ballot.staff.name)
    names = "；".join(f"{label}：{'、'.join(by_vote[v]) or '无'}" for v, label in Vote.choices)
    return [counts + "。", f"表决名单：{names}。"]


def _period_text(item: Any) -> str:
    if item.period_start is None or item.period_end is None:
        return ""
    return Period(item.period_start, item.period_end, label=period_label(item.period_start, item.period_end)).text


def minutes_filename(meeting: Meeting) -> str:
    return f"会议纪要-{meeting.zone.name}-{meeting.scheduled_at:%Y%m%d}.docx"
