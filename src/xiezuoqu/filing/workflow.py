"""The state table of a filing proposal (立案审查呈批), DESIGN §3–4.

    drafted ─报协作区研究→ submitted_to_zone ─协作区会议同意→ zone_agreed ─有权机关决定立案→ body_filed
       │                        │  └─暂缓研究（留待下次会议）┘      └─有权机关决定不予立案→ body_declined
       │                        └─协作区会议不同意→ zone_disagreed
       └─撤回→ withdrawn

The zone meeting only *recommends* (its resolution moves the proposal through the agenda kind
"filing"); the competent body — the subject's township party committee, the dispatched group or the
commission — decides. Recommendation and decision are separate states, each on record.
"""

from __future__ import annotations

from django.db import models

from xiezuoqu.statetable import StateTable


class State(models.TextChoices):
    DRAFTED = "drafted", "起草中"
    SUBMITTED_TO_ZONE = "submitted_to_zone", "待协作区会议研究"
    ZONE_AGREED = "zone_agreed", "协作区同意，待有权机关决定"
    ZONE_DISAGREED = "zone_disagreed", "协作区不同意立案"
    BODY_FILED = "body_filed", "已决定立案"
    BODY_DECLINED = "body_declined", "有权机关决定不予立案"
    WITHDRAWN = "withdrawn", "已撤回"


class Action(models.TextChoices):
    DRAFT = "draft", "起草立案审查呈批报告"
    REVISE = "revise", "修改呈批报告"
    SUBMIT = "submit", "报协作区研究"
    WITHDRAW = "withdraw", "撤回"
    ZONE_AGREE = "zone_agree", "协作区会议同意立案"
    ZONE_DISAGREE = "zone_disagree", "协作区会议不同意立案"
    ZONE_DEFER = "zone_defer", "协作区会议暂缓研究"
    BODY_FILE = "body_file", "有权机关决定立案"
    BODY_DECLINE = "body_decline", "有权机关决定不予立案"


S, A = State, Action

TRANSITIONS: dict[tuple[str | None, str], str] = {
    (None, A.DRAFT): S.DRAFTED,
    (S.DRAFTED, A.REVISE): S.DRAFTED,
    (S.DRAFTED, A.SUBMIT): S.SUBMITTED_TO_ZONE,
    (S.DRAFTED, A.WITHDRAW): S.WITHDRAWN,
    (S.SUBMITTED_TO_ZONE, A.ZONE_AGREE): S.ZONE_AGREED,
    (S.SUBMITTED_TO_ZONE, A.ZONE_DISAGREE): S.ZONE_DISAGREED,
    (S.SUBMITTED_TO_ZONE, A.ZONE_DEFER): S.SUBMITTED_TO_ZONE,
    (S.ZONE_AGREED, A.BODY_FILE): S.BODY_FILED,
    (S.ZONE_AGREED, A.BODY_DECLINE): S.BODY_DECLINED,
}

WHO: dict[str, str] = {
    A.DRAFT: "核查组成员；承办单位干部；所在协作区组长、副组长、纪检监察室干部",
    A.REVISE: "同“起草”",
    A.SUBMIT: "同“起草”",
    A.WITHDRAW: "同“起草”",
    A.ZONE_AGREE: "立案研究会决议（同意）时自动执行",
    A.ZONE_DISAGREE: "立案研究会决议（不同意）时自动执行",
    A.ZONE_DEFER: "立案研究会决议（暂缓）时自动执行",
    A.BODY_FILE: "有权机关授权人员：乡镇纪委书记（经乡镇党委）、派驻组组长（副组长）、市纪委书记或分管领导",
    A.BODY_DECLINE: "同“有权机关决定立案”",
}

FINAL_STATES = frozenset({S.ZONE_DISAGREED, S.BODY_FILED, S.BODY_DECLINED, S.WITHDRAWN})
# A clue-subject pair has at most one proposal that is not finished without a case.
OPEN_STATES = frozenset({S.DRAFTED, S.SUBMITTED_TO_ZONE, S.ZONE_AGREED, S.BODY_FILED})
STATE_LABELS: dict[str, str] = dict(State.choices)
ACTION_LABELS: dict[str, str] = dict(Action.choices)
STATE_TAGS: dict[str, str] = {
    S.DRAFTED: "blue",
    S.SUBMITTED_TO_ZONE: "yellow",
    S.ZONE_AGREED: "yellow",
    S.ZONE_DISAGREED: "",
    S.BODY_FILED: "red",
    S.BODY_DECLINED: "",
    S.WITHDRAWN: "",
}


TABLE = StateTable(
    noun="该立案审查呈批",
    transitions=TRANSITIONS,
    state_labels=STATE_LABELS,
    action_labels=ACTION_LABELS,
    who=WHO,
    final_states=FINAL_STATES,
    before_label="未起草",
)
state_label, next_state, allowed_actions, mermaid = (
    TABLE.state_label,
    TABLE.next_state,
    TABLE.allowed_actions,
    TABLE.mermaid,
)
