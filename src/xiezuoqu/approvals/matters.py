"""What can be approved, the default chains, and the hooks that let other apps react to outcomes.

Other apps plug in here, never by editing this app:

    from xiezuoqu.approvals.matters import on_final_decision

    @on_final_decision("clue.disposal")
    def _disposal_decided(approval, outcome):   # runs inside the deciding transaction
        ...

A matter type not in ``MATTER_TYPES`` is added with ``register_matter_type(slug, label)`` from the
app's ``AppConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from django.db import models

from xiezuoqu.accounts.roles import Role

from .workflow import Mode


class UnitRule(models.TextChoices):
    """Where the approver of a step sits, relative to the request."""

    REQUESTER_UNIT = "requester_unit", "申请单位"
    REQUESTER_ZONE = "requester_zone", "申请单位所在协作区"
    COMMISSION = "commission", "本纪委监委"
    FIXED_UNIT = "fixed_unit", "指定单位"


@dataclass(frozen=True)
class MatterType:
    slug: str
    label: str
    # A role every chain of this matter type must include, whatever the commission configures
    # (the national rule names who decides: e.g. the commission head for a reporter's identity).
    required_role: str = ""


MATTER_TYPES: dict[str, MatterType] = {}


def register_matter_type(slug: str, label: str, *, required_role: str = "") -> MatterType:
    matter = MatterType(slug, label, required_role)
    MATTER_TYPES[slug] = matter
    return matter


def matter_label(slug: str) -> str:
    matter = MATTER_TYPES.get(slug)
    return matter.label if matter else slug


CLUE_DISPOSAL = register_matter_type("clue.disposal", "问题线索处置")
VERIFICATION_PLAN = register_matter_type("verification.plan", "初步核实方案")
VERIFICATION_REPORT = register_matter_type("verification.report", "初核报告")
DEADLINE_EXTENSION = register_matter_type("deadline.extension", "办理时限延期")
# 回避: the commission head decides for staff; 举报人身份: released only with the head's approval.
RECUSAL_OVERRIDE = register_matter_type("recusal.override", "回避冲突例外", required_role=Role.COMMISSION_HEAD)
REPORTER_IDENTITY_REQUEST = register_matter_type(
    "reporter_identity.request", "查阅举报人身份", required_role=Role.COMMISSION_HEAD
)
CASE_SANCTION = register_matter_type("case.sanction", "处分决定")
# 监察法: 留置 is approved by the higher commission — the platform records the request and its decision.
CASE_DETENTION = register_matter_type("case.detention", "留置措施报批")
# 审理 returns a case: for re-investigation the principal leader approves (纪委书记), for supplementary
# evidence the leader in charge.
TRIAL_REINVESTIGATION = register_matter_type(
    "trial.reinvestigation", "审理退回重新调查", required_role=Role.COMMISSION_HEAD
)
TRIAL_SUPPLEMENT = register_matter_type("trial.supplement", "审理退回补充证据")
# 检举控告规则: a falsely accused person is cleared (澄清正名) with the commission head's approval.
CLEARING = register_matter_type("clearing", "澄清正名", required_role=Role.COMMISSION_HEAD)


@dataclass(frozen=True)
class StepSpec:
    """One step of a chain as configured: who (role) sitting where (unit rule) approves."""

    role: str
    unit_rule: str
    label: str = ""
    fixed_unit_id: int | None = None


@dataclass(frozen=True)
class ChainSpec:
    name: str
    mode: str
    steps: tuple[StepSpec, ...]


def _step(role: Role, rule: UnitRule, label: str) -> StepSpec:
    return StepSpec(role=role.value, unit_rule=rule.value, label=label)


# Sensible defaults, following 监督执纪工作规则 (disposal and verification plans are approved by the
# responsible leader, then the commission's leader in charge), 检举控告规则 (the reporter's identity is
# released only with the commission head's approval) and DESIGN §4 (conflict overrides need the head).
DEFAULT_CHAINS: dict[str, ChainSpec] = {
    CLUE_DISPOSAL.slug: ChainSpec(
        "问题线索处置审批",
        Mode.SEQUENTIAL,
        (
            _step(Role.ZONE_LEADER, UnitRule.REQUESTER_ZONE, "协作区组长审批"),
            _step(Role.COMMISSION_LEADER, UnitRule.COMMISSION, "分管委领导审批"),
        ),
    ),
    VERIFICATION_PLAN.slug: ChainSpec(
        "初核方案审批",
        Mode.SEQUENTIAL,
        (
            _step(Role.ZONE_LEADER, UnitRule.REQUESTER_ZONE, "协作区组长审批"),
            _step(Role.COMMISSION_LEADER, UnitRule.COMMISSION, "分管委领导审批"),
        ),
    ),
    VERIFICATION_REPORT.slug: ChainSpec(
        "初核报告审批",
        Mode.SEQUENTIAL,
        (
            _step(Role.ZONE_LEADER, UnitRule.REQUESTER_ZONE, "协作区组长审批"),
            _step(Role.COMMISSION_LEADER, UnitRule.COMMISSION, "分管委领导审批"),
        ),
    ),
    DEADLINE_EXTENSION.slug: ChainSpec(
        "办理时限延期审批",
        Mode.SEQUENTIAL,
        (_step(Role.ZONE_LEADER, UnitRule.REQUESTER_ZONE, "协作区组长审批"),),
    ),
    RECUSAL_OVERRIDE.slug: ChainSpec(
        "回避冲突例外审批",
        Mode.SEQUENTIAL,
        (_step(Role.COMMISSION_HEAD, UnitRule.COMMISSION, "纪委书记审批"),),
    ),
    REPORTER_IDENTITY_REQUEST.slug: ChainSpec(
        "查阅举报人身份审批",
        Mode.SEQUENTIAL,
        (_step(Role.COMMISSION_HEAD, UnitRule.COMMISSION, "纪委书记审批"),),
    ),
    CLEARING.slug: ChainSpec(
        "澄清正名审批",
        Mode.SEQUENTIAL,
        (
            _step(Role.COMMISSION_LEADER, UnitRule.COMMISSION, "分管委领导审核"),
            _step(Role.COMMISSION_HEAD, UnitRule.COMMISSION, "纪委书记审批"),
        ),
    ),
    CASE_DETENTION.slug: ChainSpec(
        "留置措施报批",
        Mode.SEQUENTIAL,
        (_step(Role.COMMISSION_HEAD, UnitRule.COMMISSION, "纪委书记审核后报上一级纪委监委批准"),),
    ),
    TRIAL_REINVESTIGATION.slug: ChainSpec(
        "审理退回重新调查审批",
        Mode.SEQUENTIAL,
        (_step(Role.COMMISSION_HEAD, UnitRule.COMMISSION, "纪委书记审批"),),
    ),
    TRIAL_SUPPLEMENT.slug: ChainSpec(
        "审理退回补充证据审批",
        Mode.SEQUENTIAL,
        (_step(Role.COMMISSION_LEADER, UnitRule.COMMISSION, "分管委领导审批"),),
    ),
    CASE_SANCTION.slug: ChainSpec(
        "处分决定审批",
        Mode.SEQUENTIAL,
        (
            _step(Role.TRIAL_STAFF, UnitRule.COMMISSION, "案件审理室审核"),
            _step(Role.COMMISSION_HEAD, UnitRule.COMMISSION, "纪委书记审批"),
        ),
    ),
}


# --- hooks -------------------------------------------------------------------------------------------


class DecidedRequest(Protocol):
    """What the hooks are given: an ``approvals.models.ApprovalRequest`` (this module, below the models,
    names only the field it reads, so the two do not import each other)."""

    matter_type: str


FinalHook = Callable[..., None]
# A hook is typed by its own signature, ``(approval: ApprovalRequest, outcome: str) -> None``.
Hook = TypeVar("Hook", bound=FinalHook)
FINAL_HOOKS: dict[str, list[FinalHook]] = {}


def on_final_decision(matter_type: str) -> Callable[[Hook], Hook]:
    """Register ``callback(approval, outcome)`` for a matter type.

    It runs inside the transaction that ends the request's round, with the request row locked, when
    the outcome is ``approved``, ``rejected``, ``returned`` or ``withdrawn``. Raising a domain error
    from the callback refuses the decision as a whole (everything rolls back).
    """

    def register(callback: Hook) -> Hook:
        hooks = FINAL_HOOKS.setdefault(matter_type, [])
        if callback not in hooks:
            hooks.append(callback)
        return callback

    return register


def run_final_hooks(approval: DecidedRequest, outcome: str) -> None:
    for callback in FINAL_HOOKS.get(approval.matter_type, []):
        callback(approval, outcome)
