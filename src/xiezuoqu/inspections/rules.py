"""The rules of 制度5 专项检查办法 the services apply: the plan's approval matter and its default chain,
the rectification deadline kind, and who may organise, inspect and sign off."""

from __future__ import annotations

from xiezuoqu.accounts.roles import Role
from xiezuoqu.approvals.matters import DEFAULT_CHAINS, ChainSpec, StepSpec, UnitRule, register_matter_type
from xiezuoqu.approvals.workflow import Mode

# 专项检查办法: the plan (topic, units, checklist) is approved before anyone is assigned.
PLAN = register_matter_type("inspection.plan", "专项检查方案")
DEFAULT_CHAINS.setdefault(
    PLAN.slug,
    ChainSpec(
        "专项检查方案审批",
        Mode.SEQUENTIAL,
        (StepSpec(role=Role.COMMISSION_LEADER.value, unit_rule=UnitRule.COMMISSION.value, label="分管委领导审批"),),
    ),
)

RECTIFICATION_KIND = "inspection.rectification"
RECTIFICATION_LABEL = "专项检查问题整改"
RECTIFICATION_RULE = "专项检查办法：被检查单位在整改期限内（默认 20 个工作日，可按检查方案设定）完成整改并报送整改情况"
MAX_RECTIFICATION_DAYS = 120

# Who organises a campaign: the commission's leadership for the whole commission, a zone's leadership for
# its zone.
ORGANISER_ROLES = (Role.COMMISSION_HEAD, Role.COMMISSION_LEADER)
ZONE_ORGANISER_ROLES = (Role.ZONE_LEADER, Role.ZONE_DEPUTY)
