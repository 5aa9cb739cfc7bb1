"""Every write of 澄清正名 and of the 诬告陷害 flag.

Rules (检举控告工作规则; 监督执纪工作规则; DESIGN §3): a person falsely accused is cleared with the
commission head's approval, by letter or talk, by informing their party organisation, or by
announcement; a county may only flag suspected 诬告陷害 and pass it to the level that can confirm it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor, build_actor
from xiezuoqu.accounts.roles import Role
from xiezuoqu.approvals.matters import CLEARING, on_final_decision
from xiezuoqu.approvals.models import ApprovalRequest
from xiezuoqu.approvals.services import submit_request
from xiezuoqu.approvals.workflow import State as ApprovalState
from xiezuoqu.audit.services import record_event
from xiezuoqu.clues.models import Clue, ClueSubject
from xiezuoqu.clues.selectors import can_view_clue, may_work
from xiezuoqu.clues.workflow import State as ClueState
from xiezuoqu.errors import InvalidTransition, NotFound, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.numbering import next_in_sequence

from .models import (
    Clearing,
    ClearingCounter,
    ClearingState,
    FalseAccusationFlag,
    Finding,
    FlagState,
    Method,
    ReferredTo,
)

# Whose matter ended in a finding that the accusation was untrue (a clue closed; later a withdrawn case).
CLEARABLE_STATES = frozenset({ClueState.CLOSED})
LEADERSHIP = (Role.COMMISSION_HEAD, Role.COMMISSION_LEADER)


def _required(value: str | None, field_name: str, label: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(f"请填写{label}。", field_errors={field_name: [f"请填写{label}。"]})
    return text


def _clue(actor: Actor, clue_id: Any) -> Clue:
    try:
        clue = Clue.objects.select_for_update().select_related("commission").filter(pk=int(clue_id)).first()
    except (TypeError, ValueError):
        clue = None
    if clue is None or not can_view_clue(actor, clue):
        raise NotFound(audit_action="clue.viewed", target_type="clues.clue", target_id=str(clue_id))
    return clue


def _check_handler(actor: Actor, clue: Clue, action: str) -> None:
    if not (may_work(actor, clue) or (actor.has(*LEADERSHIP) and actor.commission_id == clue.commission_id)):
        raise NotPermitted(
            "只有承办单位、所在协作区组长或纪检监察室干部，以及委领导可以办理此事项。",
            audit_action=action,
            target_type="clues.clue",
            target_id=str(clue.pk),
        )


def clearing_number(commission_short: str, year: int, seq: int) -> str:
    return f"{commission_short}澄〔{year}〕{seq}号"


# --- 澄清正名 ----------------------------------------------------------------------------------------------


@dataclass
class ClearingInput:
    subject_id: Any
    method: str
    finding: str
    facts: str
    audience: str = ""


def propose_clearing(
    *, actor: Actor, clue_id: Any, data: ClearingInput, request: HttpRequest | None = None
) -> Clearing:
    """Propose to clear a subject of a closed clue; the commission head approves (matter ``clearing``)."""
    if data.method not in Method.values:
        raise ValidationFailed("请选择澄清方式。", field_errors={"method": ["请选择澄清方式。"]})
    if data.finding not in Finding.values:
        raise ValidationFailed("请选择核查结论。", field_errors={"finding": ["请选择核查结论。"]})
    facts = _required(data.facts, "facts", "核查情况")
    audience = (data.audience or "").strip()
    if data.method != Method.LETTER and not audience:
        raise ValidationFailed(
            "通报或公开澄清须写明通报对象或澄清范围。", field_errors={"audience": ["请填写通报对象或澄清范围。"]}
        )
    with transaction.atomic():
        clue = _clue(actor, clue_id)
        _check_handler(actor, clue, "clearing.proposed")
        if clue.state not in CLEARABLE_STATES:
            raise RuleViolation(
                f"该线索当前为“{clue.get_state_display()}”。只有经核查反映不实、予以了结的线索才能澄清正名。"
            )
        link = ClueSubject.objects.filter(clue=clue, subject_id=_int(data.subject_id)).select_related("subject").first()
        if link is None:
            raise ValidationFailed("请选择本线索的被反映人。", field_errors={"subject_id": ["请选择被反映人。"]})
        subject = link.subject
        live = Clearing.objects.filter(clue=clue, subject=subject).exclude(
            state__in=[ClearingState.REJECTED, ClearingState.WITHDRAWN]
        )
        if live.exists():
            raise RuleViolation(f"已就{subject.name}提出澄清正名，请勿重复提出。")
        approval = submit_request(
            actor=actor,
            matter_type=CLEARING.slug,
            title=f"{clue.ledger_number} 对{subject.name}澄清正名",
            reason=f"{Finding(data.finding).label}。{facts}（方式：{Method(data.method).label}）",
            target=clue,
            unit=clue.handling_unit,
            zone=clue.zone,
            request=request,
        )
        assert actor.user_id is not None
        clearing = Clearing.objects.create(
            commission_id=clue.commission_id,
            clue=clue,
            subject=subject,
            method=data.method,
            finding=data.finding,
            facts=facts,
            audience=audience[:200],
            approval=approval,
            proposed_by_id=actor.user_id,
        )
        record_event(
            actor=actor,
            action="clearing.proposed",
            target=clearing,
            changes={"state": [None, clearing.state], "method": [None, clearing.method]},
            detail={"clue": clue.ledger_number, "approval": approval.pk},
            request=request,
        )
    return clearing


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@on_final_decision(CLEARING.slug)
def _clearing_decided(approval: ApprovalRequest, outcome: str) -> None:
    """Runs inside the approvals transaction; approval numbers the document in the 澄清 series."""
    clearing = Clearing.objects.select_for_update().select_related("commission").filter(approval=approval).first()
    if clearing is None or outcome == ApprovalState.RETURNED:
        return
    before = clearing.state
    fields = ["state"]
    if outcome == ApprovalState.APPROVED:
        today = timezone.localdate()
        clearing.state = ClearingState.APPROVED
        clearing.approved_on = today
        clearing.number_year = today.year
        clearing.number_seq = next_in_sequence(ClearingCounter, commission_id=clearing.commission_id, year=today.year)
        clearing.number = clearing_number(clearing.commission.short_name, today.year, clearing.number_seq)
        fields += ["approved_on", "number_year", "number_seq", "number"]
    else:
        clearing.state = ClearingState.WITHDRAWN if outcome == ApprovalState.WITHDRAWN else ClearingState.REJECTED
    clearing.save(update_fields=fields)
    decision = approval.decisions.select_related("decided_by").order_by("-decided_at", "-id").first()
    decider = build_actor(decision.decided_by if decision is not None else approval.requester)
    record_event(
        actor=decider,
        action="clearing.decided",
        target=clearing,
        changes={"state": [before, clearing.state], "number": ["", clearing.number]},
        detail={"approval": approval.pk},
    )


def record_clearing_done(
    *, actor: Actor, clearing_id: Any, done_on: date | None, note: str, request: HttpRequest | None = None
) -> Clearing:
    """The approved clearing was carried out (the letter delivered, the notice sent, the announcement made)."""
    note = _required(note, "note", "实施情况")
    day = done_on or timezone.localdate()
    with transaction.atomic():
        clearing = Clearing.objects.select_for_update().filter(pk=_int(clearing_id)).first()
        if clearing is None:
            raise NotFound(target_type="clearing.clearing", target_id=str(clearing_id))
        clue = _clue(actor, clearing.clue_id)
        _check_handler(actor, clue, "clearing.done")
        if clearing.state != ClearingState.APPROVED:
            raise InvalidTransition(f"该澄清正名当前为“{clearing.get_state_display()}”，不能登记实施。")
        assert clearing.approved_on is not None
        if day < clearing.approved_on or day > timezone.localdate():
            raise ValidationFailed(
                "澄清日期应在批准之日以后、今天以前。", field_errors={"done_on": ["请填写实际澄清日期。"]}
            )
        assert actor.user_id is not None
        clearing.state = ClearingState.DONE
        clearing.done_on, clearing.done_note, clearing.done_by_id = day, note, actor.user_id
        clearing.save(update_fields=["state", "done_on", "done_note", "done_by"])
        record_event(
            actor=actor,
            action="clearing.done",
            target=clearing,
            changes={"state": [ClearingState.APPROVED, ClearingState.DONE], "done_on": [None, day]},
            request=request,
        )
    return clearing


# --- 诬告陷害 ---------------------------------------------------------------------------------------------


def flag_false_accusation(
    *, actor: Actor, clue_id: Any, grounds: str, request: HttpRequest | None = None
) -> FalseAccusationFlag:
    """标注疑似诬告陷害: the county records its suspicion; it may not decide it (DESIGN §3)."""
    grounds = _required(grounds, "grounds", "依据")
    with transaction.atomic():
        clue = _clue(actor, clue_id)
        _check_handler(actor, clue, "false_accusation.flagged")
        if clue.state not in CLEARABLE_STATES:
            raise RuleViolation("只有经核查反映不实、予以了结的线索才能标注疑似诬告陷害。")
        if FalseAccusationFlag.objects.filter(clue=clue, state__in=[FlagState.FLAGGED, FlagState.REFERRED]).exists():
            raise RuleViolation("该线索已有尚未认定的疑似诬告陷害标注。")
        assert actor.user_id is not None
        flag = FalseAccusationFlag.objects.create(clue=clue, grounds=grounds, flagged_by_id=actor.user_id)
        record_event(
            actor=actor,
            action="false_accusation.flagged",
            target=flag,
            changes={"state": [None, flag.state]},
            request=request,
        )
    return flag


def _lock_flag(actor: Actor, flag_id: Any, action: str) -> FalseAccusationFlag:
    flag = FalseAccusationFlag.objects.select_for_update().filter(pk=_int(flag_id)).first()
    if flag is None:
        raise NotFound(target_type="clearing.falseaccusationflag", target_id=str(flag_id))
    clue = _clue(actor, flag.clue_id)
    if not (actor.has(*LEADERSHIP, Role.CASE_MANAGER) and actor.commission_id == clue.commission_id):
        raise NotPermitted(
            "移送和登记认定意见由委领导或案管室办理。",
            audit_action=action,
            target_type="clearing.falseaccusationflag",
            target_id=str(flag.pk),
        )
    return flag


def refer_flag(
    *,
    actor: Actor,
    flag_id: Any,
    referred_to: str,
    note: str,
    referred_on: date | None = None,
    request: HttpRequest | None = None,
) -> FalseAccusationFlag:
    if referred_to not in ReferredTo.values:
        raise ValidationFailed("请选择移送对象。", field_errors={"referred_to": ["请选择移送对象。"]})
    note = _required(note, "note", "移送说明")
    with transaction.atomic():
        flag = _lock_flag(actor, flag_id, "false_accusation.referred")
        if flag.state != FlagState.FLAGGED:
            raise InvalidTransition(f"该标注当前为“{flag.get_state_display()}”，不能移送。")
        flag.state, flag.referred_to = FlagState.REFERRED, referred_to
        flag.referred_on, flag.referral_note = referred_on or timezone.localdate(), note
        flag.save(update_fields=["state", "referred_to", "referred_on", "referral_note"])
        record_event(
            actor=actor,
            action="false_accusation.referred",
            target=flag,
            changes={"state": [FlagState.FLAGGED, FlagState.REFERRED], "referred_to": ["", referred_to]},
            request=request,
        )
    return flag


def record_flag_answer(
    *,
    actor: Actor,
    flag_id: Any,
    confirmed: bool,
    answer: str,
    answered_on: date | None = None,
    request: HttpRequest | None = None,
) -> FalseAccusationFlag:
    """Record what the competent level concluded (the county records it; it does not decide it)."""
    answer = _required(answer, "answer", "认定意见")
    with transaction.atomic():
        flag = _lock_flag(actor, flag_id, "false_accusation.answered")
        if flag.state != FlagState.REFERRED:
            raise InvalidTransition("请先将疑似诬告陷害移送有权机关认定，再登记认定意见。")
        before = flag.state
        flag.state = FlagState.CONFIRMED if confirmed else FlagState.UNFOUNDED
        flag.answered_on, flag.answer, flag.recorded_by_id = answered_on or timezone.localdate(), answer, actor.user_id
        flag.save(update_fields=["state", "answered_on", "answer", "recorded_by"])
        record_event(
            actor=actor,
            action="false_accusation.answered",
            target=flag,
            changes={"state": [before, flag.state]},
            request=request,
        )
    return flag
