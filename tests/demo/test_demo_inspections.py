"""The demo's special inspection: one campaign of the year across the four zones, its teams from the
platform's own proposal, and findings in every state — 销号, overdue with a 督办单, transferred to the
clue ledger (one also rectified), awaiting review or 销号, not yet disposed."""

from __future__ import annotations

import pytest

from xiezuoqu.clues.models import Source
from xiezuoqu.deadlines.models import Deadline, SupervisionSlip
from xiezuoqu.demo.inspections import FINDINGS, load_demo_inspections
from xiezuoqu.demo.services import load_demo
from xiezuoqu.inspections import rules
from xiezuoqu.inspections.models import Campaign, CampaignState, Finding, FindingState

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(db):
    load_demo()
    summary = load_demo_inspections()
    assert summary.loaded
    return summary


def test_one_campaign_across_the_four_zones_under_way_on_the_platforms_proposal(loaded):
    campaign = Campaign.objects.get(is_demo=True)
    assert campaign.state == CampaignState.UNDER_WAY and campaign.approval.state == "approved"
    assert campaign.zones.count() == 4 and campaign.focus_area == "farm_subsidy"
    assert campaign.assignments.count() == campaign.units.count() == loaded.teams
    assert not campaign.assignments.filter(adjusted=True).exists()
    pairs = set(campaign.assignments.values_list("inspecting_unit_id", "inspected_unit_id"))
    assert all(a != b and (b, a) not in pairs for a, b in pairs)
    assert loaded.checks == loaded.teams * campaign.points.count()


def test_findings_in_every_state_spread_over_the_zones(loaded):
    findings = Finding.objects.filter(campaign__is_demo=True)
    assert findings.count() == len(FINDINGS) == loaded.findings
    states = set(findings.values_list("state", flat=True))
    assert {FindingState.CLOSED, FindingState.TRANSFERRED, FindingState.RECTIFYING, FindingState.REPORTED} <= states
    assert {FindingState.REVIEWED, FindingState.RECORDED} <= states
    assert findings.values("zone").distinct().count() == 4


def test_two_findings_became_clues_and_one_of_them_is_also_rectified(loaded):
    moved = Finding.objects.filter(campaign__is_demo=True, clue__isnull=False).select_related("clue")
    assert moved.count() == 2 == loaded.transferred
    assert all(f.clue.source == Source.INSPECTION and f.clue.ledger_number for f in moved)
    assert {f.state for f in moved} == {FindingState.TRANSFERRED, FindingState.RECTIFYING}


def test_the_overdue_rectifications_have_their_supervision_slips(loaded):
    overdue = Deadline.objects.filter(kind=rules.RECTIFICATION_KIND, overdue_since__isnull=False, state="open")
    assert overdue.count() == loaded.overdue == 2
    assert SupervisionSlip.objects.filter(deadline__in=overdue).count() == 2


def test_a_second_load_does_nothing(loaded):
    assert not load_demo_inspections().loaded
    assert Campaign.objects.filter(is_demo=True).count() == 1
