"""The state table, driven through the services: in order or together × approve, return, reject."""

from __future__ import annotations

import pytest

from tests.approvals.conftest import ZONE_THEN_COMMISSION, World, actor_of, configure, submit
from xiezuoqu.approvals import services, workflow
from xiezuoqu.approvals.models import ApprovalDecision, ApprovalRequest
from xiezuoqu.approvals.workflow import Decision, Mode, State, StepState
from xiezuoqu.errors import InvalidTransition, NotPermitted, ValidationFailed

A, R, X = Decision.APPROVE, Decision.RETURN, Decision.REJECT
OPEN, WAIT, OK, RET, REJ, SKIP = (
    StepState.OPEN,
    StepState.WAITING,
    StepState.APPROVED,
    StepState.RETURNED,
    StepState.REJECTED,
    StepState.SKIPPED,
)

# (mode, [(step index, decision) ...], request state after, current step after, step states after)
CASES = [
    (Mode.SEQUENTIAL, [], State.PENDING, 0, [OPEN, WAIT]),
    (Mode.SEQUENTIAL, [(0, A)], State.PENDING, 1, [OK, OPEN]),
    (Mode.SEQUENTIAL, [(0, A), (1, A)], State.APPROVED, 1, [OK, OK]),
    (Mode.SEQUENTIAL, [(0, R)], State.RETURNED, 0, [RET, SKIP]),
    (Mode.SEQUENTIAL, [(0, X)], State.REJECTED, 0, [REJ, SKIP]),
    (Mode.SEQUENTIAL, [(0, A), (1, R)], State.RETURNED, 1, [OK, RET]),
    (Mode.SEQUENTIAL, [(0, A), (1, X)], State.REJECTED, 1, [OK, REJ]),
    (Mode.PARALLEL, [], State.PENDING, 0, [OPEN, OPEN]),
    (Mode.PARALLEL, [(1, A)], State.PENDING, 1, [OPEN, OK]),
    (Mode.PARALLEL, [(1, A), (0, A)], State.APPROVED, 0, [OK, OK]),
    (Mode.PARALLEL, [(0, R)], State.RETURNED, 0, [RET, SKIP]),
    (Mode.PARALLEL, [(1, X)], State.REJECTED, 1, [SKIP, REJ]),
    (Mode.PARALLEL, [(0, A), (1, X)], State.REJECTED, 1, [OK, REJ]),
    (Mode.PARALLEL, [(1, A), (0, R)], State.RETURNED, 0, [RET, OK]),
]


def _decider(world: World, step_index: int):
    return world.zone_leader1 if step_index == 0 else world.leader_a


@pytest.mark.parametrize(("mode", "decisions", "state", "current", "steps"), CASES)
def test_decisions_move_the_request_as_the_state_table_says(world, mode, decisions, state, current, steps):
    """Each sequence of decisions ends in the state, current step and step states of the table."""
    configure(world, "clue.disposal", mode, ZONE_THEN_COMMISSION)
    approval = submit(world)
    for index, decision in decisions:
        services.decide(
            actor=actor_of(_decider(world, index)),
            approval_id=approval.pk,
            decision=decision,
            comment="" if decision == A else "理由不充分，请补充材料。",
            step_index=index,
        )
    approval.refresh_from_db()
    assert approval.state == state
    assert approval.current_step == current
    assert [s.state for s in approval.step_rows.order_by("index")] == steps
    assert (approval.decided_at is None) == (state == State.PENDING)
    assert ApprovalDecision.objects.filter(request=approval).count() == len(decisions)


def test_in_order_the_second_step_cannot_be_decided_first(world):
    """依次审批: the commission leader cannot decide before the zone leader has approved."""
    configure(world, "clue.disposal", Mode.SEQUENTIAL, ZONE_THEN_COMMISSION)
    approval = submit(world)
    with pytest.raises(InvalidTransition, match="尚未轮到"):
        services.decide(actor=actor_of(world.leader_a), approval_id=approval.pk, decision=A, step_index=1)
    with pytest.raises(InvalidTransition, match="尚未轮到"):
        services.decide(actor=actor_of(world.leader_a), approval_id=approval.pk, decision=A)


@pytest.mark.parametrize("final", [A, R, X])
def test_a_decided_request_refuses_further_decisions(world, final):
    """Once approved, returned or rejected, nobody can decide again in that round."""
    configure(world, "deadline.extension", Mode.SEQUENTIAL, ZONE_THEN_COMMISSION[:1])
    approval = submit(world, "deadline.extension")
    services.decide(actor=actor_of(world.zone_leader1), approval_id=approval.pk, decision=final, comment="意见")
    with pytest.raises(InvalidTransition, match="当前状态为"):
        services.decide(actor=actor_of(world.leader_a), approval_id=approval.pk, decision=A)


def test_return_and_reject_need_a_reason(world):
    """退回修改、不同意须写明理由; 同意 may be given without one."""
    configure(world, "clue.disposal", Mode.SEQUENTIAL, ZONE_THEN_COMMISSION)
    approval = submit(world)
    for decision in (R, X):
        with pytest.raises(ValidationFailed, match="须填写理由") as caught:
            services.decide(actor=actor_of(world.zone_leader1), approval_id=approval.pk, decision=decision, comment=" ")
        assert "comment" in caught.value.field_errors
    with pytest.raises(ValidationFailed):
        services.decide(actor=actor_of(world.zone_leader1), approval_id=approval.pk, decision="maybe")
    services.decide(actor=actor_of(world.zone_leader1), approval_id=approval.pk, decision=A)


def test_resubmission_opens_a_new_round_and_keeps_the_history(world):
    """A returned request, changed and resubmitted, is decided afresh; round 1's decisions remain."""
    configure(world, "clue.disposal", Mode.SEQUENTIAL, ZONE_THEN_COMMISSION)
    approval = submit(world)
    zl, leader = actor_of(world.zone_leader1), actor_of(world.leader_a)
    services.decide(actor=zl, approval_id=approval.pk, decision=A)
    services.decide(actor=leader, approval_id=approval.pk, decision=R, comment="请补充核实方向。")
    approval = services.resubmit_request(
        actor=actor_of(world.requester), approval_id=approval.pk, reason="已补充：拟核实其经手的三笔补贴。"
    )
    assert (approval.state, approval.round, approval.current_step) == (State.PENDING, 2, 0)
    assert approval.decided_at is None and approval.resubmitted_at is not None
    assert [s.state for s in approval.step_rows.order_by("index")] == [OPEN, WAIT]
    # The zone leader who approved in round 1 decides again in round 2, on the changed request.
    with pytest.raises(InvalidTransition, match="重新提交"):
        services.decide(actor=zl, approval_id=approval.pk, decision=A, step_index=0, round=1)
    services.decide(actor=zl, approval_id=approval.pk, decision=A, step_index=0, round=2)
    services.decide(actor=leader, approval_id=approval.pk, decision=A)
    approval.refresh_from_db()
    assert approval.state == State.APPROVED
    history = list(approval.decisions.order_by("round", "step_index").values_list("round", "step_index", "decision"))
    assert history == [(1, 0, A), (1, 1, R), (2, 0, A), (2, 1, A)]


def test_only_a_returned_request_can_be_resubmitted(world):
    configure(world, "clue.disposal", Mode.SEQUENTIAL, ZONE_THEN_COMMISSION)
    approval = submit(world)
    with pytest.raises(InvalidTransition, match="审批中"):
        services.resubmit_request(actor=actor_of(world.requester), approval_id=approval.pk)


def test_resubmission_must_keep_a_reason(world):
    configure(world, "clue.disposal", Mode.SEQUENTIAL, ZONE_THEN_COMMISSION)
    approval = submit(world)
    services.decide(actor=actor_of(world.zone_leader1), approval_id=approval.pk, decision=R, comment="补充")
    with pytest.raises(ValidationFailed):
        services.resubmit_request(actor=actor_of(world.requester), approval_id=approval.pk, reason="  ")


@pytest.mark.parametrize("returned_first", [False, True])
def test_the_requester_withdraws_a_live_request(world, returned_first):
    """A pending or returned request can be withdrawn by its requester; undecided steps stay undecided."""
    configure(world, "clue.disposal", Mode.SEQUENTIAL, ZONE_THEN_COMMISSION)
    approval = submit(world)
    if returned_first:
        services.decide(actor=actor_of(world.zone_leader1), approval_id=approval.pk, decision=R, comment="补充")
    with pytest.raises(NotPermitted, match="申请人本人"):
        services.withdraw_request(actor=actor_of(world.head), approval_id=approval.pk)
    approval = services.withdraw_request(actor=actor_of(world.requester), approval_id=approval.pk, reason="情况已变化")
    assert approval.state == State.WITHDRAWN and approval.decided_at is not None
    assert StepState.OPEN not in {s.state for s in approval.step_rows.all()}
    with pytest.raises(InvalidTransition, match="已撤回"):
        services.withdraw_request(actor=actor_of(world.requester), approval_id=approval.pk)


def test_an_approved_request_cannot_be_withdrawn(world):
    configure(world, "deadline.extension", Mode.SEQUENTIAL, ZONE_THEN_COMMISSION[:1])
    approval = submit(world, "deadline.extension")
    services.decide(actor=actor_of(world.zone_leader1), approval_id=approval.pk, decision=A)
    with pytest.raises(InvalidTransition, match="已批准"):
        services.withdraw_request(actor=actor_of(world.requester), approval_id=approval.pk)


@pytest.mark.parametrize(("before", "action"), [(s, a) for s in [None, *State.values] for a in workflow.Action.values])
def test_the_state_table_refuses_every_move_it_does_not_list(before, action):
    """Pure table check: listed moves give their state, everything else is an InvalidTransition."""
    if (before, action) in workflow.TRANSITIONS:
        assert workflow.next_state(before, action) == workflow.TRANSITIONS[(before, action)]
    else:
        with pytest.raises(InvalidTransition):
            workflow.next_state(before, action)


def test_the_state_diagram_is_generated_from_the_table():
    diagram = workflow.mermaid()
    assert diagram.startswith("stateDiagram-v2")
    assert diagram.count("-->") == len(workflow.TRANSITIONS) + len(workflow.FINAL_STATES)


def test_every_request_state_is_stored_with_a_label(world):
    """Sanity: the model's choices are the workflow's states (one list of states)."""
    assert [v for v, _ in ApprovalRequest._meta.get_field("state").choices] == State.values
