"""A seat weighs on a cadre's capacity only while the team's task goes on: a verification team while
its clue is under 初步核实; after the report is approved the seat stays on record but frees capacity."""

from __future__ import annotations

import pytest

from tests.verification.conftest import LEAD, approved, confirm_all, evidence, measured, reported, staff_id
from xiezuoqu.teams.selectors import seat_counts
from xiezuoqu.verification import services

pytestmark = pytest.mark.django_db


def test_a_finished_verification_frees_its_members_capacity(demo):
    from tests.clues.conftest import approve_all, demo_actor

    verification = approved()
    lead = staff_id(LEAD)
    assert seat_counts([lead]) == {lead: 1}
    measured(verification)
    evidence(verification)
    reported(verification, recommendation="close")
    confirm_all(verification)
    report = services.submit_report(actor=demo_actor(LEAD), verification_id=verification.pk)
    assert report.approval_id is not None
    approve_all(report.approval_id)
    verification.clue.refresh_from_db()
    assert verification.clue.state == "closed"
    assert seat_counts([lead]) == {}
