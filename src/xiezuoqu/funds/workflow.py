"""The state table of a claim (补助申请 / 费用报销): draft → submitted → approved → paid.

A submitted claim commits its amount against its budget line until it is decided; an approved claim
stays committed until it is paid; a paid claim is read-only, and a correction is a new *reversing*
entry (a paid claim of the opposite amount that names the one it corrects). A claim the approval
chain returns goes back to draft; a rejected or withdrawn claim ends there.
"""

from __future__ import annotations

from django.db import models

from xiezuoqu.statetable import StateTable


class ClaimState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "审批中"
    APPROVED = "approved", "已批准，待支付"
    PAID = "paid", "已支付"
    REJECTED = "rejected", "未批准"
    WITHDRAWN = "withdrawn", "已撤回"


class ClaimAction(models.TextChoices):
    CREATE = "create", "填写申请"
    SUBMIT = "submit", "提交审批"
    RETURN = "return", "审批退回"
    APPROVE = "approve", "审批通过"
    REJECT = "reject", "审批不通过"
    WITHDRAW = "withdraw", "撤回"
    PAY = "pay", "登记支付"
    REVERSE = "reverse", "冲销更正"


TRANSITIONS: dict[tuple[str | None, str], str] = {
    (None, ClaimAction.CREATE): ClaimState.DRAFT,
    (ClaimState.DRAFT, ClaimAction.SUBMIT): ClaimState.SUBMITTED,
    (ClaimState.DRAFT, ClaimAction.WITHDRAW): ClaimState.WITHDRAWN,
    (ClaimState.SUBMITTED, ClaimAction.RETURN): ClaimState.DRAFT,
    (ClaimState.SUBMITTED, ClaimAction.APPROVE): ClaimState.APPROVED,
    (ClaimState.SUBMITTED, ClaimAction.REJECT): ClaimState.REJECTED,
    (ClaimState.SUBMITTED, ClaimAction.WITHDRAW): ClaimState.WITHDRAWN,
    (ClaimState.APPROVED, ClaimAction.PAY): ClaimState.PAID,
    (None, ClaimAction.REVERSE): ClaimState.PAID,
}

WHO: dict[str, str] = {
    ClaimAction.CREATE: "经办人（能查看该事项的本协作区干部）",
    ClaimAction.SUBMIT: "经办人",
    ClaimAction.RETURN: "审批人（按金额分级的审批链）",
    ClaimAction.APPROVE: "审批链最后一个环节的审批人",
    ClaimAction.REJECT: "审批人",
    ClaimAction.WITHDRAW: "经办人",
    ClaimAction.PAY: "案件监督管理室",
    ClaimAction.REVERSE: "案件监督管理室（对已支付的申请作冲销分录）",
}

# States whose amount counts against the line before payment (承诺数) and after it (已支出).
COMMITTED_STATES = frozenset({ClaimState.SUBMITTED, ClaimState.APPROVED})
SPENT_STATES = frozenset({ClaimState.PAID})

TABLE = StateTable(
    noun="该经费申请",
    transitions=TRANSITIONS,
    state_labels=dict(ClaimState.choices),
    action_labels=dict(ClaimAction.choices),
    who=WHO,
    final_states=frozenset({ClaimState.PAID, ClaimState.REJECTED, ClaimState.WITHDRAWN}),
    before_label="未填写",
)
state_label, next_state, mermaid = TABLE.state_label, TABLE.next_state, TABLE.mermaid
