"""The clue state table: every state is reachable from registration, and the diagram is generated from it."""

from __future__ import annotations

import pytest

from xiezuoqu.clues.workflow import TRANSITIONS, WHO, Action, State, mermaid, next_state
from xiezuoqu.errors import InvalidTransition


def test_every_state_is_reachable_and_every_action_says_who():
    reached = {None}
    frontier = [None]
    while frontier:
        state = frontier.pop()
        for (before, _), after in TRANSITIONS.items():
            if before == state and after not in reached:
                reached.add(after)
                frontier.append(after)
    assert reached - {None} == set(State.values)
    assert set(WHO) == set(Action.values)


def test_an_invalid_move_names_the_current_state():
    with pytest.raises(InvalidTransition, match="予以了结"):
        next_state(State.CLOSED, Action.PROPOSE)


def test_the_diagram_lists_every_transition():
    assert mermaid().count("-->") == len(TRANSITIONS) + 2
