"""The state table of a verification: the diagram prints itself; an invalid move names the state."""

from __future__ import annotations

import pytest

from xiezuoqu.errors import InvalidTransition
from xiezuoqu.verification.workflow import TRANSITIONS, Action, State, mermaid, next_state


def test_every_state_is_reachable_and_the_diagram_lists_every_transition():
    reached = {after for after in TRANSITIONS.values()}
    assert reached == set(State.values)
    diagram = mermaid()
    assert diagram.startswith("stateDiagram-v2")
    assert diagram.count("-->") == len(TRANSITIONS) + 1  # and the final state's exit


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (State.PLAN_DRAFTED, Action.RECORD_MEASURE),
        (State.PLAN_SUBMITTED, Action.ADD_EVIDENCE),
        (State.IN_PROGRESS, Action.SUBMIT_REPORT),
        (State.REPORT_DRAFTED, Action.SUBMIT_REPORT),
        (State.CONCLUDED, Action.DRAFT_REPORT),
    ],
)
def test_a_move_the_table_does_not_allow_is_refused_naming_the_state(state, action):
    with pytest.raises(InvalidTransition) as caught:
        next_state(state, action)
    assert State(state).label in caught.value.message
