"""Every write of a special inspection (专项检查 / 交叉互检), one transaction each, each in the audit chain.

Rules (制度5 专项检查办法; DESIGN §2 item 5, §3 "Special inspection"): the plan (topic, units, checklist)
is approved through the configured chain before anyone is assigned; member units inspect each other,
never themselves (and, with the option on, no two units inspect each other); an inspector with a conflict
towards the inspected unit is never on its team; every finding is rectified and signed off (销号) by the
zone, or becomes a clue (source 监督检查发现) through the normal registration, or both; a 销号 finding is
read-only.

One module per stage: ``campaigns`` (拟定, 报批 and 结束 of the plan), ``cross_assignment`` (交叉检查分配),
``field_work`` (检查记录 and 问题清单), ``rectification`` (整改, 复核, 销号) and ``transfer`` (移交线索), on the
helpers of ``_common``. This package re-exports their names (and ``adapter``, which the views read through
it), so callers import ``xiezuoqu.inspections.services`` as before; importing it registers the approval hook
``_plan_decided``, which the app's ready() relies on. The sub-modules import each other, never this package.
"""

from __future__ import annotations

from xiezuoqu.inspections import adapter
from xiezuoqu.inspections.services._common import is_organiser, leads_zone_of, on_team
from xiezuoqu.inspections.services.campaigns import (
    CAMPAIGN_UNIT_KINDS,
    CampaignInput,
    PointInput,
    _plan_decided,
    add_inspected_object,
    close_campaign,
    create_campaign,
    submit_plan,
)
from xiezuoqu.inspections.services.cross_assignment import (
    AdjustInput,
    adjust_assignment,
    confirm_assignment,
    propose_assignment,
)
from xiezuoqu.inspections.services.field_work import (
    MAX_AMOUNT,
    FindingInput,
    add_finding,
    parse_amount,
    record_check,
    update_finding,
)
from xiezuoqu.inspections.services.rectification import (
    close_finding,
    may_report,
    order_rectification,
    report_rectification,
    review_rectification,
)
from xiezuoqu.inspections.services.transfer import transfer_finding

__all__ = [
    "CAMPAIGN_UNIT_KINDS",
    "MAX_AMOUNT",
    "AdjustInput",
    "CampaignInput",
    "FindingInput",
    "PointInput",
    "_plan_decided",
    "adapter",
    "add_finding",
    "add_inspected_object",
    "adjust_assignment",
    "close_campaign",
    "close_finding",
    "confirm_assignment",
    "create_campaign",
    "is_organiser",
    "leads_zone_of",
    "may_report",
    "on_team",
    "order_rectification",
    "parse_amount",
    "propose_assignment",
    "record_check",
    "report_rectification",
    "review_rectification",
    "submit_plan",
    "transfer_finding",
    "update_finding",
]
