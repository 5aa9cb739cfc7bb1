"""The platform's proposal on the demo county, through the services and the real solver: the stored teams
keep every rule of 交叉互检 against the facts in the database (home units, recusal facts, the zone pool);
the same input gives the same proposal; an impossible scope is explained and stores no teams; an
adjustment that breaks a rule is refused with the rule named and changes nothing."""

from __future__ import annotations

import pytest

from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.errors import RuleViolation
from xiezuoqu.inspections import adapter, services
from xiezuoqu.inspections.models import Assignment, Campaign, CampaignState

from .conftest import approved_campaign, demo_actor, zone

pytestmark = pytest.mark.django_db


def _teams(campaign: Campaign) -> list[tuple[int, int, int, tuple[int, ...]]]:
    return [
        (a.inspecting_unit_id, a.inspected_unit_id, a.leader_id, tuple(sorted(m.pk for m in a.members.all())))
        for a in Assignment.objects.filter(campaign=campaign).prefetch_related("members").order_by("inspected_unit_id")
    ]


def test_the_proposal_for_a_zone_keeps_every_rule_against_the_database(demo):
    campaign = approved_campaign()
    services.propose_assignment(actor=demo_actor("zuzhang1"), campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert campaign.infeasible_message == ""
    inputs = adapter.build_inputs(campaign)
    home = {i.id: i.unit_id for i in inputs.inspectors}
    teams = _teams(campaign)
    in_scope = set(campaign.units.values_list("unit_id", flat=True))
    assert sorted(t[1] for t in teams) == sorted(in_scope)  # every unit inspected exactly once
    pairs = {(t[0], t[1]) for t in teams}
    for inspecting, inspected, leader, members in teams:
        assert inspecting != inspected
        assert (inspected, inspecting) not in pairs  # no two units inspect each other
        assert leader in members and campaign.team_min <= len(members) <= campaign.team_max
        for member in members:
            assert home[member] != inspected
            assert (member, inspected) not in inputs.conflicts
    seats = [m for t in teams for m in t[3]]
    assert len(seats) == len(set(seats))  # nobody on two teams of the campaign
    for row in Assignment.objects.filter(campaign=campaign):
        assert row.reason  # a plain-language reason on every team
    assert AuditEvent.objects.filter(action="campaign.assignment_proposed", target_id=str(campaign.pk)).exists()


def test_the_same_input_gives_the_same_proposal(demo):
    campaign = approved_campaign()
    services.propose_assignment(actor=demo_actor("zuzhang1"), campaign_id=campaign.pk)
    first = _teams(campaign)
    services.propose_assignment(actor=demo_actor("zuzhang1"), campaign_id=campaign.pk)
    assert _teams(campaign) == first


def test_across_the_four_zones_with_cross_zone_checks(demo):
    zones = [zone(n).pk for n in (1, 2, 3, 4)]
    campaign = approved_campaign("shuji", zone_ids=zones, zone_id=None, cross_zone=True)
    services.propose_assignment(actor=demo_actor("shuji"), campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert campaign.infeasible_message == ""
    teams = _teams(campaign)
    assert len(teams) == campaign.units.count() >= 16
    zone_of = dict(campaign.units.values_list("unit_id", "zone_id"))
    assert any(zone_of[a] != zone_of[b] for a, b, _, _ in teams)


def test_a_scope_of_two_units_is_explained_and_stores_no_teams(demo):
    first = approved_campaign()
    units = sorted(first.units.values_list("unit_id", flat=True))[:2]
    campaign = approved_campaign(unit_ids=units, title="两单位专项检查")
    services.propose_assignment(actor=demo_actor("zuzhang1"), campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.APPROVED
    assert campaign.infeasible_rule == "two_cycle"
    assert "互查" in campaign.infeasible_message or "互相" in campaign.infeasible_message
    assert campaign.infeasible_remedy
    assert not Assignment.objects.filter(campaign=campaign).exists()
    with pytest.raises(RuleViolation, match="提出分配方案"):
        services.confirm_assignment(actor=demo_actor("zuzhang1"), campaign_id=campaign.pk)


def test_an_adjustment_that_breaks_a_rule_is_refused_and_changes_nothing(demo):
    campaign = approved_campaign()
    services.propose_assignment(actor=demo_actor("zuzhang1"), campaign_id=campaign.pk)
    before = _teams(campaign)
    target = Assignment.objects.filter(campaign=campaign).order_by("id").first()
    assert target is not None
    # Let the inspected unit inspect itself: refused, the rule named.
    with pytest.raises(RuleViolation, match="不得检查本单位"):
        services.adjust_assignment(
            actor=demo_actor("zuzhang1"),
            assignment_id=target.pk,
            data=services.AdjustInput(
                inspecting_unit_id=target.inspected_unit_id,
                leader_id=target.leader_id,
                member_ids=[m.pk for m in target.members.all()],
            ),
        )
    # Put an inspector of the inspected unit on its team: refused, named.
    own = next(i for i in adapter.build_inputs(campaign).inspectors if i.unit_id == target.inspected_unit_id)
    with pytest.raises(RuleViolation, match="本单位"):
        services.adjust_assignment(
            actor=demo_actor("zuzhang1"),
            assignment_id=target.pk,
            data=services.AdjustInput(
                inspecting_unit_id=target.inspecting_unit_id,
                leader_id=target.leader_id,
                member_ids=[*(m.pk for m in target.members.all()), own.id],
            ),
        )
    assert _teams(campaign) == before


def test_an_adjustment_within_the_rules_is_kept_marked_and_audited(demo):
    campaign = approved_campaign()
    services.propose_assignment(actor=demo_actor("zuzhang1"), campaign_id=campaign.pk)
    may_lead = {i.id for i in adapter.build_inputs(campaign).inspectors if i.can_lead}
    target, other = next(
        (a, m.pk)
        for a in Assignment.objects.filter(campaign=campaign).prefetch_related("members").order_by("id")
        for m in a.members.all()
        if m.pk != a.leader_id and m.pk in may_lead
    )
    members = sorted(m.pk for m in target.members.all())
    services.adjust_assignment(
        actor=demo_actor("zuzhang1"),
        assignment_id=target.pk,
        data=services.AdjustInput(
            inspecting_unit_id=target.inspecting_unit_id, leader_id=other, member_ids=members, reason="组长调换"
        ),
    )
    target.refresh_from_db()
    assert target.leader_id == other and target.adjusted and target.reason == "组长调换"
    assert AuditEvent.objects.filter(action="campaign.assignment_adjusted", target_id=str(target.pk)).exists()
    services.confirm_assignment(actor=demo_actor("zuzhang1"), campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.UNDER_WAY
