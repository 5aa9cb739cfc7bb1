"""延期: requested through the "deadline.extension" chain; approval moves the due date, rejection doesn't."""

from __future__ import annotations

from datetime import date

import pytest

from tests.deadlines.conftest import open_on, unit_named
from xiezuoqu.approvals import services as approvals
from xiezuoqu.approvals.workflow import Decision, State
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.deadlines.kinds import register_deadline_kind
from xiezuoqu.deadlines.models import Deadline, DeadlineExtension, ExtensionState
from xiezuoqu.deadlines.services import close_deadline, request_extension
from xiezuoqu.errors import InvalidTransition, NotFound, RuleViolation, ValidationFailed

pytestmark = pytest.mark.django_db


@pytest.fixture
def deadline(demo):
    """A 15 WD deadline of 宝山镇纪委 (zone 1), due 2026-11-23."""
    return open_on(demo.actor("xzganbu"), unit_named("宝山"), start=date(2026, 11, 2))


def test_approved_by_the_zone_leader_the_due_date_moves_from_the_current_due_date(demo, deadline):
    """Default chain: 协作区组长 of the requester's zone. 5 WD from 2026-11-23 → 2026-11-30, on record."""
    extension = request_extension(
        actor=demo.actor("xzganbu"), deadline_id=deadline.pk, working_days=5, reason="需补充调取银行流水"
    )
    approval = extension.approval_request
    assert (approval.matter_type, approval.state, approval.target_id) == (
        "deadline.extension",
        State.PENDING,
        deadline.pk,
    )
    approvals.decide(actor=demo.actor("zuzhang1"), approval_id=approval.pk, decision=Decision.APPROVE)

    deadline.refresh_from_db()
    extension.refresh_from_db()
    assert deadline.due_date == date(2026, 11, 30)
    assert deadline.original_due_date == date(2026, 11, 23)
    assert (deadline.extension_count, deadline.extended_days) == (1, 7)
    assert extension.state == ExtensionState.APPROVED
    assert (extension.old_due, extension.new_due) == (date(2026, 11, 23), date(2026, 11, 30))
    assert extension.requested_by == demo.user("xzganbu")
    event = AuditEvent.objects.get(action="deadline.extended", target_id=str(deadline.pk))
    assert event.actor_name == "zuzhang1"
    assert event.changes["due_date"] == ["2026-11-23", "2026-11-30"]
    assert event.detail["approval_request"] == approval.pk
    assert AuditEvent.objects.filter(action="deadline.extension_requested", target_id=str(deadline.pk)).exists()


def test_an_extension_in_months_counts_months_from_the_current_due_date(demo, deadline):
    extension = request_extension(actor=demo.actor("xzganbu"), deadline_id=deadline.pk, months=1, reason="案情复杂")
    approvals.decide(actor=demo.actor("zuzhang1"), approval_id=extension.approval_request_id, decision=Decision.APPROVE)
    deadline.refresh_from_db()
    assert deadline.due_date == date(2026, 12, 23)


def test_rejected_the_due_date_stays(demo, deadline):
    extension = request_extension(actor=demo.actor("xzganbu"), deadline_id=deadline.pk, working_days=5, reason="理由")
    approvals.decide(
        actor=demo.actor("zuzhang1"),
        approval_id=extension.approval_request_id,
        decision=Decision.REJECT,
        comment="不符合延期条件",
    )
    deadline.refresh_from_db()
    extension.refresh_from_db()
    assert deadline.due_date == date(2026, 11, 23)
    assert deadline.extension_count == 0
    assert extension.state == ExtensionState.REJECTED
    assert extension.new_due is None
    assert AuditEvent.objects.filter(action="deadline.extension_rejected", target_id=str(deadline.pk)).exists()


def test_returned_stays_pending_and_withdrawn_ends_it(demo, deadline):
    extension = request_extension(actor=demo.actor("xzganbu"), deadline_id=deadline.pk, working_days=5, reason="理由")
    approvals.decide(
        actor=demo.actor("zuzhang1"),
        approval_id=extension.approval_request_id,
        decision=Decision.RETURN,
        comment="补充材料",
    )
    extension.refresh_from_db()
    assert extension.state == ExtensionState.PENDING
    approvals.withdraw_request(actor=demo.actor("xzganbu"), approval_id=extension.approval_request_id)
    extension.refresh_from_db()
    assert extension.state == ExtensionState.WITHDRAWN
    event = AuditEvent.objects.get(action="deadline.extension_withdrawn", target_id=str(deadline.pk))
    assert event.actor_name == "xzganbu"  # the requester withdrew, not the leader who returned it
    assert Deadline.objects.get(pk=deadline.pk).due_date == date(2026, 11, 23)


def test_one_pending_extension_at_a_time(demo, deadline):
    request_extension(actor=demo.actor("xzganbu"), deadline_id=deadline.pk, working_days=5, reason="理由")
    with pytest.raises(RuleViolation):
        request_extension(actor=demo.actor("xzganbu"), deadline_id=deadline.pk, working_days=3, reason="理由")
    assert DeadlineExtension.objects.filter(deadline=deadline).count() == 1


def test_a_closed_deadline_cannot_be_extended_and_approval_after_closing_is_refused(demo, deadline):
    extension = request_extension(actor=demo.actor("xzganbu"), deadline_id=deadline.pk, working_days=5, reason="理由")
    close_deadline(actor=None, target=deadline.target, kind=deadline.kind, met_on=date(2026, 11, 20))
    with pytest.raises(RuleViolation, match="无需延期"):
        approvals.decide(
            actor=demo.actor("zuzhang1"), approval_id=extension.approval_request_id, decision=Decision.APPROVE
        )
    extension.refresh_from_db()
    assert extension.state == ExtensionState.PENDING  # the decision rolled back as a whole
    with pytest.raises(InvalidTransition):
        request_extension(actor=demo.actor("xzganbu"), deadline_id=deadline.pk, working_days=5, reason="理由")


def test_outside_the_scope_the_deadline_does_not_exist(demo, deadline):
    """东汤 (zone 2) cannot see 宝山's deadline: 404, not 403."""
    with pytest.raises(NotFound):
        request_extension(actor=demo.actor("xzshuji2"), deadline_id=deadline.pk, working_days=5, reason="理由")


def test_a_reason_is_required(demo, deadline):
    with pytest.raises(ValidationFailed):
        request_extension(actor=demo.actor("xzganbu"), deadline_id=deadline.pk, working_days=5, reason="")


FIXED_KIND = "test.fixed_term"
register_deadline_kind(FIXED_KIND, "法定期限", not_extendable="请在原措施处办理延长。")


def test_a_kind_with_its_own_extension_procedure_refuses_the_generic_extension(demo, client):
    """留置, 管护, 冻结 and 处分期满 are moved only by their own procedure: the page offers no form and the
    service refuses, so the timer never disagrees with the record it tracks."""
    fixed = open_on(demo.actor("xzganbu"), unit_named("宝山"), start=date(2026, 11, 2), kind=FIXED_KIND)
    with pytest.raises(RuleViolation, match="请在原措施处办理延长"):
        request_extension(actor=demo.actor("xzganbu"), deadline_id=fixed.pk, working_days=5, reason="理由")
    assert not DeadlineExtension.objects.filter(deadline=fixed).exists()
    client.force_login(demo.user("xzganbu"))
    page = client.get(f"/deadlines/{fixed.pk}/").content.decode()
    assert "请在原措施处办理延长" in page and "提交延期申请" not in page
    ordinary = open_on(demo.actor("xzganbu"), unit_named("宝山"), start=date(2026, 11, 2), index=1)
    assert "提交延期申请" in client.get(f"/deadlines/{ordinary.pk}/").content.decode()


def test_detention_and_measure_terms_are_registered_as_not_extendable():
    from xiezuoqu.deadlines.kinds import kind_for

    assert kind_for("case.detention").not_extendable
    assert kind_for("case.measure_limit").not_extendable
    assert not kind_for("case.trial").not_extendable  # 审理 is extended through the generic 延期
    assert kind_for("sanction.term_end").not_extendable  # fixed by the decision; changed only on appeal
