"""The state table of a clue (问题线索), DESIGN §4, and who may move it.

    registered ─研判→ under_analysis ─提出处置意见→ disposal_proposed ─批准→ disposal_approved
                          ▲  ▲                       │
                          │  └──── 不同意、撤回 ──────┘
                          └──── 复查 ── held

    disposal_approved ─┬─开展谈话函询→ talk_or_letter ─┬─了结（含谈话提醒、批评教育、责令检查、诫勉）→ closed
                       │                               ├─再次谈话函询→ disposal_approved
                       │                               └─转初步核实→ preliminary_verification
                       ├─暂存待查（复查日期）→ held
                       ├─予以了结→ closed
                       └─初步核实→ preliminary_verification ─┬─初核后了结→ closed
                                                              ├─初核后暂存待查→ held
                                                              └─立案（有权机关决定）→ filed

谈话函询 ends with one of: 采纳说明予以了结 / 谈话提醒 / 批评教育 / 责令检查 / 诫勉 (→ closed),
再次谈话函询 (→ disposal_approved, a new round), or 转初步核实 (→ preliminary_verification, which the
verification app takes over). The approvals chain "clue.disposal" decides the proposal; its
``@on_final_decision`` hook makes the move, and for 暂存待查, 予以了结 and 初步核实 carries the approved
disposal out at once; a 谈话函询 waits at *disposal_approved* until the talk is held or the letter sent.

``next_state`` is the one place that says which move is allowed; nothing else assigns ``Clue.state``.
``mermaid()`` prints the diagram from the table.
"""

from __future__ import annotations

from django.db import models

from xiezuoqu.statetable import StateTable


class State(models.TextChoices):
    REGISTERED = "registered", "已登记"
    UNDER_ANALYSIS = "under_analysis", "分析研判中"
    DISPOSAL_PROPOSED = "disposal_proposed", "处置意见报批中"
    DISPOSAL_APPROVED = "disposal_approved", "处置意见已批准"
    TALK_OR_LETTER = "talk_or_letter", "谈话函询"
    PRELIMINARY_VERIFICATION = "preliminary_verification", "初步核实"
    HELD = "held", "暂存待查"
    CLOSED = "closed", "予以了结"
    FILED = "filed", "已立案"


class Action(models.TextChoices):
    OPEN = "open", "登记线索"
    JOIN_REPORTS = "join_reports", "并入检举控告件"
    START_ANALYSIS = "start_analysis", "开始分析研判"
    PROPOSE = "propose", "提出处置意见"
    APPROVE = "approve", "批准处置意见"
    SEND_BACK = "send_back", "处置意见未获批准"
    START_TALK = "start_talk", "开展谈话函询"
    HOLD = "hold", "暂存待查"
    CLOSE = "close", "予以了结"
    VERIFY = "verify", "转初步核实"
    RECORD_REPLY = "record_reply", "登记函询回复"
    CONCLUDE_CLOSE = "conclude_close", "谈话函询了结"
    CONCLUDE_AGAIN = "conclude_again", "再次谈话函询"
    CONCLUDE_VERIFY = "conclude_verify", "谈话函询后转初步核实"
    REVIEW = "review", "暂存线索复查"
    # What the verification (初步核实) ends in, carried out by the verification and filing apps.
    VERIFIED_CLOSE = "verified_close", "初核后了结"
    VERIFIED_HOLD = "verified_hold", "初核后暂存待查"
    FILE_CASE = "file_case", "立案"


S, A = State, Action

TRANSITIONS: dict[tuple[str | None, str], str] = {
    (None, A.OPEN): S.REGISTERED,
    (S.REGISTERED, A.JOIN_REPORTS): S.REGISTERED,
    (S.UNDER_ANALYSIS, A.JOIN_REPORTS): S.UNDER_ANALYSIS,
    (S.REGISTERED, A.START_ANALYSIS): S.UNDER_ANALYSIS,
    # 监督执纪工作规则: disposal is decided after collective study (研判), then approved.
    (S.UNDER_ANALYSIS, A.PROPOSE): S.DISPOSAL_PROPOSED,
    (S.DISPOSAL_PROPOSED, A.APPROVE): S.DISPOSAL_APPROVED,
    (S.DISPOSAL_PROPOSED, A.SEND_BACK): S.UNDER_ANALYSIS,
    (S.DISPOSAL_APPROVED, A.START_TALK): S.TALK_OR_LETTER,
    (S.DISPOSAL_APPROVED, A.HOLD): S.HELD,
    (S.DISPOSAL_APPROVED, A.CLOSE): S.CLOSED,
    (S.DISPOSAL_APPROVED, A.VERIFY): S.PRELIMINARY_VERIFICATION,
    (S.TALK_OR_LETTER, A.RECORD_REPLY): S.TALK_OR_LETTER,
    (S.TALK_OR_LETTER, A.CONCLUDE_CLOSE): S.CLOSED,
    (S.TALK_OR_LETTER, A.CONCLUDE_AGAIN): S.DISPOSAL_APPROVED,
    (S.TALK_OR_LETTER, A.CONCLUDE_VERIFY): S.PRELIMINARY_VERIFICATION,
    (S.HELD, A.REVIEW): S.UNDER_ANALYSIS,
    # 初核报告 outcomes: 予以了结 / 谈话提醒 / 移送有关党组织 close the clue; 暂存待查 holds it;
    # 拟立案 goes to the zone meeting and the competent body, whose 立案 decision files the case.
    (S.PRELIMINARY_VERIFICATION, A.VERIFIED_CLOSE): S.CLOSED,
    (S.PRELIMINARY_VERIFICATION, A.VERIFIED_HOLD): S.HELD,
    (S.PRELIMINARY_VERIFICATION, A.FILE_CASE): S.FILED,
}

WHO: dict[str, str] = {
    A.OPEN: "承办单位干部；所在协作区组长、副组长、纪检监察室干部；案管室",
    A.JOIN_REPORTS: "同“登记线索”",
    A.START_ANALYSIS: "承办单位干部；所在协作区组长、副组长、纪检监察室干部",
    A.PROPOSE: "同“开始分析研判”",
    A.APPROVE: "审批链 clue.disposal（默认：协作区组长，再由分管委领导）",
    A.SEND_BACK: "审批链 clue.disposal（不同意、退回）；申请人撤回",
    A.START_TALK: "同“开始分析研判”",
    A.HOLD: "处置意见批准时自动执行",
    A.CLOSE: "处置意见批准时自动执行",
    A.VERIFY: "处置意见批准时自动执行",
    A.RECORD_REPLY: "同“开始分析研判”",
    A.CONCLUDE_CLOSE: "同“开始分析研判”",
    A.CONCLUDE_AGAIN: "同“开始分析研判”",
    A.CONCLUDE_VERIFY: "同“开始分析研判”",
    A.REVIEW: "同“开始分析研判”",
    A.VERIFIED_CLOSE: "初核报告经审批后自动执行",
    A.VERIFIED_HOLD: "初核报告经审批后自动执行",
    A.FILE_CASE: "有权机关作出立案决定时自动执行",
}

# States in which nothing more happens to the clue in this app (初步核实 continues in verification, 立案 in cases).
FINAL_STATES = frozenset({S.CLOSED, S.PRELIMINARY_VERIFICATION, S.FILED})
# States in which the disposal is still to be decided (the 1-month disposal deadline runs).
UNDISPOSED_STATES = frozenset({S.REGISTERED, S.UNDER_ANALYSIS, S.DISPOSAL_PROPOSED})
# States in which the handling unit works the clue (analysis, proposal, talks, review).
WORKING_STATES = frozenset({S.REGISTERED, S.UNDER_ANALYSIS, S.DISPOSAL_APPROVED, S.TALK_OR_LETTER, S.HELD})

STATE_LABELS: dict[str, str] = dict(State.choices)
ACTION_LABELS: dict[str, str] = dict(Action.choices)

STATE_TAGS: dict[str, str] = {
    S.REGISTERED: "blue",
    S.UNDER_ANALYSIS: "blue",
    S.DISPOSAL_PROPOSED: "yellow",
    S.DISPOSAL_APPROVED: "yellow",
    S.TALK_OR_LETTER: "blue",
    S.PRELIMINARY_VERIFICATION: "red",
    S.HELD: "",
    S.CLOSED: "green",
    S.FILED: "red",
}


TABLE = StateTable(
    noun="该线索",
    transitions=TRANSITIONS,
    state_labels=STATE_LABELS,
    action_labels=ACTION_LABELS,
    who=WHO,
    final_states=FINAL_STATES,
    before_label="未登记",
)
state_label, next_state, allowed_actions, mermaid = (
    TABLE.state_label,
    TABLE.next_state,
    TABLE.allowed_actions,
    TABLE.mermaid,
)
