"""Budgets and claims through the services: the whole flow, levels by amount, overspend, adjustments,
read-only paid claims and their reversal, receipts, scope."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.funds.conftest import approve_claim, budget, clue, draft, line, setup_funds
from tests.intake.conftest import demo_actor
from xiezuoqu.approvals.models import ApprovalRequest
from xiezuoqu.approvals.services import decide
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.errors import InvalidTransition, NotFound, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.funds import selectors, services
from xiezuoqu.funds.models import AdjustmentState, Claim
from xiezuoqu.funds.workflow import ClaimState

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _figures(found_line):
    return {f.line.pk: f for f in selectors.figures_for(found_line.budget)}[found_line.pk]


def test_a_claim_goes_from_draft_through_approval_to_paid_and_is_then_read_only(demo):
    subsidy = line(budget())
    matter = clue()
    claim = draft(subsidy, matter)
    assert claim.state == ClaimState.DRAFT and claim.amount == Decimal("1200.00")
    receipt = services.add_receipt(actor=demo_actor("xzshuji"), claim_id=claim.pk, file_name="票据.pdf", data=PDF)
    assert len(receipt.sha256) == 64 and receipt.content_type == "application/pdf"
    _, content = services.read_receipt(actor=demo_actor("xzshuji"), receipt_id=receipt.pk)
    assert content == PDF
    assert _figures(subsidy).committed == 0
    claim = services.submit_claim(actor=demo_actor("xzshuji"), claim_id=claim.pk)
    assert claim.state == ClaimState.SUBMITTED
    assert [s["role"] for s in claim.approval.steps] == ["zone_leader"]  # 1200 ≤ the zone limit
    assert _figures(subsidy).committed == Decimal("1200.00")
    claim = approve_claim(claim)
    assert claim.state == ClaimState.APPROVED
    with pytest.raises(NotPermitted):
        services.pay_claim(actor=demo_actor("xzshuji"), claim_id=claim.pk)
    claim = services.pay_claim(actor=demo_actor("anguan"), claim_id=claim.pk)
    assert claim.state == ClaimState.PAID
    figures = _figures(subsidy)
    assert (figures.spent, figures.committed, figures.remaining) == (
        Decimal("1200.00"),
        Decimal("0.00"),
        Decimal("8800.00"),
    )
    with pytest.raises(InvalidTransition, match="已支付，只读"):
        services.add_receipt(actor=demo_actor("xzshuji"), claim_id=claim.pk, file_name="补.pdf", data=PDF + b" ")
    with pytest.raises(InvalidTransition, match="已支付，只读"):
        services.withdraw_claim(actor=demo_actor("xzshuji"), claim_id=claim.pk)
    reversal = services.reverse_claim(actor=demo_actor("anguan"), claim_id=claim.pk, reason="金额录入有误")
    assert reversal.amount == Decimal("-1200.00") and reversal.reverses_id == claim.pk
    assert _figures(subsidy).spent == Decimal("0.00")
    with pytest.raises(InvalidTransition):
        services.reverse_claim(actor=demo_actor("anguan"), claim_id=reversal.pk, reason="再冲")
    with pytest.raises(RuleViolation, match="已经冲销过"):
        services.reverse_claim(actor=demo_actor("anguan"), claim_id=claim.pk, reason="再冲")
    actions = set(
        AuditEvent.objects.filter(target_type="funds.claim", target_id=str(claim.pk)).values_list("action", flat=True)
    )
    assert {"claim.created", "claim.submitted", "claim.decided", "claim.paid"} <= actions


def test_the_approval_level_follows_the_amount_and_the_commissions_thresholds(demo):
    subsidy = line(budget(subsidy="100000.00"))
    matter = clue()
    middle = services.submit_claim(actor=demo_actor("xzshuji"), claim_id=draft(subsidy, matter, "6000.00").pk)
    assert [s["role"] for s in middle.approval.steps] == ["zone_leader", "commission_leader"]
    large = services.submit_claim(actor=demo_actor("xzshuji"), claim_id=draft(subsidy, matter, "25000.00").pk)
    assert [s["role"] for s in large.approval.steps] == ["zone_leader", "commission_leader", "commission_head"]
    services.set_policy(actor=demo_actor("anguan"), zone_limit="30000.00", leader_limit="50000.00")
    small = services.submit_claim(actor=demo_actor("xzshuji"), claim_id=draft(subsidy, matter, "25000.00").pk)
    assert [s["role"] for s in small.approval.steps] == ["zone_leader"]
    with pytest.raises(ValidationFailed):
        services.set_policy(actor=demo_actor("anguan"), zone_limit="300.00", leader_limit="200.00")
    with pytest.raises(NotPermitted):
        services.set_policy(actor=demo_actor("xzshuji"), zone_limit="1.00", leader_limit="2.00")


def test_overspend_is_refused_naming_the_line_and_the_remaining_and_changes_nothing(demo):
    transport = line(budget(), "transport")
    matter = clue()
    services.submit_claim(actor=demo_actor("xzshuji"), claim_id=draft(transport, matter, "2500.00").pk)
    over = draft(transport, matter, "500.01")
    approvals_before = ApprovalRequest.objects.count()
    with pytest.raises(RuleViolation, match=r"交通”科目余额只有 500\.00 元"):
        services.submit_claim(actor=demo_actor("xzshuji"), claim_id=over.pk)
    over.refresh_from_db()
    assert over.state == ClaimState.DRAFT and over.approval_id is None
    assert ApprovalRequest.objects.count() == approvals_before
    assert _figures(transport).committed == Decimal("2500.00")
    # Exactly the remaining passes.
    exact = services.submit_claim(actor=demo_actor("xzshuji"), claim_id=draft(transport, matter, "500.00").pk)
    assert exact.state == ClaimState.SUBMITTED and _figures(transport).remaining == 0


def test_an_approved_increase_lets_a_refused_claim_pass_and_its_history_is_kept(demo):
    other = line(budget(), "other")
    matter = clue()
    claim = draft(other, matter, "1500.00")
    with pytest.raises(RuleViolation, match="请先申请追加预算"):
        services.submit_claim(actor=demo_actor("xzshuji"), claim_id=claim.pk)
    adjustment = services.request_adjustment(
        actor=demo_actor("zuzhang1"), line_id=other.pk, kind="increase", amount="1000.00", reason="专项办案追加"
    )
    assert adjustment.state == AdjustmentState.PENDING
    other.refresh_from_db()
    assert other.amount == Decimal("1000.00")  # not before approval
    decide(actor=demo_actor("fenguan"), approval_id=adjustment.approval_id, decision="approve", comment="同意")
    decide(actor=demo_actor("shuji"), approval_id=adjustment.approval_id, decision="approve", comment="同意")
    adjustment.refresh_from_db()
    other.refresh_from_db()
    assert adjustment.state == AdjustmentState.APPROVED
    assert (adjustment.amount_before, adjustment.amount_after, other.amount) == (
        Decimal("1000.00"),
        Decimal("2000.00"),
        Decimal("2000.00"),
    )
    assert other.initial_amount == Decimal("1000.00")
    assert services.submit_claim(actor=demo_actor("xzshuji"), claim_id=claim.pk).state == ClaimState.SUBMITTED
    # A decrease below what is spent and committed is refused up front.
    with pytest.raises(RuleViolation, match=r"可调减的余额只有 500\.00 元"):
        services.request_adjustment(
            actor=demo_actor("anguan"), line_id=other.pk, kind="decrease", amount="600.00", reason="压减"
        )
    with pytest.raises(NotFound):  # a township cadre does not see the zone's budget
        services.request_adjustment(
            actor=demo_actor("xzshuji"), line_id=other.pk, kind="increase", amount="1.00", reason="想多要"
        )


def test_a_decrease_approved_after_the_line_was_committed_is_refused_and_changes_nothing(demo):
    other = line(budget(), "other")
    adjustment = services.request_adjustment(
        actor=demo_actor("anguan"), line_id=other.pk, kind="decrease", amount="800.00", reason="压减"
    )
    services.submit_claim(actor=demo_actor("xzshuji"), claim_id=draft(other, clue(), "500.00").pk)
    decide(actor=demo_actor("fenguan"), approval_id=adjustment.approval_id, decision="approve", comment="同意")
    with pytest.raises(RuleViolation, match="不能批准该调减"):
        decide(actor=demo_actor("shuji"), approval_id=adjustment.approval_id, decision="approve", comment="同意")
    adjustment.refresh_from_db()
    other.refresh_from_db()
    assert adjustment.state == AdjustmentState.PENDING and other.amount == Decimal("1000.00")


def test_a_returned_claim_goes_back_to_draft_and_can_be_resubmitted(demo):
    subsidy = line(budget())
    claim = services.submit_claim(actor=demo_actor("xzshuji"), claim_id=draft(subsidy, clue()).pk)
    decide(actor=demo_actor("zuzhang1"), approval_id=claim.approval_id, decision="return", comment="请补充票据")
    claim.refresh_from_db()
    assert claim.state == ClaimState.DRAFT and _figures(subsidy).committed == 0
    claim = services.submit_claim(actor=demo_actor("xzshuji"), claim_id=claim.pk)
    assert claim.state == ClaimState.SUBMITTED
    decide(actor=demo_actor("zuzhang1"), approval_id=claim.approval_id, decision="reject", comment="不符合规定")
    claim.refresh_from_db()
    assert claim.state == ClaimState.REJECTED and _figures(subsidy).committed == 0


def test_money_is_decimal_with_two_places_and_bad_input_is_refused(demo):
    subsidy = line(budget())
    matter = clue()
    for bad in ("abc", "1.234", "-5", "0", "NaN"):
        with pytest.raises(ValidationFailed):
            draft(subsidy, matter, bad)
    assert draft(subsidy, matter, "1,234.5").amount == Decimal("1234.50")
    with pytest.raises(ValidationFailed, match="您所在协作区"):
        draft(line(budget(2)), matter)  # xzshuji works in zone 1


def test_a_receipt_must_pass_the_upload_checks(demo):
    claim = draft(line(budget()), clue())
    with pytest.raises(ValidationFailed):
        services.add_receipt(actor=demo_actor("xzshuji"), claim_id=claim.pk, file_name="a.pdf", data=b"MZ\x90\x00evil")
    assert not claim.receipts.exists()


def test_scope_commission_sees_all_zone_leader_their_zone_claimant_their_own(demo):
    subsidy = line(budget())
    claim = draft(subsidy, clue())
    budget_row = subsidy.budget
    for username, sees_claim, sees_budget in [
        ("anguan", True, True),
        ("shuji", True, True),
        ("zuzhang1", True, True),
        ("zuzhang2", False, False),
        ("xzshuji", True, False),
        ("xzganbu", False, False),
        ("xitong", False, False),
    ]:
        actor = demo_actor(username)
        assert selectors.claims_visible_to(actor).filter(pk=claim.pk).exists() is sees_claim, username
        assert selectors.can_view_claim(actor, claim) is sees_claim, username
        assert selectors.budgets_visible_to(actor).filter(pk=budget_row.pk).exists() is sees_budget, username
    with pytest.raises(NotFound):
        services.submit_claim(actor=demo_actor("xzganbu"), claim_id=claim.pk)
    claim.refresh_from_db()
    assert claim.state == ClaimState.DRAFT


def test_only_overseers_set_budgets_and_a_budget_is_set_once(demo):
    setup_funds()
    budget()
    with pytest.raises(RuleViolation, match="已经下达"):
        budget()
    with pytest.raises(NotPermitted):
        services.set_budget(actor=demo_actor("zuzhang1"), zone_id=1, year=2026, amounts={})
    assert Claim.objects.count() == 0
