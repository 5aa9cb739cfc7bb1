"""An approved 初核报告 recommending 拟立案 (the verification app's ``report_for_filing``) prefills the
filing request: facts, basis, team, measures and evidence; what the team types wins."""

from __future__ import annotations

import pytest

from tests.filing.conftest import PROPOSAL, clue_under_verification, subject_of
from tests.intake.conftest import demo_actor
from xiezuoqu.filing import services

pytestmark = pytest.mark.django_db


def test_an_approved_recommendation_to_file_prefills_the_draft(demo):
    from tests.verification.conftest import LEAD, concluded

    verification = concluded("file")
    clue = verification.clue
    prefill = services.verification_prefill(clue.pk)
    assert prefill["verification_ref"] == verification.pk
    assert "虚报耕地面积12亩" in prefill["facts"]
    assert prefill["evidence_inventory"].startswith("1. ")
    assert "组长" in prefill["team_text"]
    proposal = services.draft_filing(
        actor=demo_actor(LEAD),
        clue_id=clue.pk,
        subject_id=subject_of(clue).pk,
        data=services.ProposalInput(proposal=PROPOSAL, basis="团队改写的立案依据"),
    )
    assert proposal.verification_ref == verification.pk
    assert proposal.facts == prefill["facts"]
    assert proposal.basis == "团队改写的立案依据"
    assert proposal.measures_summary == prefill["measures_summary"] != ""


def test_without_a_recommendation_to_file_nothing_is_prefilled(demo):
    assert services.verification_prefill(clue_under_verification().pk) == {}
