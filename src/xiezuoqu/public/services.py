"""Every write of the public site: a report with its files, an answer, material, an objection.

Each is one transaction on top of intake's services (``submit_public_report``,
``record_reporter_message``), which lock the report, check the state and write the audit event; this
module adds the files and the reporter-side rules (one answer per question, one open objection at a
time, nothing added to an archived report).

Nothing here passes the request on: the audit events of the public side carry no client address,
and none carries the receipt code, the reporter's identity or a file name (which may contain a name)
— only the report, the kind of message, and a file's type, size and digest (``"channel": "public"``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from xiezuoqu.audit.services import record_event
from xiezuoqu.errors import InvalidTransition, NotFound, RuleViolation, ValidationFailed
from xiezuoqu.intake.models import MessageKind, Report, ReportMessage
from xiezuoqu.intake.services import AccusedInput, IdentityInput, record_reporter_message, submit_public_report
from xiezuoqu.intake.workflow import State
from xiezuoqu.org.models import Commission

from . import files
from .files import Upload
from .models import Attachment
from .selectors import OBJECTION_STATES, TOLD, objection_allowed, open_question, question_answered, reporter_messages

CHANNEL = {"channel": "public"}


def _lock(report_id: Any) -> Report:
    """The report the receipt opened, locked. Only reports filed on this site carry a receipt."""
    report = (
        Report.objects.select_for_update().filter(pk=report_id, source_public=True).exclude(receipt_digest="").first()
    )
    if report is None:
        raise NotFound("查询已失效，请重新输入回执码。")
    return report


def _attach(report: Report, uploads: Sequence[Upload], message: ReportMessage | None) -> list[Attachment]:
    """Store each file encrypted and record it; a file the report already has is not stored twice."""
    have = set(Attachment.objects.filter(report=report).values_list("sha256", flat=True))
    created = []
    for upload in uploads:
        if upload.sha256 in have:
            continue
        have.add(upload.sha256)
        attachment = Attachment.objects.create(
            report=report,
            message=message,
            sha256=upload.sha256,
            sm3=upload.sm3,
            size=upload.size,
            content_type=upload.kind.content_type,
            original_name=upload.name,
            storage_name=files.store(upload),
        )
        record_event(
            actor=None,
            action="attachment.uploaded",
            target=attachment,
            commission_id=report.commission_id,
            detail={
                **CHANNEL,
                "report": report.pk,
                "message": message.pk if message else None,
                "content_type": attachment.content_type,
                "size": attachment.size,
                "sha256": attachment.sha256,
            },
        )
        created.append(attachment)
    return created


def submit_report(
    *,
    commission: Commission,
    content: str,
    category: str,
    accused: Sequence[AccusedInput],
    is_real_name: bool,
    identity: IdentityInput | None,
    uploads: Sequence[Upload] = (),
) -> tuple[Report, str]:
    """网络举报: the report lands with the commission's 信访室 as *received*; returns it and the receipt.

    The receipt code is returned once, to be shown once; intake keeps only its argon2 hash. The place
    of the report is the first accused person's township and village.
    """
    place = next((a for a in accused if a.township_id or a.village_id), None)
    with transaction.atomic():
        report, code = submit_public_report(
            commission=commission,
            content=content,
            category=category,
            township_id=place.township_id if place else None,
            village_id=place.village_id if place else None,
            accused=accused,
            is_real_name=is_real_name,
            identity=identity,
        )
        _attach(report, uploads, None)
    return report, code


def record_receipt_match(*, report: Report) -> None:
    """The reporter opened the report with the receipt (so staff see when it was last consulted)."""
    with transaction.atomic():
        record_event(actor=None, action="report.receipt_matched", target=report, detail=CHANNEL)


def answer_question(*, report_id: int, question_id: Any, text: str) -> ReportMessage:
    """The reporter answers a staff question, once (more goes in as material)."""
    with transaction.atomic():
        report = _lock(report_id)
        question = open_question(report.pk, question_id)
        if question is None:
            raise NotFound("未找到该询问。")
        if question_answered(question):
            raise InvalidTransition("您已经答复过这个问题；如需补充，请使用“补充材料”。")
        return record_reporter_message(report=report, kind=MessageKind.ANSWER, text=text, reply_to=question)


def add_material(*, report_id: int, text: str, uploads: Sequence[Upload] = ()) -> ReportMessage:
    """补充材料: text, files or both, until the report is archived."""
    text = (text or "").strip()
    if not text and not uploads:
        raise ValidationFailed("请填写补充说明或选择要上传的附件。", field_errors={"text": ["请填写补充说明。"]})
    with transaction.atomic():
        report = _lock(report_id)
        if report.state == State.ARCHIVED:
            raise RuleViolation("该件已办理完毕并归档，不再接收补充材料；如有新的问题，请重新提交举报。")
        body = text or f"补充材料（附件 {len(uploads)} 件）"
        message = record_reporter_message(report=report, kind=MessageKind.MATERIAL, text=body)
        _attach(report, uploads, message)
    return message


def object_to_result(*, report_id: int, text: str) -> ReportMessage:
    """异议: after the reporter was told the outcome; one open objection at a time."""
    with transaction.atomic():
        report = _lock(report_id)
        rows = reporter_messages(report.pk)
        answered = {m.reply_to_id for m in rows if m.kind == MessageKind.OBJECTION_ANSWER}
        pending = any(m.kind == MessageKind.OBJECTION and m.pk not in answered for m in rows)
        if pending:
            raise InvalidTransition("您此前提出的异议正在处理，答复后可再次提出。")
        if not objection_allowed(report.state, {m.kind for m in rows}, pending):
            if report.state in OBJECTION_STATES and not ({m.kind for m in rows} & TOLD):
                raise RuleViolation("办理结果尚未反馈给您，暂不能提出异议；如有新情况，请补充材料。")
            raise RuleViolation("尚未作出处理结果，暂不能提出异议；如有新情况，请补充材料。")
        return record_reporter_message(report=report, kind=MessageKind.OBJECTION, text=text)
