"""The periods and rule texts intake enforces, in one place (DESIGN §3 "Intake").

The national texts set the 5- and 15-working-day periods; they require objections to be answered and
results reported to the petition office quarterly without fixing a period, so the product's defaults
for those two are stated as such. The deadline kinds are registered from ``IntakeConfig.ready``.
"""

from __future__ import annotations

from dataclasses import dataclass

from xiezuoqu.rulebook.national import national_default


@dataclass(frozen=True)
class Period:
    kind: str
    label: str
    working_days: int
    rule: str
    warn_days: int = 3


FORWARD_UP = Period(
    "report.forward_up",
    "报送上级",
    national_default("report.forward_up"),
    "检举控告工作规则：属于上级纪检监察机关管辖的，应当在5个工作日内报送主要负责人并报送上级",
    warn_days=2,
)
HEAD_STRAIGHT_UP = "检举控告工作规则：反映本级纪检监察机关主要负责人问题的，直接报送上一级纪检监察机关，不在本级办理"
FORWARD_DOWN = Period(
    "report.forward_down",
    "下级受理或再转办",
    national_default("report.forward_down"),
    "检举控告工作规则：下级纪检监察机关应当在收到转办件后5个工作日内受理或者再转办",
    warn_days=2,
)
FORWARD_LOWER = (
    "检举控告工作规则：属于下级纪检监察机关管辖的，转下级纪检监察机关办理；下级应当在收到后5个工作日内受理或者再转办"
)
ACCEPTANCE_NOTICE = Period(
    "report.acceptance_notice",
    "实名举报受理情况告知",
    national_default("report.acceptance_notice"),
    "检举控告工作规则：实名检举控告应当在收到之日起15个工作日内告知检举控告人是否受理",
)
RESULT_FEEDBACK = Period(
    "report.result_feedback",
    "实名举报办理结果反馈",
    national_default("report.result_feedback"),
    "检举控告工作规则：实名检举控告办结后15个工作日内将处理结果告知检举控告人",
)
OBJECTION_ANSWER = Period(
    "report.objection_answer",
    "举报人异议答复",
    national_default("report.objection_answer"),
    "检举控告工作规则：检举控告人对处理结果有异议的，应当登记并答复（期限为本系统默认15个工作日）",
)
QUARTERLY_RESULT = Period(
    "report.quarterly_result",
    "实名举报办理结果季度报送",
    national_default("report.quarterly_result"),
    "检举控告工作规则：承办部门应当每季度向信访举报部门报送实名检举控告办理结果"
    "（期限为本系统默认季度结束后10个工作日）",
)
NOT_ACCEPT = "检举控告工作规则：属于诉讼仲裁复议范围、其他机关职责范围或无实质内容的，不予受理"
TRANSFER = "检举控告工作规则：不属于纪检监察机关受理范围的，转有关机关处理，并做好记录"
REPEAT = "检举控告工作规则：重复检举控告登记存档，与原件关联，不重复办理"
ACCEPT = "检举控告工作规则：属于本机关受理范围的，予以受理"
ASSIGN = "受理归口：受理后分办承办单位"

PERIODS = (FORWARD_UP, FORWARD_DOWN, ACCEPTANCE_NOTICE, RESULT_FEEDBACK, OBJECTION_ANSWER, QUARTERLY_RESULT)

# How long a handler may see a reporter's identity after the commission head approved the request.
IDENTITY_GRANT_DAYS = 7
