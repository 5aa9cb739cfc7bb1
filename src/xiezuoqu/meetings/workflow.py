"""The state table of a zone meeting (会议), DESIGN §4, and of its agenda items.

    planned ─召开（出席人数过半）→ held ─印发纪要（议题均已表决或暂缓）→ minutes_issued
       └─取消→ cancelled

An agenda item is *pending* until the meeting decides it; the decision (决议) carries a resolution
number and, through the agenda kind's ``on_resolution`` hook, moves the linked object (a filing
proposal, later a case) in the same transaction. 暂缓 (defer) also decides the item: the linked object
waits for a later meeting's new item. While the meeting is held, a decided item's resolution may
assign follow-up tasks (会议交办事项); each then runs on its own deadline, after the minutes too.

``next_state`` is the one place that says which move is allowed; nothing else assigns ``Meeting.state``.
"""

from __future__ import annotations

from django.db import models

from xiezuoqu.statetable import StateTable


class State(models.TextChoices):
    PLANNED = "planned", "已安排"
    HELD = "held", "已召开"
    MINUTES_ISSUED = "minutes_issued", "纪要已印发"
    CANCELLED = "cancelled", "已取消"


class Action(models.TextChoices):
    CONVENE = "convene", "安排会议"
    ADD_ITEM = "add_item", "增加议题"
    RECORD_ATTENDANCE = "record_attendance", "登记出席情况"
    HOLD = "hold", "召开会议"
    DECIDE = "decide", "表决议题"
    ASSIGN = "assign", "登记会议交办事项"
    RECUSE = "recuse", "登记议题回避"
    ISSUE_MINUTES = "issue_minutes", "印发会议纪要"
    CANCEL = "cancel", "取消会议"


S, A = State, Action

TRANSITIONS: dict[tuple[str | None, str], str] = {
    (None, A.CONVENE): S.PLANNED,
    (S.PLANNED, A.ADD_ITEM): S.PLANNED,
    (S.PLANNED, A.RECORD_ATTENDANCE): S.PLANNED,
    (S.PLANNED, A.RECUSE): S.PLANNED,
    (S.PLANNED, A.HOLD): S.HELD,
    (S.PLANNED, A.CANCEL): S.CANCELLED,
    (S.HELD, A.RECORD_ATTENDANCE): S.HELD,
    (S.HELD, A.RECUSE): S.HELD,
    # 民主集中制: each item is decided by the members present and not withdrawn from it.
    (S.HELD, A.DECIDE): S.HELD,
    # 会议交办事项 are the meeting's: assigned while it sits (before the minutes are issued).
    (S.HELD, A.ASSIGN): S.HELD,
    (S.HELD, A.ISSUE_MINUTES): S.MINUTES_ISSUED,
}

WHO: dict[str, str] = {
    A.CONVENE: "协作区组长",
    A.ADD_ITEM: "协作区组长",
    A.RECORD_ATTENDANCE: "协作区组长、副组长",
    A.HOLD: "协作区组长",
    A.DECIDE: "协作区组长、副组长（逐人记录表决票）",
    A.ASSIGN: "协作区组长、副组长（记录会议议定的交办事项）",
    A.RECUSE: "协作区组长、副组长；有利益冲突者自动回避",
    A.ISSUE_MINUTES: "协作区组长",
    A.CANCEL: "协作区组长",
}

FINAL_STATES = frozenset({S.MINUTES_ISSUED, S.CANCELLED})
STATE_LABELS: dict[str, str] = dict(State.choices)
ACTION_LABELS: dict[str, str] = dict(Action.choices)
STATE_TAGS: dict[str, str] = {S.PLANNED: "blue", S.HELD: "yellow", S.MINUTES_ISSUED: "green", S.CANCELLED: ""}


TABLE = StateTable(
    noun="该会议",
    transitions=TRANSITIONS,
    state_labels=STATE_LABELS,
    action_labels=ACTION_LABELS,
    who=WHO,
    final_states=FINAL_STATES,
    before_label="未安排",
)
state_label, next_state, allowed_actions, mermaid = (
    TABLE.state_label,
    TABLE.next_state,
    TABLE.allowed_actions,
    TABLE.mermaid,
)
