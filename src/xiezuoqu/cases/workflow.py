"""The state table of a case (案件), DESIGN §4: 立案 → 审查调查 → 审理 (township self-handled: zone 初审,
then the trial office's 复审; other cases: the trial office) → 处理决定 → 宣布 → 执行 → 归档.

    [*] ─立案→ filed ─开始审查调查→ investigating ─移送审理→ investigation_reported
    investigation_reported ─协作区初审→ first_review ─初审结束→ second_review ─处理决定批准→ decided
    investigation_reported ─审理室审理→ trial ─处理决定批准→ decided
    first_review | second_review | trial ─退回重新调查 / 补充证据（经批准）→ investigating
    second_review | trial ─撤销案件（经批准）→ closed
    decided ─宣布→ announced ─执行→ executed ─归档→ archived;  closed ─归档→ archived

An archived case is read-only: every write service refuses it.
"""

from __future__ import annotations

from django.db import models

from xiezuoqu.statetable import StateTable


class State(models.TextChoices):
    FILED = "filed", "已立案"
    INVESTIGATING = "investigating", "审查调查中"
    INVESTIGATION_REPORTED = "investigation_reported", "已移送审理"
    FIRST_REVIEW = "first_review", "协作区初审中"
    SECOND_REVIEW = "second_review", "审理室复审中"
    TRIAL = "trial", "审理室审理中"
    DECIDED = "decided", "已作出处理决定"
    ANNOUNCED = "announced", "已宣布"
    EXECUTED = "executed", "已执行"
    CLOSED = "closed", "已撤销案件"
    ARCHIVED = "archived", "已归档"


class Action(models.TextChoices):
    FILE = "file", "立案"
    START_INVESTIGATION = "start_investigation", "开始审查调查"
    RECORD_MEASURE = "record_measure", "登记审查调查措施"
    REQUEST_DETENTION = "request_detention", "留置报批"
    WRITE_REPORT = "write_report", "撰写审查调查报告"
    HAND_OVER = "hand_over", "移送审理"
    OPEN_FIRST_REVIEW = "open_first_review", "协作区初审"
    OPEN_TRIAL = "open_trial", "审理室审理"
    CONCLUDE_FIRST_REVIEW = "conclude_first_review", "初审结束"
    OPEN_SECOND_REVIEW = "open_second_review", "确定复审人员"
    CONCLUDE_REVIEW = "conclude_review", "提出审理意见"
    RETURN_TO_INVESTIGATION = "return", "退回审查调查"
    PROPOSE_DECISION = "propose_decision", "报批处理决定"
    DECIDE = "decide", "处理决定批准"
    WITHDRAW = "withdraw", "撤销案件"
    ANNOUNCE = "announce", "宣布处理决定"
    EXECUTE = "execute", "执行处理决定"
    APPEAL = "appeal", "受理申诉（复审、复核）"
    ARCHIVE = "archive", "归档"


S, A = State, Action
REVIEWING = (S.FIRST_REVIEW, S.SECOND_REVIEW, S.TRIAL)
TRANSITIONS: dict[tuple[str | None, str], str] = {
    (None, A.FILE): S.FILED,
    (S.FILED, A.START_INVESTIGATION): S.INVESTIGATING,
    (S.INVESTIGATING, A.RECORD_MEASURE): S.INVESTIGATING,
    (S.INVESTIGATING, A.REQUEST_DETENTION): S.INVESTIGATING,
    (S.INVESTIGATING, A.WRITE_REPORT): S.INVESTIGATING,
    (S.INVESTIGATING, A.HAND_OVER): S.INVESTIGATION_REPORTED,
    (S.INVESTIGATION_REPORTED, A.OPEN_FIRST_REVIEW): S.FIRST_REVIEW,
    (S.INVESTIGATION_REPORTED, A.OPEN_TRIAL): S.TRIAL,
    (S.FIRST_REVIEW, A.CONCLUDE_FIRST_REVIEW): S.SECOND_REVIEW,
    (S.SECOND_REVIEW, A.OPEN_SECOND_REVIEW): S.SECOND_REVIEW,
    (S.SECOND_REVIEW, A.CONCLUDE_REVIEW): S.SECOND_REVIEW,
    (S.TRIAL, A.CONCLUDE_REVIEW): S.TRIAL,
    (S.FIRST_REVIEW, A.RETURN_TO_INVESTIGATION): S.INVESTIGATING,
    (S.SECOND_REVIEW, A.RETURN_TO_INVESTIGATION): S.INVESTIGATING,
    (S.TRIAL, A.RETURN_TO_INVESTIGATION): S.INVESTIGATING,
    (S.SECOND_REVIEW, A.PROPOSE_DECISION): S.SECOND_REVIEW,
    (S.TRIAL, A.PROPOSE_DECISION): S.TRIAL,
    (S.SECOND_REVIEW, A.DECIDE): S.DECIDED,
    (S.TRIAL, A.DECIDE): S.DECIDED,
    (S.SECOND_REVIEW, A.WITHDRAW): S.CLOSED,
    (S.TRIAL, A.WITHDRAW): S.CLOSED,
    (S.DECIDED, A.ANNOUNCE): S.ANNOUNCED,
    (S.ANNOUNCED, A.EXECUTE): S.EXECUTED,
    (S.ANNOUNCED, A.APPEAL): S.ANNOUNCED,
    (S.EXECUTED, A.APPEAL): S.EXECUTED,
    (S.EXECUTED, A.ARCHIVE): S.ARCHIVED,
    (S.CLOSED, A.ARCHIVE): S.ARCHIVED,
}

WHO: dict[str, str] = {
    A.FILE: "有权机关（乡镇党委、派驻纪检监察组、市纪委监委）作出立案决定时自动执行",
    A.START_INVESTIGATION: "审查调查组（须已确定、至少二人）",
    A.RECORD_MEASURE: "审查调查组成员（至少二人承办）",
    A.REQUEST_DETENTION: "审查调查组报批，纪委书记审核后报上一级纪委监委批准",
    A.WRITE_REPORT: "审查调查组",
    A.HAND_OVER: "审查调查组（须有审查调查报告）",
    A.OPEN_FIRST_REVIEW: "协作区组长、副组长或纪检监察室（乡镇自办案件）",
    A.OPEN_TRIAL: "案件审理室（其他案件）",
    A.CONCLUDE_FIRST_REVIEW: "初审人员",
    A.OPEN_SECOND_REVIEW: "案件审理室",
    A.CONCLUDE_REVIEW: "审理人员",
    A.RETURN_TO_INVESTIGATION: "审理人员提出，重新调查经纪委书记批准、补充证据经分管委领导批准",
    A.PROPOSE_DECISION: "案件审理室",
    A.DECIDE: "处分决定审批链批准时自动执行",
    A.WITHDRAW: "撤销案件的决定经审批链批准时自动执行",
    A.ANNOUNCE: "承办单位（处理决定作出后1个月内）",
    A.EXECUTE: "承办单位",
    A.APPEAL: "案件审理室（复审1个月）或上一级（复核2个月）",
    A.ARCHIVE: "案件监督管理室或承办单位（无未办结的申诉）",
}

STATE_LABELS: dict[str, str] = dict(State.choices)
ACTION_LABELS: dict[str, str] = dict(Action.choices)
STATE_TAGS: dict[str, str] = {
    S.FILED: "red",
    S.INVESTIGATING: "red",
    S.INVESTIGATION_REPORTED: "yellow",
    S.FIRST_REVIEW: "yellow",
    S.SECOND_REVIEW: "yellow",
    S.TRIAL: "yellow",
    S.DECIDED: "blue",
    S.ANNOUNCED: "blue",
    S.EXECUTED: "green",
    S.CLOSED: "",
    S.ARCHIVED: "",
}


TABLE = StateTable(
    noun="该案件",
    transitions=TRANSITIONS,
    state_labels=STATE_LABELS,
    action_labels=ACTION_LABELS,
    who=WHO,
    final_states=frozenset({S.ARCHIVED}),
    before_label="未立案",
)
state_label, next_state, allowed_actions, mermaid = (
    TABLE.state_label,
    TABLE.next_state,
    TABLE.allowed_actions,
    TABLE.mermaid,
)
