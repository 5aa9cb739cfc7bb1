"""A campaign from plan to 销号 through the services: created by a zone leader, approved through the chain,
assigned, checked, a finding recorded, rectified by the inspected unit on a working-day deadline, reviewed by
the team, signed off by the zone — then read-only; another finding becomes a clue, linked both ways."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.clues.models import Source
from xiezuoqu.deadlines.models import Deadline, DeadlineState
from xiezuoqu.errors import InvalidTransition, NotFound, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.inspections import rules, services
from xiezuoqu.inspections.models import (
    CampaignState,
    CheckResult,
    Finding,
    FindingState,
    Rectification,
)

from .conftest import (
    approved_campaign,
    campaign_input,
    demo_actor,
    finding_input,
    staff_of,
    under_way,
    unit_named,
    zone,
)

pytestmark = pytest.mark.django_db

BAOSHAN = "宝山镇纪委"


def _baoshan_team(campaign):
    return campaign.assignments.get(inspecting_unit=unit_named(BAOSHAN))


def test_a_campaign_is_approved_through_the_chain_before_assignment(demo):
    campaign = services.create_campaign(actor=demo_actor("zuzhang1"), data=campaign_input())
    assert campaign.state == CampaignState.DRAFT
    assert campaign.units.count() == 5 and campaign.points.count() == 2
    with pytest.raises(InvalidTransition, match="拟定中"):
        services.propose_assignment(actor=demo_actor("zuzhang1"), campaign_id=campaign.pk)
    services.submit_plan(actor=demo_actor("zuzhang1"), campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.SUBMITTED
    assert campaign.approval is not None and campaign.approval.matter_type == rules.PLAN.slug
    campaign = approved_campaign()
    assert campaign.state == CampaignState.APPROVED
    assert AuditEvent.objects.filter(action="campaign.approve", target_id=str(campaign.pk)).exists()


def test_only_the_commission_or_the_zones_leadership_organise(demo):
    with pytest.raises(NotPermitted):
        services.create_campaign(actor=demo_actor("xzshuji"), data=campaign_input())
    with pytest.raises(NotPermitted):
        services.create_campaign(actor=demo_actor("zuzhang2"), data=campaign_input())
    across = services.create_campaign(
        actor=demo_actor("fenguan"),
        data=campaign_input(zone_id=None, zone_ids=[zone(n).pk for n in (1, 2, 3, 4)]),
    )
    assert across.zone_id is None and across.zones.count() == 4 and across.units.count() == 21


def test_bad_plans_are_refused_and_nothing_is_created(demo):
    before = AuditEvent.objects.filter(action="campaign.create").count()
    today = timezone.localdate()
    for bad, message in [
        (campaign_input(title=""), "检查名称"),
        (campaign_input(points=[]), "检查要点"),
        (campaign_input(period_end=today - timedelta(days=90)), "结束日期"),
        (campaign_input(team_min=1), "至少 2 人"),
        (campaign_input(focus_area="other"), "领域名称"),
    ]:
        with pytest.raises(ValidationFailed, match=message):
            services.create_campaign(actor=demo_actor("zuzhang1"), data=bad)
    assert AuditEvent.objects.filter(action="campaign.create").count() == before


def test_field_work_findings_rectification_and_sign_off(demo):
    campaign = under_way()
    assert campaign.state == CampaignState.UNDER_WAY
    team = _baoshan_team(campaign)
    leader = demo_actor("xzshuji")
    assert team.leader_id == staff_of("xzshuji").pk
    point = campaign.points.get(order=1)
    record = services.record_check(
        actor=leader, assignment_id=team.pk, point_id=point.pk, result=CheckResult.PROBLEM, note="抽查 20 户，3 户不符"
    )
    assert record.assignment_id == team.pk
    finding = services.add_finding(actor=leader, assignment_id=team.pk, data=finding_input(point_id=point.pk))
    assert finding.amount == Decimal("12500.50") and finding.basis == point.basis
    assert finding.inspected_unit_id == team.inspected_unit_id and finding.state == FindingState.RECORDED

    rectification = services.order_rectification(actor=leader, finding_id=finding.pk, requirement="追回资金，完善审核")
    deadline = Deadline.objects.get(kind=rules.RECTIFICATION_KIND, target_id=rectification.pk)
    assert deadline.due_date == rectification.due_date and deadline.period_value == campaign.rectification_days
    assert deadline.responsible_unit_id == team.inspected_unit_id

    inspected_secretary = demo_actor("xzshuji_baiqi") if team.inspected_unit.name.startswith("白旗") else None
    reporter = inspected_secretary or demo_actor("zuzhang1")
    with pytest.raises(NotFound):
        services.report_rectification(actor=demo_actor("xzshuji2"), rectification_id=rectification.pk, report="x")
    services.report_rectification(
        actor=reporter, rectification_id=rectification.pk, report="已追回 12500.50 元", evidence_note="收据 3 张"
    )
    deadline.refresh_from_db()
    assert deadline.state == DeadlineState.MET
    services.review_rectification(actor=leader, rectification_id=rectification.pk, passed=True, note="整改到位")
    with pytest.raises(NotPermitted):
        services.close_finding(actor=leader, finding_id=finding.pk)
    services.close_finding(actor=demo_actor("zuzhang1"), finding_id=finding.pk)
    finding.refresh_from_db()
    assert finding.state == FindingState.CLOSED
    assert Rectification.objects.get(pk=rectification.pk).closed_on == timezone.localdate()

    # 销号: read-only from now on, and the refusal changes nothing.
    with pytest.raises(RuleViolation, match="已销号"):
        services.update_finding(actor=leader, finding_id=finding.pk, data=finding_input(amount="1"))
    with pytest.raises(RuleViolation, match="已销号"):
        services.transfer_finding(actor=demo_actor("zuzhang1"), finding_id=finding.pk)
    finding.refresh_from_db()
    assert finding.amount == Decimal("12500.50") and finding.clue_id is None


def test_a_failed_review_sends_the_finding_back_with_a_new_deadline(demo):
    campaign = under_way()
    team = _baoshan_team(campaign)
    leader = demo_actor("xzshuji")
    finding = services.add_finding(actor=leader, assignment_id=team.pk, data=finding_input())
    rectification = services.order_rectification(actor=leader, finding_id=finding.pk, requirement="追回资金")
    services.report_rectification(actor=demo_actor("zuzhang1"), rectification_id=rectification.pk, report="已追回")
    services.review_rectification(actor=leader, rectification_id=rectification.pk, passed=False, note="未见凭证")
    finding.refresh_from_db()
    assert finding.state == FindingState.RECTIFYING
    assert Deadline.objects.filter(kind=rules.RECTIFICATION_KIND, target_id=rectification.pk).count() == 2


def test_a_finding_becomes_a_clue_linked_both_ways_and_can_also_be_rectified(demo):
    campaign = under_way()
    team = _baoshan_team(campaign)
    finding = services.add_finding(actor=demo_actor("xzshuji"), assignment_id=team.pk, data=finding_input())
    services.transfer_finding(actor=demo_actor("zuzhang1"), finding_id=finding.pk)
    finding.refresh_from_db()
    clue = finding.clue
    assert clue is not None and finding.state == FindingState.TRANSFERRED
    assert clue.source == Source.INSPECTION and clue.get_source_display() == "监督检查发现"
    assert clue.inspection_finding == finding and str(finding.pk) in clue.source_note
    assert clue.ledger_number and clue.zone_id == finding.zone_id
    assert clue.subject_links.filter(subject__name="赵某某").exists()
    with pytest.raises(RuleViolation, match="不能重复移交"):
        services.transfer_finding(actor=demo_actor("zuzhang1"), finding_id=finding.pk)
    services.order_rectification(actor=demo_actor("zuzhang1"), finding_id=finding.pk, requirement="同时整改")
    finding.refresh_from_db()
    assert finding.state == FindingState.RECTIFYING and finding.clue_id == clue.pk


def test_bad_findings_and_deadlines_are_refused_and_change_nothing(demo):
    campaign = under_way()
    team = _baoshan_team(campaign)
    leader = demo_actor("xzshuji")
    for amount in ("一万元", "12,5x", "NaN", "-3", "1.234"):
        with pytest.raises(ValidationFailed, match="金额"):
            services.add_finding(actor=leader, assignment_id=team.pk, data=finding_input(amount=amount))
    assert not Finding.objects.filter(campaign=campaign).exists()
    finding = services.add_finding(actor=leader, assignment_id=team.pk, data=finding_input())
    with pytest.raises(ValidationFailed, match="早于发现问题的日期"):
        services.order_rectification(
            actor=leader,
            finding_id=finding.pk,
            requirement="追回资金",
            due_date=finding.found_on - timedelta(days=1),
        )
    finding.refresh_from_db()
    assert finding.state == FindingState.RECORDED and not Rectification.objects.filter(finding=finding).exists()
    assert not Deadline.objects.filter(kind=rules.RECTIFICATION_KIND, target_label__contains=str(finding.pk)).exists()
    with pytest.raises(ValidationFailed, match="金额"):
        services.update_finding(actor=leader, finding_id=finding.pk, data=finding_input(amount="abc"))
    finding.refresh_from_db()
    assert finding.amount == Decimal("12500.50")


def test_a_given_due_date_is_kept(demo):
    campaign = under_way()
    team = _baoshan_team(campaign)
    leader = demo_actor("xzshuji")
    finding = services.add_finding(actor=leader, assignment_id=team.pk, data=finding_input())
    due = timezone.localdate() + timedelta(days=10)
    rectification = services.order_rectification(actor=leader, finding_id=finding.pk, requirement="整改", due_date=due)
    assert rectification.due_date >= due


def test_field_work_waits_for_the_confirmed_assignment(demo):
    campaign = approved_campaign()
    from .conftest import ring

    team = next(a for a in ring(campaign) if a.inspecting_unit.name == BAOSHAN)
    with pytest.raises(RuleViolation, match="确定交叉检查分配后"):
        services.add_finding(actor=demo_actor("xzshuji"), assignment_id=team.pk, data=finding_input())
