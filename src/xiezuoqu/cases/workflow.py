"""The state table of a case (案件), DESIGN §4. This issue opens the case at 立案; investigation,
trial and decision continue it in the next issue.

    [*] ─立案（有权机关决定）→ filed
"""

from __future__ import annotations

from django.db import models

from xiezuoqu.errors import InvalidTransition


class State(models.TextChoices):
    FILED = "filed", "已立案"


class Action(models.TextChoices):
    FILE = "file", "立案"


TRANSITIONS: dict[tuple[str | None, str], str] = {
    (None, Action.FILE): State.FILED,
}

WHO: dict[str, str] = {
    Action.FILE: "有权机关（乡镇党委、派驻纪检监察组、市纪委监委）作出立案决定时自动执行",
}

STATE_LABELS: dict[str, str] = dict(State.choices)
ACTION_LABELS: dict[str, str] = dict(Action.choices)


def next_state(state: str | None, action: str) -> str:
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        label = ACTION_LABELS.get(action, action)
        current = "未立案" if state is None else STATE_LABELS.get(state, state)
        raise InvalidTransition(f"该案件当前状态为“{current}”，不能{label}。") from None


def mermaid() -> str:
    lines = ["stateDiagram-v2"]
    for (before, action), after in TRANSITIONS.items():
        source = "[*]" if before is None else before
        lines.append(f"    {source} --> {after}: {ACTION_LABELS[action]}（{WHO[action]}）")
    return "\n".join(lines)
