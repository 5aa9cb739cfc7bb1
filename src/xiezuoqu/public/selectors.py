"""Reads of the public side, and the staff side's reads of the reporter's attachments.

The public reporter is not an actor: the receipt code is the only key, and what it opens is the
``ReporterView`` below — the status in plain words, the exchanges addressed to the reporter and what
the reporter sent — built from a few columns of intake's rows, so that no template of the public site
can reach a handling unit, a staff name, a ledger number or anything about the accused.

Staff read attachments through the ``ATTACHMENTS`` policy (the report's scope: who may see the report
may see its files) or, on a report page that already passed the report policy, ``attachments_for``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import QuerySet

from xiezuoqu.access.actor import Actor
from xiezuoqu.access.registry import Policy, policy_for, register
from xiezuoqu.intake.models import Category, MessageKind, Report, ReportMessage
from xiezuoqu.intake.selectors import can_view_report, reports_visible_to
from xiezuoqu.intake.workflow import PUBLIC_STATUS, State
from xiezuoqu.org.models import Commission, Unit, Village

from .files import download_name, size_text
from .models import Attachment

# --- what the reporter reads -----------------------------------------------------------------------------

# What happens next, in the reporter's words (检举控告工作规则: 实名举报 15 个工作日内告知受理情况).
STATUS_HINTS: dict[str, str] = {
    State.RECEIVED: "信访部门将尽快登记。请留意本页，工作人员可能通过本页向您询问情况。",
    State.REGISTERED: "信访部门正在审查是否受理。实名举报的，将在收到后 15 个工作日内告知受理情况。",
    State.ACCEPTED: "正在依规办理，办理期间可能向您了解情况，请定期查询。",
    State.ASSIGNED: "正在依规办理，办理期间可能向您了解情况，请定期查询。",
    State.FORWARDED_DOWN: "已按管辖规定转交办理，请定期查询。",
    State.FORWARDED_LOWER: "已按管辖规定转交下级纪检监察机关办理，请定期查询。",
    State.FORWARDED_UP: "按照管辖规定，由上级纪检监察机关处理。",
    State.TRANSFERRED: "您反映的问题不属于纪检监察机关受理范围，已转有关机关依法处理。",
    State.NOT_ACCEPTED: "如对处理有异议，可在下方提出。",
    State.REPEAT: "您反映的问题此前已有人反映，将一并办理，不再重复处理。",
    State.CONCLUDED: "已办理完毕，办理结果将向您反馈。",
    State.FEEDBACK_GIVEN: "办理结果已反馈如下。如对结果有异议，可在下方提出。",
    State.ARCHIVED: "已办理完毕。",
}

# The reporter's names for the kinds of exchange: no staff, no units, no internal terms.
REPORTER_KIND_LABELS: dict[str, str] = {
    MessageKind.QUESTION: "工作人员询问",
    MessageKind.ANSWER: "您的答复",
    MessageKind.MATERIAL: "您补充的材料",
    MessageKind.ACCEPTANCE_NOTICE: "受理情况告知",
    MessageKind.FEEDBACK: "办理结果反馈",
    MessageKind.OBJECTION: "您提出的异议",
    MessageKind.OBJECTION_ANSWER: "对异议的答复",
}

# The states in which intake takes an objection from the reporter (``record_reporter_message``).
OBJECTION_STATES = frozenset(
    {State.NOT_ACCEPTED, State.CONCLUDED, State.FEEDBACK_GIVEN, State.ARCHIVED, State.TRANSFERRED, State.REPEAT}
)
# What the reporter must have been told before an objection makes sense.
TOLD = frozenset({MessageKind.FEEDBACK, MessageKind.ACCEPTANCE_NOTICE})


@dataclass(frozen=True)
class Exchange:
    id: int
    kind: str
    label: str
    text: str
    on: date
    from_reporter: bool
    answered: bool = False
    answers: tuple[str, ...] = ()


@dataclass(frozen=True)
class SentFile:
    name: str
    size: str
    on: date


@dataclass(frozen=True)
class ReporterView:
    """Everything the receipt opens, and nothing more."""

    report_id: int
    received_on: date
    category: str
    status: str
    hint: str
    is_real_name: bool
    open_questions: tuple[Exchange, ...]
    exchanges: tuple[Exchange, ...]
    files: tuple[SentFile, ...]
    can_add_material: bool
    can_object: bool
    objection_pending: bool
    feedback: tuple[Exchange, ...] = field(default=())

    @property
    def history(self) -> tuple[Exchange, ...]:
        """The exchanges not already shown above: open questions (with their form) and notices/feedback."""
        shown = {q.id for q in self.open_questions} | {f.id for f in self.feedback}
        return tuple(e for e in self.exchanges if e.id not in shown)


def reachable_report(report_id: Any) -> Report | None:
    """The report a valid public cookie names, if it still carries a receipt (the only key)."""
    try:
        pk = int(report_id)
    except (TypeError, ValueError):
        return None
    return (
        Report.objects.filter(pk=pk, source_public=True)
        .exclude(receipt_digest="")
        .only("pk", "state", "received_on", "category", "is_real_name", "commission_id")
        .first()
    )


def objection_allowed(state: str, kinds: set[str], objection_pending: bool) -> bool:
    return state in OBJECTION_STATES and bool(kinds & TOLD) and not objection_pending


def reporter_messages(report_id: int) -> list[ReportMessage]:
    return list(
        ReportMessage.objects.filter(report_id=report_id).only("pk", "kind", "text", "reply_to_id", "created_at")
    )


def reporter_view(report: Report) -> ReporterView:
    """The plain-words page of one report, for the holder of its receipt."""
    rows = reporter_messages(report.pk)
    answers: dict[int, list[str]] = {}
    for m in rows:
        if m.reply_to_id is not None and m.kind in (MessageKind.ANSWER, MessageKind.OBJECTION_ANSWER):
            answers.setdefault(m.reply_to_id, []).append(m.text)
    exchanges = []
    for m in rows:
        if m.reply_to_id is not None and m.kind in (
            MessageKind.ANSWER,
            MessageKind.OBJECTION_ANSWER,
        ):
            continue  # shown under the question or objection it answers
        exchange = Exchange(
            id=m.pk,
            kind=m.kind,
            label=REPORTER_KIND_LABELS.get(m.kind, "往来"),
            text=m.text,
            on=m.created_at.date(),
            from_reporter=m.from_reporter,
            answered=m.pk in answers,
            answers=tuple(answers.get(m.pk, ())),
        )
        exchanges.append(exchange)
    kinds = {m.kind for m in rows}
    pending = any(e.kind == MessageKind.OBJECTION and not e.answered for e in exchanges)
    files = tuple(
        SentFile(name=a.original_name, size=size_text(a.size), on=a.uploaded_at.date())
        for a in Attachment.objects.filter(report_id=report.pk).only("original_name", "size", "uploaded_at")
    )
    return ReporterView(
        report_id=report.pk,
        received_on=report.received_on,
        category=Category(report.category).label if report.category in Category.values else "",
        status=PUBLIC_STATUS.get(report.state, "正在办理"),
        hint=STATUS_HINTS.get(report.state, ""),
        is_real_name=report.is_real_name,
        open_questions=tuple(e for e in exchanges if e.kind == MessageKind.QUESTION and not e.answered),
        exchanges=tuple(exchanges),
        files=files,
        can_add_material=report.state != State.ARCHIVED,
        can_object=objection_allowed(report.state, kinds, pending),
        objection_pending=pending,
        feedback=tuple(e for e in exchanges if e.kind in TOLD),
    )


def open_question(report_id: int, question_id: Any) -> ReportMessage | None:
    """A staff question of this report (the only kind of message the reporter may answer)."""
    try:
        pk = int(question_id)
    except (TypeError, ValueError):
        return None
    return ReportMessage.objects.filter(pk=pk, report_id=report_id, kind=MessageKind.QUESTION).first()


def question_answered(question: ReportMessage) -> bool:
    return ReportMessage.objects.filter(reply_to=question, kind=MessageKind.ANSWER).exists()


# --- where a report can be filed --------------------------------------------------------------------------


def serving_commissions() -> QuerySet[Commission]:
    """The commissions that take online reports: those with an active petition office (信访室)."""
    offices = Unit.objects.filter(kind=Unit.Kind.PETITION_OFFICE, is_active=True).values("commission_id")
    return Commission.objects.filter(pk__in=offices).order_by("level", "name")


def serving_commission(commission_id: Any = None) -> Commission | None:
    """The commission a form is for: the one named, or the only one there is."""
    commissions = serving_commissions()
    if commission_id not in (None, ""):
        try:
            return commissions.filter(pk=int(commission_id)).first()
        except (TypeError, ValueError):
            return None
    found = list(commissions[:2])
    return found[0] if len(found) == 1 else None


SUFFIX = re.compile(r"(纪工委|纪委)$")


def place_name(unit: Unit) -> str:
    """凤凰城街道纪工委 → 凤凰城街道: the reporter names the place, not the committee."""
    return SUFFIX.sub("", unit.name)


def townships(commission: Commission) -> list[tuple[int, str]]:
    rows = Unit.objects.filter(commission=commission, kind=Unit.Kind.TOWNSHIP_COMMITTEE, is_active=True).order_by(
        "sort_order", "id"
    )
    return [(u.pk, place_name(u)) for u in rows]


@dataclass(frozen=True)
class VillageGroup:
    township_id: int
    township: str
    villages: tuple[tuple[int, str], ...]


def villages(commission: Commission) -> list[VillageGroup]:
    """Villages grouped by township, for a select with one group per township."""
    groups: dict[int, tuple[str, list[tuple[int, str]]]] = {}
    rows = (
        Village.objects.filter(township__commission=commission, township__is_active=True)
        .select_related("township")
        .order_by("township__sort_order", "township_id", "name")
    )
    for v in rows:
        groups.setdefault(v.township_id, (place_name(v.township), []))[1].append((v.pk, v.name))
    return [VillageGroup(tid, name, tuple(items)) for tid, (name, items) in groups.items()]


# --- the staff side ---------------------------------------------------------------------------------------


def attachments_visible_to(actor: Actor) -> QuerySet[Attachment]:
    return Attachment.objects.filter(report__in=reports_visible_to(actor))


def can_view_attachment(actor: Actor, attachment: Attachment) -> bool:
    return can_view_report(actor, attachment.report)


ATTACHMENTS = register(
    Policy(Attachment, "举报附件", attachments_visible_to, can_view_attachment, sensitive=True, case_content=True)
)


@dataclass(frozen=True)
class AttachmentRow:
    id: int
    name: str
    download_name: str
    kind: str
    size: str
    uploaded_at: Any
    sha256: str
    with_material: bool


def attachments_for(report: Report) -> list[AttachmentRow]:
    """The files of a report the caller already reached through the report policy (the staff page)."""
    from .files import KINDS

    rows = Attachment.objects.filter(report_id=report.pk).order_by("id")
    return [
        AttachmentRow(
            id=a.pk,
            name=a.original_name,
            download_name=download_name(a.original_name, a.content_type),
            kind=KINDS[a.content_type].label if a.content_type in KINDS else a.content_type,
            size=size_text(a.size),
            uploaded_at=a.uploaded_at,
            sha256=a.sha256,
            with_material=a.message_id is not None,
        )
        for a in rows
    ]


def attachment_for_staff(actor: Actor, attachment_id: Any) -> Attachment:
    """One attachment for a download: the report must pass the report policy (404 otherwise)."""
    from xiezuoqu.errors import NotFound

    try:
        pk = int(attachment_id)
    except (TypeError, ValueError):
        pk = 0
    attachment = Attachment.objects.select_related("report").filter(pk=pk).first()
    if attachment is None or not actor.is_staff_worker:
        raise NotFound(audit_action="attachment.viewed", target_type="public.attachment", target_id=str(attachment_id))
    policy_for(Report).get_for(actor, attachment.report_id)
    return attachment
