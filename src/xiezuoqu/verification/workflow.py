"""The state table of a preliminary verification (初步核实), DESIGN §4, and who may move it.

    plan_drafted ─报批→ plan_submitted ─批准→ plan_approved ─首项措施或证据→ in_progress
         ▲  ▲               │                                               │
         │  └── 退回、不同意、撤回 ┘                                         起草初核报告
         │                                                                  ▼
         │     report_drafted ◀── 修改报告（清空签字）── report_confirmed ◀─ 全体组员签字确认
         │          ▲  │                                        │
         │          │  └──────────── 组员逐一确认 ──────────────┘
         │          └── 退回、不同意、撤回 ── report_submitted ◀─ 报批 ── report_confirmed
         │                                         │
         │                                         └─批准→ concluded

A verification is one round of 初步核实 on one clue (a clue sent back to verification later gets a
new round). The plan (scope, points, planned measures, team, schedule) goes up the approvals chain
"verification.plan"; measures and evidence are taken only once it is approved; the report is
confirmed by every active team member (监督执纪工作规则: 初核报告由核查组全体人员签名) before it goes
up the chain "verification.report"; its approval carries out the recommendation (the clue closes or is
held; 拟立案 waits for the filing app).

``next_state`` is the one place that says which move is allowed; nothing else assigns
``Verification.state``. ``mermaid()`` prints the diagram from the table.
"""

from __future__ import annotations

from django.db import models

from xiezuoqu.statetable import StateTable


class State(models.TextChoices):
    PLAN_DRAFTED = "plan_drafted", "初核方案起草中"
    PLAN_SUBMITTED = "plan_submitted", "初核方案报批中"
    PLAN_APPROVED = "plan_approved", "初核方案已批准"
    IN_PROGRESS = "in_progress", "核实中"
    REPORT_DRAFTED = "report_drafted", "初核报告起草中"
    REPORT_CONFIRMED = "report_confirmed", "初核报告已全员确认"
    REPORT_SUBMITTED = "report_submitted", "初核报告报批中"
    CONCLUDED = "concluded", "初核已结束"


class Action(models.TextChoices):
    DRAFT_PLAN = "draft_plan", "起草初核方案"
    EDIT_PLAN = "edit_plan", "修改初核方案"
    SUBMIT_PLAN = "submit_plan", "初核方案报批"
    APPROVE_PLAN = "approve_plan", "批准初核方案"
    SEND_BACK_PLAN = "send_back_plan", "初核方案退回、未获批准或撤回"
    RECORD_MEASURE = "record_measure", "登记核查措施"
    ADD_EVIDENCE = "add_evidence", "登记证据"
    DRAFT_REPORT = "draft_report", "起草初核报告"
    CONFIRM_REPORT = "confirm_report", "组员签字确认"
    ALL_CONFIRMED = "all_confirmed", "全体组员已确认"
    SUBMIT_REPORT = "submit_report", "初核报告报批"
    APPROVE_REPORT = "approve_report", "批准初核报告"
    SEND_BACK_REPORT = "send_back_report", "初核报告退回、未获批准或撤回"


S, A = State, Action

TRANSITIONS: dict[tuple[str | None, str], str] = {
    (None, A.DRAFT_PLAN): S.PLAN_DRAFTED,
    (S.PLAN_DRAFTED, A.EDIT_PLAN): S.PLAN_DRAFTED,
    (S.PLAN_DRAFTED, A.SUBMIT_PLAN): S.PLAN_SUBMITTED,
    (S.PLAN_SUBMITTED, A.APPROVE_PLAN): S.PLAN_APPROVED,
    (S.PLAN_SUBMITTED, A.SEND_BACK_PLAN): S.PLAN_DRAFTED,
    # Measures and evidence only under an approved plan (and while the report is still being written).
    (S.PLAN_APPROVED, A.RECORD_MEASURE): S.IN_PROGRESS,
    (S.PLAN_APPROVED, A.ADD_EVIDENCE): S.IN_PROGRESS,
    (S.IN_PROGRESS, A.RECORD_MEASURE): S.IN_PROGRESS,
    (S.IN_PROGRESS, A.ADD_EVIDENCE): S.IN_PROGRESS,
    (S.REPORT_DRAFTED, A.ADD_EVIDENCE): S.REPORT_DRAFTED,
    (S.IN_PROGRESS, A.DRAFT_REPORT): S.REPORT_DRAFTED,
    (S.REPORT_DRAFTED, A.DRAFT_REPORT): S.REPORT_DRAFTED,
    # Changing a confirmed report voids the signatures: everyone confirms the text that goes up.
    (S.REPORT_CONFIRMED, A.DRAFT_REPORT): S.REPORT_DRAFTED,
    (S.REPORT_DRAFTED, A.CONFIRM_REPORT): S.REPORT_DRAFTED,
    (S.REPORT_DRAFTED, A.ALL_CONFIRMED): S.REPORT_CONFIRMED,
    (S.REPORT_CONFIRMED, A.SUBMIT_REPORT): S.REPORT_SUBMITTED,
    (S.REPORT_SUBMITTED, A.APPROVE_REPORT): S.CONCLUDED,
    (S.REPORT_SUBMITTED, A.SEND_BACK_REPORT): S.REPORT_DRAFTED,
}

WHO: dict[str, str] = {
    A.DRAFT_PLAN: "核查组成员；承办单位干部；所在协作区组长、副组长、纪检监察室干部",
    A.EDIT_PLAN: "同“起草初核方案”",
    A.SUBMIT_PLAN: "同“起草初核方案”",
    A.APPROVE_PLAN: "审批链 verification.plan（默认：协作区组长，再由分管委领导）",
    A.SEND_BACK_PLAN: "审批链 verification.plan（退回、不同意）；申请人撤回",
    A.RECORD_MEASURE: "核查组成员（每项措施至少二名组员）",
    A.ADD_EVIDENCE: "核查组成员",
    A.DRAFT_REPORT: "核查组成员",
    A.CONFIRM_REPORT: "核查组每名成员本人",
    A.ALL_CONFIRMED: "最后一名组员确认时自动执行",
    A.SUBMIT_REPORT: "核查组成员",
    A.APPROVE_REPORT: "审批链 verification.report（默认：协作区组长，再由分管委领导）",
    A.SEND_BACK_REPORT: "审批链 verification.report（退回、不同意）；申请人撤回",
}

FINAL_STATES = frozenset({S.CONCLUDED})
# States in which measures may be recorded (the plan is approved, the report not yet written).
MEASURE_STATES = frozenset({S.PLAN_APPROVED, S.IN_PROGRESS})
# States in which the plan may still be changed.
PLAN_EDIT_STATES = frozenset({S.PLAN_DRAFTED})

STATE_LABELS: dict[str, str] = dict(State.choices)
ACTION_LABELS: dict[str, str] = dict(Action.choices)

STATE_TAGS: dict[str, str] = {
    S.PLAN_DRAFTED: "blue",
    S.PLAN_SUBMITTED: "yellow",
    S.PLAN_APPROVED: "blue",
    S.IN_PROGRESS: "blue",
    S.REPORT_DRAFTED: "blue",
    S.REPORT_CONFIRMED: "yellow",
    S.REPORT_SUBMITTED: "yellow",
    S.CONCLUDED: "green",
}


TABLE = StateTable(
    noun="该初步核实",
    transitions=TRANSITIONS,
    state_labels=STATE_LABELS,
    action_labels=ACTION_LABELS,
    who=WHO,
    final_states=FINAL_STATES,
    before_label="未开始",
)
state_label, next_state, allowed_actions, mermaid = (
    TABLE.state_label,
    TABLE.next_state,
    TABLE.allowed_actions,
    TABLE.mermaid,
)
