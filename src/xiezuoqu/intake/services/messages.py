"""The reporter: notices and feedback given, questions asked and answered, objections recorded and
answered, and what the reporter writes on the public site.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.audit.services import record_event
from xiezuoqu.deadlines.services import open_deadline
from xiezuoqu.errors import InvalidTransition, NotFound, RuleViolation, ValidationFailed
from xiezuoqu.intake import rules
from xiezuoqu.intake.models import FROM_REPORTER, MessageKind, NoticeMethod, Report, ReportMessage
from xiezuoqu.intake.selectors import may_contact_reporter
from xiezuoqu.intake.workflow import DECIDED_STATES, Action, State, next_state
from xiezuoqu.keys import as_key

from ._common import _close_if_open, _event, _lock, _move, _reason, _refuse, _text


def record_reporter_message(
    *, report: Report, kind: str, text: str, reply_to: ReportMessage | None = None, request: HttpRequest | None = None
) -> ReportMessage:
    """The reporter (on the public site, after the receipt matched) answers, adds material or objects."""
    text = _text(text)
    if kind not in FROM_REPORTER:
        raise ValidationFailed("举报人只能答复、补充材料或提出异议。")
    if not text:
        raise ValidationFailed("请填写内容。", field_errors={"text": ["请填写内容。"]})
    if len(text) > 5000:
        raise ValidationFailed("内容不能超过 5000 字。", field_errors={"text": ["过长。"]})
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if kind == MessageKind.OBJECTION and locked.state not in (
            State.NOT_ACCEPTED,
            State.CONCLUDED,
            State.FEEDBACK_GIVEN,
            State.ARCHIVED,
            State.TRANSFERRED,
            State.REPEAT,
        ):
            raise RuleViolation("尚未作出处理结果，暂不能提出异议；如有新情况，请补充材料。")
        if reply_to is not None and (reply_to.report_id != locked.pk or reply_to.kind != MessageKind.QUESTION):
            raise ValidationFailed("只能答复工作人员向您提出的问题。")
        message = ReportMessage.objects.create(report=locked, kind=kind, text=text, reply_to=reply_to)
        record_event(
            actor=None,
            action="report.reporter_message",
            target=locked,
            detail={"kind": kind, "message": message.pk},
            request=request,
        )
        if kind == MessageKind.OBJECTION:
            _open_objection_deadline(None, locked, message, request)
    return message


def _reachable(report: Report) -> bool:
    """Whether there is a reporter to tell: a real-name one, or a public one holding a receipt."""
    return report.is_real_name or bool(report.receipt_digest)


def _method(method: str) -> str:
    if method not in NoticeMethod.values:
        raise ValidationFailed("请选择告知方式。", field_errors={"method": ["请选择告知方式。"]})
    return method


def _message(report: Report, actor: Actor, kind: str, text: str, method: str = "", **kw: Any) -> ReportMessage:
    return ReportMessage.objects.create(
        report=report, kind=kind, text=text, method=method, author_id=actor.user_id, **kw
    )


def record_acceptance_notice(
    *, actor: Actor, report_id: Any, text: str, method: str, request: HttpRequest | None = None
) -> ReportMessage:
    """受理情况告知: the reporter is told whether the report was accepted (real-name: within 15 WD)."""
    with transaction.atomic():
        report = _lock(actor, report_id)
        if not may_contact_reporter(actor, report):
            raise _refuse("您不能代表受理单位告知举报人。", report, "acceptance_notice")
        if not _reachable(report):
            raise RuleViolation("匿名举报无法告知举报人。")
        if report.state not in DECIDED_STATES and report.state != State.FORWARDED_DOWN:
            raise InvalidTransition(f"该件当前状态为“{report.get_state_display()}”，尚未作出受理决定，不能告知。")
        body = _reason(text, label="告知内容")
        message = _message(report, actor, MessageKind.ACCEPTANCE_NOTICE, body, _method(method))
        record_event(
            actor=actor,
            action="report.acceptance_notice",
            target=report,
            detail={"message": message.pk, "method": method},
            request=request,
        )
        _close_if_open(actor, report, rules.ACCEPTANCE_NOTICE.kind, request)
    return message


def give_feedback(
    *, actor: Actor, report_id: Any, text: str, method: str, request: HttpRequest | None = None
) -> ReportMessage:
    """反馈: the reporter is told the result (real-name: within 15 WD after conclusion)."""
    with transaction.atomic():
        report = _lock(actor, report_id)
        next_state(report.state, Action.GIVE_FEEDBACK)
        if not may_contact_reporter(actor, report):
            raise _refuse("您不能代表承办单位向举报人反馈。", report, "feedback")
        if not _reachable(report):
            raise RuleViolation("匿名举报无法反馈，办结后可直接归档。")
        body = _reason(text, label="反馈内容")
        message = _message(report, actor, MessageKind.FEEDBACK, body, _method(method))
        before = _move(report, Action.GIVE_FEEDBACK)
        _event(actor, "feedback_given", report, before, request, message=message.pk, method=method)
        _close_if_open(actor, report, rules.RESULT_FEEDBACK.kind, request)
    return message


def ask_reporter(*, actor: Actor, report_id: Any, text: str, request: HttpRequest | None = None) -> ReportMessage:
    """向举报人询问: a question the reporter reads with the receipt (or is asked by phone)."""
    with transaction.atomic():
        report = _lock(actor, report_id)
        if not may_contact_reporter(actor, report):
            raise _refuse("您不能向该件举报人询问。", report, "question")
        if not _reachable(report):
            raise RuleViolation("匿名举报且无回执码，无法向举报人询问。")
        if report.state == State.ARCHIVED:
            raise InvalidTransition("该件已归档。")
        message = _message(report, actor, MessageKind.QUESTION, _reason(text, label="询问内容"))
        record_event(
            actor=actor, action="report.question_asked", target=report, detail={"message": message.pk}, request=request
        )
    return message


def _open_objection_deadline(
    actor: Actor | None, report: Report, message: ReportMessage, request: HttpRequest | None
) -> None:
    open_deadline(
        actor=actor,
        target=message,
        kind=rules.OBJECTION_ANSWER.kind,
        label=f"{rules.OBJECTION_ANSWER.label}（{report}）",
        start=message.created_at.date() if isinstance(message.created_at, datetime) else timezone.localdate(),
        working_days=rules.OBJECTION_ANSWER.working_days,
        responsible_unit=report.handling_unit or report.routing_unit or report.ledger_unit,
        request=request,
    )


def record_objection(*, actor: Actor, report_id: Any, text: str, request: HttpRequest | None = None) -> ReportMessage:
    """异议登记: an objection the reporter raised by letter, visit or phone is recorded and must be answered."""
    with transaction.atomic():
        report = _lock(actor, report_id)
        if not may_contact_reporter(actor, report):
            raise _refuse("您不能登记该件的异议。", report, "objection")
        if report.state == State.RECEIVED:
            raise InvalidTransition("该件尚未登记。")
        message = _message(report, actor, MessageKind.OBJECTION, _reason(text, label="异议内容"))
        record_event(
            actor=actor,
            action="report.objection_recorded",
            target=report,
            detail={"message": message.pk},
            request=request,
        )
        _open_objection_deadline(actor, report, message, request)
    return message


def answer_objection(
    *, actor: Actor, message_id: Any, text: str, method: str, request: HttpRequest | None = None
) -> ReportMessage:
    """异议答复: the answer to a recorded objection closes its timer."""
    with transaction.atomic():
        objection = ReportMessage.objects.filter(pk=as_key(message_id) or 0).first()
        if objection is None:
            raise NotFound()
        report = _lock(actor, objection.report_id)
        if objection.kind != MessageKind.OBJECTION:
            raise ValidationFailed("只能答复举报人的异议。")
        if objection.replies.filter(kind=MessageKind.OBJECTION_ANSWER).exists():
            raise InvalidTransition("该异议已答复。")
        if not may_contact_reporter(actor, report):
            raise _refuse("您不能答复该件的异议。", report, "objection_answer")
        answer = _message(
            report,
            actor,
            MessageKind.OBJECTION_ANSWER,
            _reason(text, label="答复内容"),
            _method(method),
            reply_to=objection,
        )
        record_event(
            actor=actor,
            action="report.objection_answered",
            target=report,
            detail={"objection": objection.pk, "message": answer.pk, "method": method},
            request=request,
        )
        _close_if_open(actor, objection, rules.OBJECTION_ANSWER.kind, request)
    return answer


def record_reporter_answer(
    *, actor: Actor, question_id: Any, text: str, request: HttpRequest | None = None
) -> ReportMessage:
    """The reporter answered a question by phone or in person: staff write the answer down."""
    with transaction.atomic():
        question = ReportMessage.objects.filter(pk=as_key(question_id) or 0).first()
        if question is None:
            raise NotFound()
        report = _lock(actor, question.report_id)
        if question.kind != MessageKind.QUESTION:
            raise ValidationFailed("只能记录对询问的答复。")
        if not may_contact_reporter(actor, report):
            raise _refuse("您不能记录该件举报人的答复。", report, "answer")
        answer = _message(report, actor, MessageKind.ANSWER, _reason(text, label="答复内容"), reply_to=question)
        record_event(
            actor=actor, action="report.answer_recorded", target=report, detail={"message": answer.pk}, request=request
        )
    return answer
