"""The approval matter types of the funds app and their default chains (registered on import).

A claim's approval level depends on its amount (``FundsPolicy``): up to the zone limit the zone leader
approves (``funds.claim.zone``), up to the leader limit also the commission leader in charge
(``funds.claim.leader``), above it also the commission head (``funds.claim.head``). A budget adjustment
(追加/调减) is approved by the leader in charge and the commission head (``funds.adjustment``). Each
commission may reconfigure these chains like any other (审批链配置).
"""

from __future__ import annotations

from decimal import Decimal

from xiezuoqu.accounts.roles import Role
from xiezuoqu.approvals.matters import DEFAULT_CHAINS, ChainSpec, StepSpec, UnitRule, register_matter_type
from xiezuoqu.approvals.workflow import Mode

CLAIM_ZONE = register_matter_type("funds.claim.zone", "办案经费申请（协作区审批）")
CLAIM_LEADER = register_matter_type("funds.claim.leader", "办案经费申请（分管委领导审批）")
CLAIM_HEAD = register_matter_type("funds.claim.head", "办案经费申请（纪委书记审批）")
ADJUSTMENT = register_matter_type("funds.adjustment", "办案经费预算调整")
CLAIM_TYPES = (CLAIM_ZONE.slug, CLAIM_LEADER.slug, CLAIM_HEAD.slug)


def _step(role: Role, rule: UnitRule, label: str) -> StepSpec:
    return StepSpec(role=role.value, unit_rule=rule.value, label=label)


ZONE_STEP = _step(Role.ZONE_LEADER, UnitRule.REQUESTER_ZONE, "协作区组长审批")
LEADER_STEP = _step(Role.COMMISSION_LEADER, UnitRule.COMMISSION, "分管委领导审批")
HEAD_STEP = _step(Role.COMMISSION_HEAD, UnitRule.COMMISSION, "纪委书记审批")

DEFAULT_CHAINS.setdefault(CLAIM_ZONE.slug, ChainSpec("办案经费审批（限额内）", Mode.SEQUENTIAL, (ZONE_STEP,)))
DEFAULT_CHAINS.setdefault(
    CLAIM_LEADER.slug, ChainSpec("办案经费审批（较大金额）", Mode.SEQUENTIAL, (ZONE_STEP, LEADER_STEP))
)
DEFAULT_CHAINS.setdefault(
    CLAIM_HEAD.slug, ChainSpec("办案经费审批（大额）", Mode.SEQUENTIAL, (ZONE_STEP, LEADER_STEP, HEAD_STEP))
)
DEFAULT_CHAINS.setdefault(ADJUSTMENT.slug, ChainSpec("办案经费预算调整审批", Mode.SEQUENTIAL, (LEADER_STEP, HEAD_STEP)))


def claim_matter_type(amount: Decimal, zone_limit: Decimal, leader_limit: Decimal) -> str:
    if amount <= zone_limit:
        return CLAIM_ZONE.slug
    if amount <= leader_limit:
        return CLAIM_LEADER.slug
    return CLAIM_HEAD.slug
