"""处置: the proposal of one of the four methods through the "clue.disposal" chain and what its decision
carries out (``_disposal_decided``), the 暂存待查 review timer and 复查, and what a verification (初步核实)
ended in."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor, build_actor
from xiezuoqu.approvals.matters import CLUE_DISPOSAL, on_final_decision
from xiezuoqu.approvals.models import ApprovalRequest
from xiezuoqu.approvals.services import submit_request
from xiezuoqu.approvals.workflow import State as ApprovalState
from xiezuoqu.clues import rules
from xiezuoqu.clues.models import Clue, ClueDisposal, ClueSubject, DisposalMethod, DisposalState
from xiezuoqu.clues.services._common import _check_worker, _lock, _move, _required
from xiezuoqu.clues.workflow import Action, next_state
from xiezuoqu.deadlines.services import close_deadline, open_deadline
from xiezuoqu.errors import InvalidTransition, RuleViolation, ValidationFailed


def propose_disposal(
    *,
    actor: Actor,
    clue_id: Any,
    method: str,
    reason: str,
    review_on: date | None = None,
    propose_clearing: bool = False,
    request: HttpRequest | None = None,
) -> ClueDisposal:
    """提出处置意见: one of the four methods with reasons, put to the "clue.disposal" approval chain."""
    if method not in DisposalMethod.values:
        raise ValidationFailed("请选择处置方式。", field_errors={"method": ["请选择。"]})
    text = _required(reason, "reason", "处置理由")
    if method == DisposalMethod.HOLD:
        if review_on is None:
            raise ValidationFailed("暂存待查须确定复查日期。", field_errors={"review_on": ["请填写复查日期。"]})
        if review_on <= timezone.localdate():
            raise ValidationFailed("复查日期须晚于今天。", field_errors={"review_on": ["须晚于今天。"]})
    else:
        review_on = None
    if propose_clearing and method != DisposalMethod.CLOSE:
        raise ValidationFailed(
            "只有予以了结的线索可以提出澄清正名建议。", field_errors={"propose_clearing": ["不适用。"]}
        )
    with transaction.atomic():
        clue = _lock(actor, clue_id)
        _check_worker(actor, clue, Action.PROPOSE)
        next_state(clue.state, Action.PROPOSE)
        if not ClueSubject.objects.filter(clue=clue).exists():
            raise RuleViolation("请先确认被反映人，再提出处置意见。")
        assert actor.user_id is not None
        disposal = ClueDisposal.objects.create(
            clue=clue,
            method=method,
            reason=text,
            review_on=review_on,
            propose_clearing=propose_clearing,
            proposed_by_id=actor.user_id,
        )
        approval = submit_request(
            actor=actor,
            matter_type=CLUE_DISPOSAL.slug,
            title=f"{clue} 拟{disposal.get_method_display()}",
            reason=text,
            target=clue,
            unit=clue.handling_unit_id,
            zone=clue.zone_id,
            request=request,
        )
        disposal.approval = approval
        disposal.save(update_fields=["approval"])
        _move(actor, clue, Action.PROPOSE, request, note=f"拟{disposal.get_method_display()}：{text}")
    return disposal


def _decider(approval: ApprovalRequest, outcome: str) -> Actor | None:
    if outcome == ApprovalState.WITHDRAWN:
        return build_actor(approval.requester)
    decision = approval.decisions.select_related("decided_by").order_by("-decided_at", "-id").first()
    return build_actor(decision.decided_by) if decision is not None else None


@on_final_decision(CLUE_DISPOSAL.slug)
def _disposal_decided(approval: ApprovalRequest, outcome: str) -> None:
    """Runs inside the approvals transaction that ended the round.

    Approved: the clue is disposed (the 1-month timer is met today) and 暂存待查, 予以了结 and 初步核实 are
    carried out at once; 谈话函询 waits for the talk or the letter. Rejected or withdrawn: back to
    研判. Returned: the proposal waits for the requester to change and resubmit it.
    """
    disposal = ClueDisposal.objects.select_for_update().filter(approval=approval).first()
    if disposal is None or outcome == ApprovalState.RETURNED:
        return
    clue = Clue.objects.select_for_update().get(pk=disposal.clue_id)
    actor = _decider(approval, outcome)
    today = timezone.localdate()
    disposal.decided_at = timezone.now()
    if outcome != ApprovalState.APPROVED:
        disposal.state = DisposalState.SENT_BACK
        disposal.save(update_fields=["state", "decided_at"])
        _move(actor, clue, Action.SEND_BACK, None, note=f"处置意见{ApprovalState(outcome).label}")
        return
    disposal.state = DisposalState.APPROVED
    disposal.save(update_fields=["state", "decided_at"])
    _move(
        actor,
        clue,
        Action.APPROVE,
        None,
        note=f"批准{disposal.get_method_display()}",
        disposal_method=disposal.method,
        disposed_on=today,
    )
    close_deadline(actor=actor, target=clue, kind=rules.DISPOSAL.kind, met_on=max(today, clue.received_on))
    if disposal.method == DisposalMethod.HOLD:
        _move(actor, clue, Action.HOLD, None, note=disposal.reason, review_on=disposal.review_on)
        _open_review(actor, clue, today, None)
    elif disposal.method == DisposalMethod.CLOSE:
        outcome_text = "予以了结" + ("，建议澄清正名" if disposal.propose_clearing else "")
        _move(actor, clue, Action.CLOSE, None, note=disposal.reason, outcome=outcome_text)
    elif disposal.method == DisposalMethod.PRELIMINARY_VERIFICATION:
        _move(actor, clue, Action.VERIFY, None, note="转初步核实", outcome="转初步核实")


def review_held(*, actor: Actor, clue_id: Any, note: str, request: HttpRequest | None = None) -> Clue:
    """暂存待查复查: the held clue returns to 研判 for a new disposal (on or after its review date)."""
    text = _required(note, "note", "复查说明")
    with transaction.atomic():
        clue = _lock(actor, clue_id)
        _check_worker(actor, clue, Action.REVIEW)
        next_state(clue.state, Action.REVIEW)
        _move(actor, clue, Action.REVIEW, request, note=text, disposal_method="")
        close_deadline(actor=actor, target=clue, kind=rules.HELD_REVIEW.kind, request=request)
        open_deadline(
            actor=actor,
            target=clue,
            kind=rules.DISPOSAL.kind,
            label=f"{clue} 复查后处置",
            start=timezone.localdate(),
            months=rules.DISPOSAL.months,
            responsible_unit=clue.handling_unit,
            zone=clue.zone,
            request=request,
        )
    return clue


def settle_after_verification(
    *,
    actor: Actor | None,
    clue: Clue,
    action: str,
    outcome: str,
    review_on: date | None = None,
    request: HttpRequest | None = None,
) -> Clue:
    """Carry out what a verification (初步核实) ended in, inside the caller's transaction.

    Called by the verification app (an approved 初核报告 that closes or holds the clue) and by the
    filing app (the competent body's 立案 decision). The caller has checked its own permission and
    locked its own rows; this locks the clue, checks the state table and records the move.
    """
    if action not in (Action.VERIFIED_CLOSE, Action.VERIFIED_HOLD, Action.FILE_CASE):
        raise InvalidTransition(f"“{action}”不是初步核实的结果。")
    locked = Clue.objects.select_for_update().get(pk=clue.pk)
    next_state(locked.state, action)
    fields: dict[str, Any] = {"outcome": outcome[:200]}
    if action == Action.VERIFIED_HOLD:
        if review_on is None:
            raise ValidationFailed("暂存待查须确定复查日期。", field_errors={"review_on": ["请填写复查日期。"]})
        if review_on <= timezone.localdate():
            raise ValidationFailed("复查日期须晚于今天。", field_errors={"review_on": ["须晚于今天。"]})
        fields["review_on"] = review_on
    _move(actor, locked, action, request, note=outcome, **fields)
    if action == Action.VERIFIED_HOLD:
        _open_review(actor, locked, timezone.localdate(), request)
    return locked


def _open_review(actor: Actor | None, clue: Clue, start: date, request: HttpRequest | None) -> None:
    """暂存待查: a tracked timer to the review date, so that a held clue is not forgotten."""
    if clue.review_on is None or clue.review_on <= start:
        return
    open_deadline(
        actor=actor,
        target=clue,
        kind=rules.HELD_REVIEW.kind,
        label=f"{clue} 暂存待查复查",
        start=start,
        days=(clue.review_on - start).days,
        responsible_unit=clue.handling_unit,
        zone=clue.zone,
        request=request,
    )
