"""The state table of an approval request (申请 → 审批), and how one decision moves it.

A request is *pending* while its steps are decided. In order (sequential) only the current step is
open; together (parallel) every step is open at once. Any 不同意 ends the request as *rejected*; any
退回 ends the round as *returned* (the requester may change and resubmit it, which opens a new round
and keeps the earlier decisions); the request is *approved* when every step has approved.
The requester may withdraw a pending or returned request.

``apply_decision`` is the one place that says what a decision does; the services call it and nothing
else assigns ``state``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from xiezuoqu.errors import InvalidTransition
from xiezuoqu.statetable import StateTable


class Mode(models.TextChoices):
    SEQUENTIAL = "sequential", "依次审批"
    PARALLEL = "parallel", "同时审批（会签）"


class State(models.TextChoices):
    PENDING = "pending", "审批中"
    APPROVED = "approved", "已批准"
    RETURNED = "returned", "已退回"
    REJECTED = "rejected", "未批准"
    WITHDRAWN = "withdrawn", "已撤回"


class StepState(models.TextChoices):
    WAITING = "waiting", "未到达"
    OPEN = "open", "待审批"
    APPROVED = "approved", "已同意"
    RETURNED = "returned", "已退回"
    REJECTED = "rejected", "不同意"
    SKIPPED = "skipped", "未审批"


class Decision(models.TextChoices):
    APPROVE = "approve", "同意"
    RETURN = "return", "退回修改"
    REJECT = "reject", "不同意"


class Action(models.TextChoices):
    SUBMIT = "submit", "提交申请"
    APPROVE_STEP = "approve_step", "环节同意"
    APPROVE = "approve", "批准"
    RETURN = "return", "退回"
    REJECT = "reject", "不予批准"
    WITHDRAW = "withdraw", "撤回"
    RESUBMIT = "resubmit", "修改后重新提交"


# (state before, action) → state after. ``None`` is "no request yet".
TRANSITIONS: dict[tuple[str | None, str], str] = {
    (None, Action.SUBMIT): State.PENDING,
    (State.PENDING, Action.APPROVE_STEP): State.PENDING,
    (State.PENDING, Action.APPROVE): State.APPROVED,
    (State.PENDING, Action.RETURN): State.RETURNED,
    (State.PENDING, Action.REJECT): State.REJECTED,
    (State.PENDING, Action.WITHDRAW): State.WITHDRAWN,
    (State.RETURNED, Action.WITHDRAW): State.WITHDRAWN,
    (State.RETURNED, Action.RESUBMIT): State.PENDING,
}

# Who may take each action (the services enforce it; this is what the state diagram prints).
WHO: dict[str, str] = {
    Action.SUBMIT: "申请人（本纪委监委干部）",
    Action.APPROVE_STEP: "该环节审批人（不得为申请人）",
    Action.APPROVE: "最后一个环节的审批人（不得为申请人）",
    Action.RETURN: "当前环节审批人",
    Action.REJECT: "当前环节审批人",
    Action.WITHDRAW: "申请人",
    Action.RESUBMIT: "申请人",
}

FINAL_STATES = frozenset({State.APPROVED, State.REJECTED, State.WITHDRAWN})
# States in which the request is still alive (someone is expected to act on it).
LIVE_STATES = frozenset({State.PENDING, State.RETURNED})


TABLE = StateTable(
    noun="该申请",
    transitions=TRANSITIONS,
    state_labels=dict(State.choices),
    action_labels=dict(Action.choices),
    who=WHO,
    final_states=FINAL_STATES,
    before_label="未提交",
)
state_label, next_state, mermaid = TABLE.state_label, TABLE.next_state, TABLE.mermaid


@dataclass(frozen=True)
class Outcome:
    """What one decision does: the step states after it, the action it amounts to, the next step."""

    step_states: tuple[str, ...]
    action: str
    current_step: int


def opening_states(mode: str, count: int) -> tuple[str, ...]:
    """Step states at the start of a round: the first step open (in order) or all open (together)."""
    if mode == Mode.PARALLEL:
        return tuple(StepState.OPEN for _ in range(count))
    return tuple(StepState.OPEN if i == 0 else StepState.WAITING for i in range(count))


def apply_decision(mode: str, step_states: tuple[str, ...], step_index: int, decision: str) -> Outcome:
    """Apply one decision on an open step; refuse a step that is not open."""
    if not 0 <= step_index < len(step_states) or step_states[step_index] != StepState.OPEN:
        raise InvalidTransition("该审批环节当前不在待审批状态（可能已由他人处理），请刷新后查看。")
    states = list(step_states)
    if decision == Decision.APPROVE:
        states[step_index] = StepState.APPROVED
        if all(s == StepState.APPROVED for s in states):
            return Outcome(tuple(states), Action.APPROVE, step_index)
        if mode == Mode.SEQUENTIAL:
            following = step_index + 1
            states[following] = StepState.OPEN
            return Outcome(tuple(states), Action.APPROVE_STEP, following)
        return Outcome(tuple(states), Action.APPROVE_STEP, step_index)
    if decision in (Decision.RETURN, Decision.REJECT):
        states[step_index] = StepState.RETURNED if decision == Decision.RETURN else StepState.REJECTED
        states = [StepState.SKIPPED if s in (StepState.OPEN, StepState.WAITING) else s for s in states]
        action = Action.RETURN if decision == Decision.RETURN else Action.REJECT
        return Outcome(tuple(states), action, step_index)
    raise InvalidTransition("审批意见只能是同意、退回修改或不同意。")


def closing_states(step_states: tuple[str, ...]) -> tuple[str, ...]:
    """Step states when the request is withdrawn: whatever was not decided is left undecided."""
    return tuple(StepState.SKIPPED if s in (StepState.OPEN, StepState.WAITING) else s for s in step_states)
