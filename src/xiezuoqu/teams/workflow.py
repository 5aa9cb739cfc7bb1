"""The state table of a team (办案组) and of a handling request (办理方式申请).

    proposed ─确定→ confirmed ─重新组建→ superseded
       │               └─解散→ dissolved
       ├─另行提出→ dissolved
       └─解散→ dissolved

    pending ─同意→ granted | ─不同意→ refused | ─撤回→ withdrawn

``next_state`` is the one place that says which move is allowed; nothing else assigns ``Team.state``
or ``HandlingRequest.state``. ``mermaid()`` prints the diagrams from the tables.
"""

from __future__ import annotations

from django.db import models

from xiezuoqu.statetable import StateTable

from .models import RequestState, TeamState


class TeamAction(models.TextChoices):
    PROPOSE = "propose", "提出组队方案"
    CONFIRM = "confirm", "确定办案组"
    EDIT = "edit", "调整成员"
    SUPERSEDE = "supersede", "重新组建"
    REPLACE_PROPOSAL = "replace_proposal", "另行提出组队方案"
    DISSOLVE = "dissolve", "解散办案组"


class RequestAction(models.TextChoices):
    SUBMIT = "submit", "提出办理方式申请"
    GRANT = "grant", "同意"
    REFUSE = "refuse", "不同意"
    WITHDRAW = "withdraw", "撤回"


T, TA = TeamState, TeamAction
TEAM_TRANSITIONS: dict[tuple[str | None, str], str] = {
    (None, TA.PROPOSE): T.PROPOSED,
    (T.PROPOSED, TA.EDIT): T.PROPOSED,
    (T.PROPOSED, TA.CONFIRM): T.CONFIRMED,
    (T.PROPOSED, TA.REPLACE_PROPOSAL): T.DISSOLVED,
    (T.PROPOSED, TA.DISSOLVE): T.DISSOLVED,
    (T.CONFIRMED, TA.EDIT): T.CONFIRMED,
    (T.CONFIRMED, TA.SUPERSEDE): T.SUPERSEDED,
    (T.CONFIRMED, TA.DISSOLVE): T.DISSOLVED,
}

R, RA = RequestState, RequestAction
REQUEST_TRANSITIONS: dict[tuple[str | None, str], str] = {
    (None, RA.SUBMIT): R.PENDING,
    (R.PENDING, RA.GRANT): R.GRANTED,
    (R.PENDING, RA.REFUSE): R.REFUSED,
    (R.PENDING, RA.WITHDRAW): R.WITHDRAWN,
}

TEAM_STATE_LABELS: dict[str, str] = dict(TeamState.choices)
REQUEST_STATE_LABELS: dict[str, str] = dict(RequestState.choices)


TEAM_TABLE = StateTable(
    noun="该办案组",
    transitions=TEAM_TRANSITIONS,
    state_labels=TEAM_STATE_LABELS,
    action_labels=dict(TeamAction.choices),
    before_label="未组建",
)
REQUEST_TABLE = StateTable(
    noun="该申请",
    transitions=REQUEST_TRANSITIONS,
    state_labels=REQUEST_STATE_LABELS,
    action_labels=dict(RequestAction.choices),
    before_label="未提出",
)
next_team_state, next_request_state = TEAM_TABLE.next_state, REQUEST_TABLE.next_state


def mermaid() -> str:
    """Both tables in one diagram: the team and the handling-mode request."""
    return "\n".join(["stateDiagram-v2", *TEAM_TABLE.mermaid_lines(), *REQUEST_TABLE.mermaid_lines()])
