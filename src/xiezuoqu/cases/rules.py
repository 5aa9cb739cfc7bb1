"""The periods and rule texts of a case (DESIGN §3 "Filing, investigation, trial"), in one place."""

from __future__ import annotations

from dataclasses import dataclass

from xiezuoqu.rulebook.national import national_default


@dataclass(frozen=True)
class Period:
    kind: str
    label: str
    rule: str
    months: int
    warn_days: int = 5
    # Set when the period has its own extension procedure (see deadlines.kinds.DeadlineKind).
    not_extendable: str = ""


FIRST_REVIEW = Period(
    "case.first_review",
    "协作区初审",
    "案件初审复审办法：乡镇自办案件由协作区初审，审理期限1个月，经批准可以延长",
    months=national_default("case.first_review"),
)
TRIAL = Period(
    "case.trial",
    "案件审理",
    "监督执纪工作规则：审理工作应当在受理之日起1个月内完成，重大复杂案件经批准可以适当延长",
    months=national_default("case.trial"),
)
ANNOUNCEMENT = Period(
    "case.announcement",
    "宣布处理决定",
    "监督执纪工作规则：处分决定作出后，应当在1个月内向受处分党员所在党组织中的全体党员及其本人宣布",
    months=national_default("case.announcement"),
)
DETENTION = Period(
    "case.detention",
    "留置期限",
    "监察法：留置时间不得超过3个月；特殊情况下可以延长一次，延长时间不得超过3个月，须报上一级监察机关批准",
    months=national_default("case.detention"),
    warn_days=10,
    not_extendable="留置时间的延长须报上一级纪委监委批准，请在案件页“留置”栏登记上一级的延长批准。",
)
APPEAL_REVIEW = Period(
    "case.appeal_review",
    "申诉复审",
    "公职人员政务处分法、纪律处分条例：原处理机关应当自接到复审申请后1个月内作出复审决定",
    months=national_default("case.appeal_review"),
)
APPEAL_RECHECK = Period(
    "case.appeal_recheck",
    "申诉复核",
    "公职人员政务处分法：上一级机关应当自接到复核申请后2个月内作出复核决定",
    months=national_default("case.appeal_recheck"),
)
PERIODS = (FIRST_REVIEW, TRIAL, ANNOUNCEMENT, DETENTION, APPEAL_REVIEW, APPEAL_RECHECK)

DETENTION_EXTENSION_MONTHS = national_default("case.detention_extension")
# The planned end of a time-limited measure in force (管护, 责令候查, 冻结; figures in verification.limits).
MEASURE_LIMIT_KIND = "case.measure_limit"
MEASURE_LIMIT_LABEL = "措施期限"
MEASURE_LIMIT_FIXED = "管护延长、冻结续冻须经批准，请在案件页的措施栏办理并登记批准文号。"
MEASURE_LIMIT_RULE = (
    "监察法（2024年修正）、监察法实施条例：管护不得超过7日，特殊情况下可以延长1至3日；责令候查最长不得超过12个月；"
    "冻结期限为6个月，每次续冻不得超过6个月。期满前应当依法解除、变更或者延长（续冻），期限不因节假日顺延"
)
MIN_REVIEWERS = 2
READ_ONLY = "案件已归档，只读：不能再办理或修改。"
SEPARATION_RULE = "监督执纪工作规则：坚持审查调查与审理相分离，审查调查人员不得参与审理（查审分离）"
