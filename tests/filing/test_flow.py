"""From clue to 立案: the team drafts the filing request, the zone meeting recommends, the competent
body decides; 立案 opens the case and files the clue. Recommendation and decision are separate states."""

from __future__ import annotations

import pytest

from tests.filing.conftest import (
    BASIS,
    FACTS,
    PROPOSAL,
    clue_under_verification,
    decide,
    drafted,
    held_with,
    subject_of,
    submitted,
    zone_agreed,
)
from tests.intake.conftest import demo_actor
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.cases.models import BodyKind, Case
from xiezuoqu.clues.workflow import State as ClueState
from xiezuoqu.errors import InvalidTransition, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.filing import services
from xiezuoqu.filing.workflow import State

pytestmark = pytest.mark.django_db


def test_a_village_cadres_filing_goes_to_the_township_party_committee(demo):
    proposal = drafted()
    assert proposal.state == State.DRAFTED
    assert proposal.body_kind == BodyKind.PARTY_COMMITTEE
    assert proposal.body_name == "宝山镇党委"
    assert proposal.decider_unit.name == "宝山镇纪委"


def test_the_zone_agreement_and_the_body_decision_are_separate_audited_states(demo):
    proposal = zone_agreed()
    assert proposal.state == State.ZONE_AGREED
    assert proposal.zone_resolution is not None
    assert proposal.clue.state == ClueState.PRELIMINARY_VERIFICATION  # the zone only recommends
    assert not Case.objects.filter(clue=proposal.clue).exists()
    assert AuditEvent.objects.filter(action="filing.zone_agree", target_id=str(proposal.pk)).exists()

    services.decide_as_body(
        actor=demo_actor("xzshuji"), proposal_id=proposal.pk, decision="file", reason="事实清楚，需要追究党纪责任。"
    )
    proposal.refresh_from_db()
    assert proposal.state == State.BODY_FILED
    case = Case.objects.get(filing=proposal)
    assert case.case_number.startswith("凤纪立〔") and case.case_number.endswith("〕1号")
    assert case.subject == proposal.subject
    assert proposal.zone_resolution.number in case.filing_reference
    proposal.clue.refresh_from_db()
    assert proposal.clue.state == ClueState.FILED
    assert AuditEvent.objects.filter(action="filing.body_file", target_id=str(proposal.pk)).exists()
    assert AuditEvent.objects.filter(action="case.filed", target_id=str(case.pk)).exists()
    assert AuditEvent.objects.filter(action="clue.file_case", target_id=str(proposal.clue_id)).exists()


def test_the_body_cannot_decide_before_the_zone_has_agreed(demo):
    proposal = submitted()
    with pytest.raises(InvalidTransition, match="待协作区会议研究"):
        services.decide_as_body(actor=demo_actor("xzshuji"), proposal_id=proposal.pk, decision="file", reason="同意")


@pytest.mark.parametrize("username", ["xzganbu", "zuzhang1", "fuzuzhang1", "fenguan", "anguan"])
def test_a_user_of_another_body_or_without_authority_is_refused(demo, username):
    """They see the proposal (their unit, zone or the whole commission) but may not decide for 宝山镇党委."""
    proposal = zone_agreed()
    with pytest.raises(NotPermitted, match="宝山镇党委"):
        services.decide_as_body(actor=demo_actor(username), proposal_id=proposal.pk, decision="file", reason="同意")
    proposal.refresh_from_db()
    assert proposal.state == State.ZONE_AGREED
    assert (
        AuditEvent.objects.filter(
            action="filing.body_file", target_id=str(proposal.pk), outcome=AuditEvent.Outcome.ALLOWED
        ).count()
        == 0
    )


@pytest.mark.parametrize("username", ["xzshuji2", "paizhu1"])
def test_another_bodys_user_outside_the_matter_does_not_even_see_the_proposal(demo, username):
    from xiezuoqu.errors import NotFound

    proposal = zone_agreed()
    with pytest.raises(NotFound):
        services.decide_as_body(actor=demo_actor(username), proposal_id=proposal.pk, decision="file", reason="同意")
    proposal.refresh_from_db()
    assert proposal.state == State.ZONE_AGREED


def test_a_county_level_subject_is_filed_by_the_commission(demo):
    from xiezuoqu.clues.models import Rank

    clue = clue_under_verification(rank=Rank.COUNTY, is_village_cadre=False)
    proposal = submitted(clue)
    assert proposal.body_kind == BodyKind.COMMISSION
    decide(held_with(proposal))
    with pytest.raises(NotPermitted):
        services.decide_as_body(actor=demo_actor("xzshuji"), proposal_id=proposal.pk, decision="file", reason="同意")
    services.decide_as_body(actor=demo_actor("shuji"), proposal_id=proposal.pk, decision="file", reason="同意立案")
    proposal.refresh_from_db()
    assert proposal.state == State.BODY_FILED


def test_declining_needs_a_reason_and_opens_no_case(demo):
    proposal = zone_agreed()
    with pytest.raises(ValidationFailed):
        services.decide_as_body(actor=demo_actor("xzshuji"), proposal_id=proposal.pk, decision="decline", reason=" ")
    services.decide_as_body(
        actor=demo_actor("xzshuji"), proposal_id=proposal.pk, decision="decline", reason="情节轻微，批评教育即可。"
    )
    proposal.refresh_from_db()
    assert proposal.state == State.BODY_DECLINED
    assert proposal.body_reason == "情节轻微，批评教育即可。"
    assert not Case.objects.filter(clue=proposal.clue).exists()
    proposal.clue.refresh_from_db()
    assert proposal.clue.state == ClueState.PRELIMINARY_VERIFICATION


def test_a_zone_disagreement_ends_the_proposal_and_the_body_cannot_file(demo):
    proposal = submitted()
    decide(held_with(proposal), "disagree")
    proposal.refresh_from_db()
    assert proposal.state == State.ZONE_DISAGREED
    with pytest.raises(InvalidTransition):
        services.decide_as_body(actor=demo_actor("xzshuji"), proposal_id=proposal.pk, decision="file", reason="同意")
    # The team may draft anew.
    again = drafted(proposal.clue)
    assert again.state == State.DRAFTED


def test_a_deferral_keeps_the_proposal_waiting_for_another_meeting(demo):
    from tests.filing.conftest import on_agenda

    proposal = submitted()
    decide(held_with(proposal), "defer")
    proposal.refresh_from_db()
    assert proposal.state == State.SUBMITTED_TO_ZONE
    item = on_agenda(proposal)  # may go on the next meeting
    assert item.target_id == proposal.pk


def test_drafting_needs_a_clue_under_verification_and_the_facts(demo):
    from tests.clues.conftest import analysed, open_other

    clue = analysed(open_other())
    with pytest.raises(RuleViolation, match="初步核实"):
        services.draft_filing(
            actor=demo_actor("xzshuji"),
            clue_id=clue.pk,
            subject_id=subject_of(clue).pk,
            data=services.ProposalInput(facts=FACTS, basis=BASIS, proposal=PROPOSAL),
        )
    clue = clue_under_verification()
    with pytest.raises(ValidationFailed) as caught:
        services.draft_filing(
            actor=demo_actor("xzshuji"),
            clue_id=clue.pk,
            subject_id=subject_of(clue).pk,
            data=services.ProposalInput(basis=BASIS),
        )
    assert "facts" in caught.value.field_errors


def test_one_open_proposal_per_subject(demo):
    proposal = drafted()
    with pytest.raises(RuleViolation, match="重复"):
        drafted(proposal.clue)


def test_a_proposal_is_revised_only_as_a_draft(demo):
    proposal = drafted()
    services.revise_filing(
        actor=demo_actor("xzshuji"),
        proposal_id=proposal.pk,
        data=services.ProposalInput(facts=FACTS + "另查明……", basis=BASIS, proposal=PROPOSAL),
    )
    services.submit_filing(actor=demo_actor("xzshuji"), proposal_id=proposal.pk)
    with pytest.raises(InvalidTransition):
        services.revise_filing(
            actor=demo_actor("xzshuji"),
            proposal_id=proposal.pk,
            data=services.ProposalInput(facts="x", basis="y", proposal="z"),
        )


def test_someone_outside_the_matter_cannot_draft(demo):
    from xiezuoqu.errors import NotFound

    clue = clue_under_verification()
    with pytest.raises(NotFound):
        services.draft_filing(
            actor=demo_actor("xzshuji2"),
            clue_id=clue.pk,
            subject_id=subject_of(clue).pk,
            data=services.ProposalInput(facts=FACTS, basis=BASIS, proposal=PROPOSAL),
        )
