"""Later apps react to outcomes through hooks in the same transaction; every write is on record."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.approvals.conftest import ZONE_THEN_COMMISSION, actor_of, configure, submit
from xiezuoqu.approvals import services
from xiezuoqu.approvals.matters import DEFAULT_CHAINS, FINAL_HOOKS, on_final_decision, register_matter_type
from xiezuoqu.approvals.models import ApprovalDecision, ApprovalRequest
from xiezuoqu.approvals.workflow import Decision, Mode, State
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.errors import RuleViolation

A, R, X = Decision.APPROVE, Decision.RETURN, Decision.REJECT
MATTER = "test.hooked"


@pytest.fixture
def hooked():
    """A matter type of a pretend later app, with a hook that records what it saw."""
    register_matter_type(MATTER, "测试事项")
    seen: list[dict] = []

    @on_final_decision(MATTER)
    def _hook(approval, outcome):
        stored = ApprovalRequest.objects.get(pk=approval.pk)
        seen.append(
            {
                "outcome": outcome,
                "in_transaction": connection.in_atomic_block,
                "stored_state": stored.state,
                "decisions": ApprovalDecision.objects.filter(request_id=approval.pk).count(),
            }
        )

    yield seen
    FINAL_HOOKS.pop(MATTER, None)
    from xiezuoqu.approvals.matters import MATTER_TYPES

    MATTER_TYPES.pop(MATTER, None)


@pytest.mark.parametrize(
    ("decisions", "outcome"), [([A, A], State.APPROVED), ([A, R], State.RETURNED), ([X], State.REJECTED)]
)
def test_the_hook_runs_once_when_a_round_ends_inside_the_deciding_transaction(world, hooked, decisions, outcome):
    """The hook sees the new state and the decision already written, inside the transaction."""
    configure(world, MATTER, Mode.SEQUENTIAL, ZONE_THEN_COMMISSION)
    approval = submit(world, MATTER)
    deciders = [world.zone_leader1, world.leader_a]
    for decider, decision in zip(deciders, decisions, strict=False):
        services.decide(actor=actor_of(decider), approval_id=approval.pk, decision=decision, comment="意见")
    assert hooked == [
        {"outcome": outcome, "in_transaction": True, "stored_state": outcome, "decisions": len(decisions)}
    ]


def test_the_hook_runs_on_withdrawal_too(world, hooked):
    configure(world, MATTER, Mode.SEQUENTIAL, ZONE_THEN_COMMISSION)
    approval = submit(world, MATTER)
    services.withdraw_request(actor=actor_of(world.requester), approval_id=approval.pk)
    assert [h["outcome"] for h in hooked] == [State.WITHDRAWN]


def test_a_hook_that_refuses_rolls_the_decision_back(world, hooked):
    """Same transaction: if the later app's own transition fails, the approval does not happen either."""
    configure(world, MATTER, Mode.SEQUENTIAL, ZONE_THEN_COMMISSION[:1])
    approval = submit(world, MATTER)

    @on_final_decision(MATTER)
    def _refuse(approval, outcome):
        raise RuleViolation("线索已归档，不能再处置。")

    with pytest.raises(RuleViolation, match="已归档"):
        services.decide(actor=actor_of(world.zone_leader1), approval_id=approval.pk, decision=A)
    approval.refresh_from_db()
    assert approval.state == State.PENDING
    assert not ApprovalDecision.objects.filter(request=approval).exists()
    assert not AuditEvent.objects.filter(action="approval.approved", target_id=str(approval.pk)).exists()


def test_hooks_of_other_matter_types_do_not_run(world, hooked):
    configure(world, "deadline.extension", Mode.SEQUENTIAL, ZONE_THEN_COMMISSION[:1])
    approval = submit(world, "deadline.extension")
    services.decide(actor=actor_of(world.zone_leader1), approval_id=approval.pk, decision=A)
    assert hooked == []


def _actions(approval: ApprovalRequest) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_type="approvals.approvalrequest", target_id=str(approval.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


def test_every_step_of_a_request_is_audited(world):
    """submitted → step_approved → (step_approved + approved), with who, what and the comment."""
    configure(world, "clue.disposal", Mode.SEQUENTIAL, ZONE_THEN_COMMISSION)
    approval = submit(world)
    services.decide(actor=actor_of(world.zone_leader1), approval_id=approval.pk, decision=A, comment="同意初核")
    services.decide(actor=actor_of(world.leader_a), approval_id=approval.pk, decision=A)
    assert _actions(approval) == [
        "approval.submitted",
        "approval.step_approved",
        "approval.step_approved",
        "approval.approved",
    ]
    final = AuditEvent.objects.get(action="approval.approved", target_id=str(approval.pk))
    assert final.actor_id == world.leader_a.pk
    assert final.commission_id == world.commission.pk
    assert final.changes["state"] == ["pending", "approved"]
    first_step = AuditEvent.objects.filter(action="approval.step_approved", target_id=str(approval.pk)).order_by("seq")[
        0
    ]
    assert first_step.detail["comment"] == "同意初核" and first_step.detail["step"] == "协作区组长审批"


def test_returns_rejections_withdrawals_and_resubmissions_are_audited(world):
    configure(world, "clue.disposal", Mode.PARALLEL, ZONE_THEN_COMMISSION)
    approval = submit(world)
    services.decide(actor=actor_of(world.leader_a), approval_id=approval.pk, decision=R, comment="请补充")
    services.resubmit_request(actor=actor_of(world.requester), approval_id=approval.pk, title="修改后的请示")
    services.decide(actor=actor_of(world.zone_leader1), approval_id=approval.pk, decision=X, comment="不具备可查性")
    assert _actions(approval) == [
        "approval.submitted",
        "approval.returned",
        "approval.resubmitted",
        "approval.rejected",
    ]
    resubmitted = AuditEvent.objects.get(action="approval.resubmitted", target_id=str(approval.pk))
    assert resubmitted.changes["round"] == [1, 2]
    assert resubmitted.changes["title"][1] == "修改后的请示"
    rejected = AuditEvent.objects.get(action="approval.rejected", target_id=str(approval.pk))
    assert rejected.detail["comment"] == "不具备可查性" and rejected.changes["state"] == ["pending", "rejected"]


def test_chain_configuration_is_audited(world):
    configure(world, "clue.disposal", Mode.SEQUENTIAL, ZONE_THEN_COMMISSION)
    configure(world, "clue.disposal", Mode.PARALLEL, ZONE_THEN_COMMISSION)
    events = list(
        AuditEvent.objects.filter(action="approval_chain.configured", commission_id=world.commission.pk).order_by("seq")
    )
    assert [e.changes["version"] for e in events] == [[None, 1], [1, 2]]
    assert events[1].detail["mode"] == Mode.PARALLEL and events[1].actor_id == world.head.pk
    assert len(events[1].detail["steps"]) == 2


def test_default_chains_are_audited_without_an_actor(world):
    services.ensure_default_chains(commission=world.commission)
    events = AuditEvent.objects.filter(action="approval_chain.configured", commission_id=world.commission.pk)
    assert events.count() == len(DEFAULT_CHAINS)
    assert all(e.detail["default"] and e.commission_id == world.commission.pk for e in events)


def test_a_refused_submission_leaves_nothing_behind(world):
    with pytest.raises(RuleViolation):
        submit(world)
    assert not AuditEvent.objects.filter(action__startswith="approval.", commission_id=world.commission.pk).exists()
