"""The state tables of a special inspection (专项检查) and of a finding (检查发现问题).

    draft ─报批→ submitted ─批准→ approved ─确定分配→ under_way ─结束检查→ closed
                    └─退回、不批准或撤回→ draft

    recorded ─交办整改→ rectifying ─报送整改情况→ reported ─复核通过→ reviewed ─销号→ closed
        │                                         └─复核不通过→ rectifying
        └─移交线索→ transferred ─交办整改→ rectifying   (a finding may be rectified and transferred)

``next_*_state`` is the one place that says which move is allowed; nothing else assigns the states.
"""

from __future__ import annotations

from django.db import models

from xiezuoqu.statetable import StateTable

from .models import CampaignState, FindingState


class CampaignAction(models.TextChoices):
    CREATE = "create", "拟定检查方案"
    EDIT = "edit", "修改检查方案"
    SUBMIT = "submit", "报批检查方案"
    APPROVE = "approve", "批准检查方案"
    SEND_BACK = "send_back", "退回、不批准或撤回"
    ASSIGN = "assign", "提出或调整交叉检查分配"
    CONFIRM = "confirm", "确定交叉检查分配"
    CLOSE = "close", "结束检查"


class FindingAction(models.TextChoices):
    RECORD = "record", "登记问题"
    EDIT = "edit", "修改问题"
    RECTIFY = "rectify", "交办整改"
    TRANSFER = "transfer", "移交问题线索"
    REPORT = "report", "报送整改情况"
    PASS_REVIEW = "pass_review", "复核通过"
    FAIL_REVIEW = "fail_review", "复核不通过"
    CLOSE = "close", "销号"


C, CA = CampaignState, CampaignAction
CAMPAIGN_TRANSITIONS: dict[tuple[str | None, str], str] = {
    (None, CA.CREATE): C.DRAFT,
    (C.DRAFT, CA.EDIT): C.DRAFT,
    (C.DRAFT, CA.SUBMIT): C.SUBMITTED,
    (C.SUBMITTED, CA.APPROVE): C.APPROVED,
    (C.SUBMITTED, CA.SEND_BACK): C.DRAFT,
    (C.APPROVED, CA.ASSIGN): C.APPROVED,
    (C.APPROVED, CA.CONFIRM): C.UNDER_WAY,
    (C.UNDER_WAY, CA.CLOSE): C.CLOSED,
}

F, FA = FindingState, FindingAction
FINDING_TRANSITIONS: dict[tuple[str | None, str], str] = {
    (None, FA.RECORD): F.RECORDED,
    (F.RECORDED, FA.EDIT): F.RECORDED,
    (F.RECORDED, FA.RECTIFY): F.RECTIFYING,
    (F.RECORDED, FA.TRANSFER): F.TRANSFERRED,
    (F.TRANSFERRED, FA.RECTIFY): F.RECTIFYING,
    (F.RECTIFYING, FA.EDIT): F.RECTIFYING,
    (F.RECTIFYING, FA.TRANSFER): F.RECTIFYING,
    (F.RECTIFYING, FA.REPORT): F.REPORTED,
    (F.REPORTED, FA.TRANSFER): F.REPORTED,
    (F.REPORTED, FA.PASS_REVIEW): F.REVIEWED,
    (F.REPORTED, FA.FAIL_REVIEW): F.RECTIFYING,
    (F.REVIEWED, FA.TRANSFER): F.REVIEWED,
    (F.REVIEWED, FA.CLOSE): F.CLOSED,
}

CAMPAIGN_TABLE = StateTable(
    noun="该专项检查",
    transitions=CAMPAIGN_TRANSITIONS,
    state_labels=dict(CampaignState.choices),
    action_labels=dict(CampaignAction.choices),
    who={
        CA.CREATE: "委领导或协作区组长、副组长",
        CA.SUBMIT: "组织单位",
        CA.APPROVE: "审批链",
        CA.ASSIGN: "组织单位",
        CA.CONFIRM: "组织单位",
    },
    final_states=frozenset({C.CLOSED}),
    before_label="未拟定",
)
FINDING_TABLE = StateTable(
    noun="该问题",
    transitions=FINDING_TRANSITIONS,
    state_labels=dict(FindingState.choices),
    action_labels=dict(FindingAction.choices),
    who={
        FA.RECORD: "检查组",
        FA.RECTIFY: "检查组或协作区",
        FA.TRANSFER: "协作区或案管室",
        FA.REPORT: "被检查单位",
        FA.PASS_REVIEW: "检查组",
        FA.FAIL_REVIEW: "检查组",
        FA.CLOSE: "协作区组长",
    },
    final_states=frozenset({F.CLOSED}),
    before_label="未登记",
)
next_campaign_state, next_finding_state = CAMPAIGN_TABLE.next_state, FINDING_TABLE.next_state


def campaign_mermaid() -> str:
    return CAMPAIGN_TABLE.mermaid()


def finding_mermaid() -> str:
    return FINDING_TABLE.mermaid()
