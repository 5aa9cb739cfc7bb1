"""A state table: which action moves a stateful object from which state to which, who may take it,
the refusal that names the current state, and the Mermaid diagram printed from the same data.

Each app's ``workflow.py`` declares its states, actions, transitions and who-may-act, and builds one
``StateTable``; ``next_state`` is then the only place that says whether a move is allowed (the
services call it before they write), and ``xiezuoqu lifecycles`` prints ``mermaid()`` so that the
documentation never drifts from the code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from xiezuoqu.errors import InvalidTransition

Transitions = Mapping[tuple[str | None, str], str]


@dataclass(frozen=True)
class StateTable:
    # How the refusal names the object: "该线索", "该初步核实" ...
    noun: str
    transitions: Transitions
    state_labels: Mapping[str, str]
    action_labels: Mapping[str, str]
    # Who may take each action (the services enforce it; the diagram prints it). Optional.
    who: Mapping[str, str] = field(default_factory=dict)
    final_states: frozenset[str] = frozenset()
    # What the state before the first action is called ("未登记", "未提交" ...).
    before_label: str = "未开始"

    def state_label(self, state: str | None) -> str:
        if state is None:
            return self.before_label
        return str(self.state_labels.get(state, state))

    def next_state(self, state: str | None, action: str) -> str:
        """The state after ``action``, or ``InvalidTransition`` naming the current state."""
        try:
            return self.transitions[(state, action)]
        except KeyError:
            label = self.action_labels.get(action, action)
            raise InvalidTransition(f"{self.noun}当前状态为“{self.state_label(state)}”，不能{label}。") from None

    def allowed_actions(self, state: str | None) -> list[str]:
        return [action for (before, action) in self.transitions if before == state]

    def mermaid_lines(self) -> list[str]:
        lines = []
        for (before, action), after in self.transitions.items():
            who = self.who.get(action)
            text = f"{self.action_labels[action]}（{who}）" if who else self.action_labels[action]
            lines.append(f"    {'[*]' if before is None else before} --> {after}: {text}")
        leaving = {before for (before, _) in self.transitions}
        # A final state that still leads on (初步核实 goes on in another app) gets no end marker.
        lines += [f"    {final} --> [*]" for final in sorted(self.final_states - leaving)]
        return lines

    def mermaid(self) -> str:
        """The state diagram in Mermaid, generated from the table."""
        return "\n".join(["stateDiagram-v2", *self.mermaid_lines()])
