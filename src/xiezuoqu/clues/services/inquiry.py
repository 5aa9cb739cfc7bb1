"""谈话函询: the rounds of talks and letters, the letter's reply (its due date follows the calendar,
``_reply_due_recomputed``), and the conclusion within one month."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.clues import rules
from xiezuoqu.clues.models import Clue, DisposalMethod, InquiryMode, InquiryOutcome, TalkInquiry
from xiezuoqu.clues.services._common import _check_worker, _lock, _move, _required, _text
from xiezuoqu.clues.workflow import Action, next_state
from xiezuoqu.deadlines.models import Deadline
from xiezuoqu.deadlines.services import close_deadline, on_due_date_recomputed, open_deadline
from xiezuoqu.errors import RuleViolation, ValidationFailed

INQUIRY_CLOSING_OUTCOMES = frozenset(
    {
        InquiryOutcome.ACCEPT_CLOSE,
        InquiryOutcome.REMINDER,
        InquiryOutcome.CRITICISM,
        InquiryOutcome.ORDER_CHECK,
        InquiryOutcome.ADMONISH,
    }
)


def start_inquiry(
    *,
    actor: Actor,
    clue_id: Any,
    mode: str,
    started_on: date,
    officers: str = "",
    request: HttpRequest | None = None,
) -> TalkInquiry:
    """谈话 held or 函 sent: a letter's reply is due in 15 WD; a talk concludes within 1 month."""
    if mode not in InquiryMode.values:
        raise ValidationFailed("请选择谈话或函询。", field_errors={"mode": ["请选择。"]})
    if started_on > timezone.localdate():
        raise ValidationFailed("日期不能晚于今天。", field_errors={"started_on": ["不能晚于今天。"]})
    with transaction.atomic():
        clue = _lock(actor, clue_id)
        _check_worker(actor, clue, Action.START_TALK)
        next_state(clue.state, Action.START_TALK)
        if clue.disposal_method != DisposalMethod.TALK_OR_LETTER:
            raise RuleViolation("该线索批准的处置方式不是谈话函询。")
        last = TalkInquiry.objects.filter(clue=clue).order_by("-round").first()
        assert actor.user_id is not None
        inquiry = TalkInquiry.objects.create(
            clue=clue,
            round=(last.round + 1) if last else 1,
            mode=mode,
            started_on=started_on,
            officers=_text(officers)[:200],
            created_by_id=actor.user_id,
        )
        if mode == InquiryMode.LETTER:
            deadline = open_deadline(
                actor=actor,
                target=clue,
                kind=rules.LETTER_REPLY.kind,
                label=f"{clue} 第{inquiry.round}次函询回复",
                start=started_on,
                working_days=rules.LETTER_REPLY.working_days,
                responsible_unit=clue.handling_unit,
                zone=clue.zone,
                request=request,
            )
            inquiry.reply_due_on = deadline.due_date
            inquiry.save(update_fields=["reply_due_on"])
        else:
            _open_conclusion(actor, clue, inquiry, started_on, request)
        _move(actor, clue, Action.START_TALK, request, note=f"第{inquiry.round}次{inquiry.get_mode_display()}")
    return inquiry


@on_due_date_recomputed(rules.LETTER_REPLY.kind)
def _reply_due_recomputed(deadline: Deadline, old_due: date) -> None:
    """The unanswered 函询's 回复期限 is its timer's due date: it follows when the year is entered."""
    TalkInquiry.objects.filter(
        clue_id=deadline.target_id, reply_due_on=old_due, replied_on__isnull=True, concluded_on__isnull=True
    ).update(reply_due_on=deadline.due_date)


def _open_conclusion(actor: Actor, clue: Clue, inquiry: TalkInquiry, start: date, request: HttpRequest | None) -> None:
    open_deadline(
        actor=actor,
        target=clue,
        kind=rules.INQUIRY_CONCLUSION.kind,
        label=f"{clue} 第{inquiry.round}次谈话函询了结",
        start=start,
        months=rules.INQUIRY_CONCLUSION.months,
        responsible_unit=clue.handling_unit,
        zone=clue.zone,
        request=request,
    )


def _current_inquiry(clue: Clue) -> TalkInquiry:
    inquiry = TalkInquiry.objects.select_for_update().filter(clue=clue).order_by("-round").first()
    if inquiry is None or inquiry.concluded_on is not None:
        raise RuleViolation("该线索没有进行中的谈话函询。")
    return inquiry


def record_reply(
    *,
    actor: Actor,
    clue_id: Any,
    replied_on: date,
    summary: str,
    countersigned: bool,
    request: HttpRequest | None = None,
) -> TalkInquiry:
    """函询回复: the written reply, countersigned by the person's party-committee head; the 1-month
    conclusion timer starts from its receipt."""
    text = _required(summary, "summary", "回复情况")
    with transaction.atomic():
        clue = _lock(actor, clue_id)
        _check_worker(actor, clue, Action.RECORD_REPLY)
        next_state(clue.state, Action.RECORD_REPLY)
        inquiry = _current_inquiry(clue)
        if inquiry.mode != InquiryMode.LETTER:
            raise RuleViolation("谈话无需登记函询回复，请直接了结。")
        if inquiry.replied_on is not None:
            raise RuleViolation("本次函询的回复已登记。")
        if not countersigned:
            raise RuleViolation("函询回复须由被函询人所在党委（党组）主要负责人签署意见，请补签后再登记。")
        if replied_on < inquiry.started_on or replied_on > timezone.localdate():
            raise ValidationFailed(
                "回复日期须在函询发出之后、今天之前。", field_errors={"replied_on": ["日期不在范围内。"]}
            )
        inquiry.replied_on = replied_on
        inquiry.reply_summary = text
        inquiry.countersigned = True
        inquiry.save(update_fields=["replied_on", "reply_summary", "countersigned"])
        close_deadline(actor=actor, target=clue, kind=rules.LETTER_REPLY.kind, met_on=replied_on, request=request)
        _open_conclusion(actor, clue, inquiry, replied_on, request)
        _move(actor, clue, Action.RECORD_REPLY, request, note=f"第{inquiry.round}次函询已回复")
    return inquiry


def conclude_inquiry(
    *,
    actor: Actor,
    clue_id: Any,
    outcome: str,
    note: str,
    concluded_on: date | None = None,
    clearing_letter: bool = False,
    request: HttpRequest | None = None,
) -> TalkInquiry:
    """谈话函询了结: accept and close (with a clearing letter); 谈话提醒 / 批评教育 / 责令检查 / 诫勉 and close;
    again; or to 初步核实."""
    if outcome not in InquiryOutcome.values:
        raise ValidationFailed("请选择了结方式。", field_errors={"outcome": ["请选择。"]})
    text = _required(note, "note", "结论说明")
    day = concluded_on or timezone.localdate()
    if clearing_letter and outcome != InquiryOutcome.ACCEPT_CLOSE:
        raise ValidationFailed(
            "只有采纳说明予以了结的可以出具澄清说明。", field_errors={"clearing_letter": ["不适用。"]}
        )
    action = (
        Action.CONCLUDE_CLOSE
        if outcome in INQUIRY_CLOSING_OUTCOMES
        else Action.CONCLUDE_AGAIN
        if outcome == InquiryOutcome.AGAIN
        else Action.CONCLUDE_VERIFY
    )
    with transaction.atomic():
        clue = _lock(actor, clue_id)
        _check_worker(actor, clue, action)
        next_state(clue.state, action)
        inquiry = _current_inquiry(clue)
        if inquiry.mode == InquiryMode.LETTER and inquiry.replied_on is None:
            raise RuleViolation("函询尚未回复，请先登记回复（或在回复期限届满后按未回复情况研究处理）。")
        start = inquiry.replied_on or inquiry.started_on
        if day < start or day > timezone.localdate():
            raise ValidationFailed("了结日期不在范围内。", field_errors={"concluded_on": ["日期不在范围内。"]})
        inquiry.outcome = outcome
        inquiry.outcome_note = text
        inquiry.clearing_letter = clearing_letter
        inquiry.concluded_on = day
        inquiry.save(update_fields=["outcome", "outcome_note", "clearing_letter", "concluded_on"])
        close_deadline(actor=actor, target=clue, kind=rules.INQUIRY_CONCLUSION.kind, met_on=day, request=request)
        label = InquiryOutcome(outcome).label
        fields: dict[str, Any] = {}
        if action != Action.CONCLUDE_AGAIN:
            fields["outcome"] = f"谈话函询：{label}" + ("，出具澄清说明" if clearing_letter else "")
        _move(actor, clue, action, request, note=f"{label}：{text}", **fields)
    return inquiry
