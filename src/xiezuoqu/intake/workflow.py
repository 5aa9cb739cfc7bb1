"""The state table of a report (检举控告件), DESIGN §4, and who may move it.

    received ─登记→ registered ─┬─受理→ accepted ─分办→ assigned ─办结→ concluded ─反馈→ feedback_given ─归档→ archived
    (public, village)           ├─不予受理→ not_accepted ─────────────────────────────────────────────归档→ archived
                                ├─报送上级→ forwarded_up ──────────────────────────────────────────────归档→ archived
                                ├─转下级→ forwarded_down ─(下级受理 / 再转 / …)
                                ├─转下级纪委监委→ forwarded_lower ──────────────────────────────────归档→ archived
                                ├─转其他机关→ transferred ──────────────────────────────────────────────归档→ archived
                                └─重复件→ repeat ───────────────────────────────────────────────────────归档→ archived

A report registered by staff starts at *registered*; a report from the public site or a village
supervisor starts at *received* and waits for the registrar. A report about the commission's own head
is forwarded up at registration (检举控告工作规则: straight to the higher commission). An anonymous
report goes from *concluded* to *archived*; a real-name one is archived only after the reporter was
told the result (*feedback_given*).

``next_state`` is the one place that says which move is allowed; the services call it and nothing
else assigns ``Report.state``. ``mermaid()`` prints the diagram from the table.
"""

from __future__ import annotations

from django.db import models

from xiezuoqu.statetable import StateTable


class State(models.TextChoices):
    RECEIVED = "received", "待登记"
    REGISTERED = "registered", "已登记"
    ACCEPTED = "accepted", "已受理"
    NOT_ACCEPTED = "not_accepted", "不予受理"
    FORWARDED_UP = "forwarded_up", "报送上级"
    FORWARDED_DOWN = "forwarded_down", "转下级办理"
    FORWARDED_LOWER = "forwarded_lower", "转下级纪委监委"
    TRANSFERRED = "transferred", "转其他机关"
    REPEAT = "repeat", "重复件"
    ASSIGNED = "assigned", "已分办"
    CONCLUDED = "concluded", "已办结"
    FEEDBACK_GIVEN = "feedback_given", "已反馈"
    ARCHIVED = "archived", "已归档"


class Action(models.TextChoices):
    RECEIVE = "receive", "接收（网络举报、村级监督员）"
    REGISTER = "register", "登记"
    ACCEPT = "accept", "受理"
    NOT_ACCEPT = "not_accept", "不予受理"
    FORWARD_UP = "forward_up", "报送上级"
    FORWARD_DOWN = "forward_down", "转下级办理"
    FORWARD_LOWER = "forward_lower", "转下级纪委监委办理"
    TRANSFER = "transfer", "转其他机关"
    MARK_REPEAT = "mark_repeat", "作为重复件"
    ASSIGN = "assign", "分办"
    CONCLUDE = "conclude", "办结"
    GIVE_FEEDBACK = "give_feedback", "反馈结果"
    ARCHIVE = "archive", "归档"


S, A = State, Action

# (state before, action) → state after. ``None`` is "no report yet".
TRANSITIONS: dict[tuple[str | None, str], str] = {
    (None, A.RECEIVE): S.RECEIVED,
    (None, A.REGISTER): S.REGISTERED,
    (S.RECEIVED, A.REGISTER): S.REGISTERED,
    # Routing (受理归口) of a registered report.
    (S.REGISTERED, A.ACCEPT): S.ACCEPTED,
    (S.REGISTERED, A.NOT_ACCEPT): S.NOT_ACCEPTED,
    (S.REGISTERED, A.FORWARD_UP): S.FORWARDED_UP,
    (S.REGISTERED, A.FORWARD_DOWN): S.FORWARDED_DOWN,
    # To a lower commission: in the system its petition office receives a copy (5 WD to accept or
    # re-forward it there); otherwise a recorded letter. Either way the matter leaves this ledger.
    (S.REGISTERED, A.FORWARD_LOWER): S.FORWARDED_LOWER,
    (S.REGISTERED, A.TRANSFER): S.TRANSFERRED,
    (S.REGISTERED, A.MARK_REPEAT): S.REPEAT,
    # A report sent down: the lower level accepts or re-forwards it within 5 WD (or finds it is not
    # its matter, or a repeat of one it already has).
    (S.FORWARDED_DOWN, A.ACCEPT): S.ACCEPTED,
    (S.FORWARDED_DOWN, A.FORWARD_DOWN): S.FORWARDED_DOWN,
    (S.FORWARDED_DOWN, A.FORWARD_UP): S.FORWARDED_UP,
    (S.FORWARDED_DOWN, A.FORWARD_LOWER): S.FORWARDED_LOWER,
    (S.FORWARDED_DOWN, A.NOT_ACCEPT): S.NOT_ACCEPTED,
    (S.FORWARDED_DOWN, A.TRANSFER): S.TRANSFERRED,
    (S.FORWARDED_DOWN, A.MARK_REPEAT): S.REPEAT,
    # Accepted → handled.
    (S.ACCEPTED, A.ASSIGN): S.ASSIGNED,
    (S.ASSIGNED, A.ASSIGN): S.ASSIGNED,  # 改派: another handling unit, with a reason
    (S.ASSIGNED, A.CONCLUDE): S.CONCLUDED,
    (S.CONCLUDED, A.GIVE_FEEDBACK): S.FEEDBACK_GIVEN,
    # Closing the file.
    (S.CONCLUDED, A.ARCHIVE): S.ARCHIVED,
    (S.FEEDBACK_GIVEN, A.ARCHIVE): S.ARCHIVED,
    (S.NOT_ACCEPTED, A.ARCHIVE): S.ARCHIVED,
    (S.FORWARDED_UP, A.ARCHIVE): S.ARCHIVED,
    (S.FORWARDED_LOWER, A.ARCHIVE): S.ARCHIVED,
    (S.TRANSFERRED, A.ARCHIVE): S.ARCHIVED,
    (S.REPEAT, A.ARCHIVE): S.ARCHIVED,
}

# Who may take each action (the services enforce it through ``selectors``; the diagram prints it).
WHO: dict[str, str] = {
    A.RECEIVE: "举报人（网络举报）、村级监督员",
    A.REGISTER: "登记单位的信访登记员",
    A.ACCEPT: "信访室；办理单位（登记单位或转来的下级单位）的纪委书记、登记员、室组干部",
    A.NOT_ACCEPT: "同“受理”",
    A.FORWARD_UP: "同“受理”（反映本级主要负责人的，登记时直接报送上级）",
    A.FORWARD_DOWN: "同“受理”",
    A.FORWARD_LOWER: "同“受理”（对方在本平台的，由其信访室接收）",
    A.TRANSFER: "同“受理”",
    A.MARK_REPEAT: "同“受理”",
    A.ASSIGN: "同“受理”",
    A.CONCLUDE: "承办单位干部；所在协作区组长、副组长",
    A.GIVE_FEEDBACK: "信访室；登记单位；承办单位",
    A.ARCHIVE: "信访室；登记单位",
}

# States a router decides from (the report waits for 受理归口).
ROUTABLE_STATES = frozenset({S.REGISTERED, S.FORWARDED_DOWN})
# States after which nothing is done on the matter itself any more.
CLOSED_STATES = frozenset({S.ARCHIVED})
# States that mean "this report is no longer pending acceptance": the reporter can be told.
DECIDED_STATES = frozenset(
    {
        S.ACCEPTED,
        S.NOT_ACCEPTED,
        S.FORWARDED_UP,
        S.FORWARDED_LOWER,
        S.TRANSFERRED,
        S.REPEAT,
        S.ASSIGNED,
        S.CONCLUDED,
        S.FEEDBACK_GIVEN,
        S.ARCHIVED,
    }
)

STATE_LABELS: dict[str, str] = dict(State.choices)
ACTION_LABELS: dict[str, str] = dict(Action.choices)

# Colours for the state tags on pages (app.css: tag blue/yellow/green/red).
STATE_TAGS: dict[str, str] = {
    S.RECEIVED: "yellow",
    S.REGISTERED: "blue",
    S.ACCEPTED: "blue",
    S.FORWARDED_DOWN: "yellow",
    S.ASSIGNED: "blue",
    S.CONCLUDED: "green",
    S.FEEDBACK_GIVEN: "green",
    S.NOT_ACCEPTED: "",
    S.FORWARDED_UP: "",
    S.FORWARDED_LOWER: "",
    S.TRANSFERRED: "",
    S.REPEAT: "",
    S.ARCHIVED: "",
}

# What the reporter reads (public site, village supervisor): plain words, nothing internal.
PUBLIC_STATUS: dict[str, str] = {
    S.RECEIVED: "已收到，等待登记",
    S.REGISTERED: "已登记，正在审查是否受理",
    S.ACCEPTED: "已受理，正在办理",
    S.NOT_ACCEPTED: "不予受理",
    S.FORWARDED_UP: "已按规定报送上级纪检监察机关",
    S.FORWARDED_DOWN: "已转有管辖权的纪检监察机关办理",
    S.FORWARDED_LOWER: "已转有管辖权的纪检监察机关办理",
    S.TRANSFERRED: "不属于纪检监察机关受理范围，已转有关机关",
    S.REPEAT: "与此前反映的问题相同，已合并办理",
    S.ASSIGNED: "已受理，正在办理",
    S.CONCLUDED: "已办结",
    S.FEEDBACK_GIVEN: "已办结并反馈",
    S.ARCHIVED: "已办结",
}


TABLE = StateTable(
    noun="该件",
    transitions=TRANSITIONS,
    state_labels=STATE_LABELS,
    action_labels=ACTION_LABELS,
    who=WHO,
    final_states=CLOSED_STATES,
    before_label="未登记",
)
# allowed_actions: what the table allows from a state (the page shows the ones the actor may take).
state_label, next_state, allowed_actions, mermaid = (
    TABLE.state_label,
    TABLE.next_state,
    TABLE.allowed_actions,
    TABLE.mermaid,
)
