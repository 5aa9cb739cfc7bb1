"""Disposal: one of four methods, proposed with reasons after 研判, approved through the "clue.disposal"
chain (zone leader, then the commission leader in charge); the approval hook moves the clue and meets
the 1-month disposal deadline; a rejection sends it back to 研判."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.clues.conftest import analysed, approve_all, demo_actor, disposed, open_other
from xiezuoqu.approvals.services import decide
from xiezuoqu.clues import rules, services
from xiezuoqu.clues.models import ClueDisposal, DisposalState
from xiezuoqu.clues.workflow import State
from xiezuoqu.deadlines.services import deadline_for
from xiezuoqu.errors import InvalidTransition, NotPermitted, RuleViolation, ValidationFailed

pytestmark = pytest.mark.django_db


def test_a_disposal_is_proposed_only_after_analysis_and_with_a_confirmed_subject(demo):
    clue = open_other()
    actor = demo_actor("xzshuji")
    with pytest.raises(InvalidTransition, match="已登记"):
        services.propose_disposal(actor=actor, clue_id=clue.pk, method="close", reason="查无实据")
    services.start_analysis(actor=actor, clue_id=clue.pk)
    with pytest.raises(RuleViolation, match="被反映人"):
        services.propose_disposal(actor=actor, clue_id=clue.pk, method="close", reason="查无实据")
    with pytest.raises(NotPermitted):
        services.propose_disposal(actor=demo_actor("anguan"), clue_id=clue.pk, method="close", reason="x")


def test_the_chain_approves_and_the_hook_closes_the_clue_and_meets_the_deadline(demo):
    clue = disposed("close", propose_clearing=True)
    assert clue.state == State.CLOSED
    assert clue.disposal_method == "close"
    assert clue.disposed_on == timezone.localdate()
    assert "澄清正名" in clue.outcome
    assert deadline_for(clue, rules.DISPOSAL.kind).state in ("met", "met_late")
    assert ClueDisposal.objects.get(clue=clue).state == DisposalState.APPROVED


def test_hold_needs_a_future_review_date_and_review_returns_the_clue_to_analysis(demo):
    clue = analysed(open_other())
    with pytest.raises(ValidationFailed):
        services.propose_disposal(actor=demo_actor("xzshuji"), clue_id=clue.pk, method="hold", reason="暂不具备条件")
    review_on = timezone.localdate() + timedelta(days=90)
    clue = disposed("hold", review_on=review_on)
    assert clue.state == State.HELD and clue.review_on == review_on
    services.review_held(actor=demo_actor("xzshuji"), clue_id=clue.pk, note="复查，具备核查条件")
    clue.refresh_from_db()
    assert clue.state == State.UNDER_ANALYSIS
    assert deadline_for(clue, rules.DISPOSAL.kind).state == "open"


def test_preliminary_verification_hands_over_and_talk_or_letter_waits_for_the_talk(demo):
    assert disposed("preliminary_verification").state == State.PRELIMINARY_VERIFICATION
    assert disposed("talk_or_letter").state == State.DISPOSAL_APPROVED


def test_a_rejected_proposal_sends_the_clue_back_to_analysis(demo):
    clue = analysed(open_other())
    disposal = services.propose_disposal(
        actor=demo_actor("xzshuji"), clue_id=clue.pk, method="close", reason="查无实据"
    )
    clue.refresh_from_db()
    assert clue.state == State.DISPOSAL_PROPOSED
    with pytest.raises(InvalidTransition, match="报批中"):
        services.propose_disposal(actor=demo_actor("xzshuji"), clue_id=clue.pk, method="close", reason="again")
    decide(actor=demo_actor("zuzhang1"), approval_id=disposal.approval_id, decision="reject", comment="证据不足以了结")
    clue.refresh_from_db()
    disposal.refresh_from_db()
    assert clue.state == State.UNDER_ANALYSIS and disposal.state == DisposalState.SENT_BACK
    assert deadline_for(clue, rules.DISPOSAL.kind).state == "open"
    again = services.propose_disposal(
        actor=demo_actor("xzshuji"), clue_id=clue.pk, method="talk_or_letter", reason="倾向性问题"
    )
    approve_all(again.approval_id)
    clue.refresh_from_db()
    assert clue.state == State.DISPOSAL_APPROVED


def test_a_returned_proposal_waits_for_resubmission_and_a_withdrawn_one_goes_back_to_analysis(demo):
    from xiezuoqu.approvals.services import withdraw_request

    clue = analysed(open_other())
    disposal = services.propose_disposal(
        actor=demo_actor("xzshuji"), clue_id=clue.pk, method="close", reason="查无实据"
    )
    decide(actor=demo_actor("zuzhang1"), approval_id=disposal.approval_id, decision="return", comment="补充理由")
    clue.refresh_from_db()
    assert clue.state == State.DISPOSAL_PROPOSED
    withdraw_request(actor=demo_actor("xzshuji"), approval_id=disposal.approval_id)
    clue.refresh_from_db()
    disposal.refresh_from_db()
    assert clue.state == State.UNDER_ANALYSIS and disposal.state == DisposalState.SENT_BACK
