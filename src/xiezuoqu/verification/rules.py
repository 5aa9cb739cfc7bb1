"""The rules of 初步核实 in one place: which measures are allowed when, the periods, the rule texts.

DESIGN §3: before filing (立案) only 谈话, 询问, 查询/查阅, 调取, 勘验检查, 调查实验, 鉴定 may be taken;
讯问, 留置, 管护, 责令候查, 强制到案, 冻结, 搜查, 查封, 扣押, 通缉 only after filing. Every measure needs
at least two officers. No national deadline for 初核: 2 months by default (configurable), and a
verification without progress for 6 months is a red warning.

The time limits of the post-filing measures that hold a person or property for a period are a table
of their own, in ``limits.py`` (configurable defaults, each with its source): 管护 at most 7 days,
extendable once by 1 to 3 days (监察法 2024年修正, in force 2025-06-01); 责令候查 at most 12 months
(监察法 2024年修正); 强制到案 at most 12 hours, 24 where 管护 or 留置 then has to be taken (监察法实施条例);
冻结 6 months, renewed by at most 6 months each time (监察法实施条例). ``clean_measure`` refuses a planned
end beyond the limit for every measure; 留置's 3 months run on the cases app's ``Detention``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xiezuoqu.errors import RuleViolation, ValidationFailed
from xiezuoqu.rulebook.national import national_default


class MeasureKind(models.TextChoices):
    # 立案前可以采取的措施
    TALK = "talk", "谈话"
    INQUIRY = "inquiry", "询问"
    RECORDS_REVIEW = "records_review", "查阅"
    QUERY = "query", "查询"
    RETRIEVAL = "retrieval", "调取"
    INSPECTION = "inspection", "勘验检查"
    EXPERIMENT = "experiment", "调查实验"
    APPRAISAL = "appraisal", "鉴定"
    # 立案后才能采取的措施
    INTERROGATION = "interrogation", "讯问"
    DETENTION = "detention", "留置"
    CUSTODY_CARE = "custody_care", "管护"
    ORDERED_WAIT = "ordered_wait", "责令候查"
    COMPELLED_APPEARANCE = "compelled_appearance", "强制到案"
    FREEZE = "freeze", "冻结"
    SEARCH = "search", "搜查"
    SEAL_UP = "seal_up", "查封"
    SEIZE = "seize", "扣押"
    WANTED = "wanted", "通缉"


K = MeasureKind
PRE_FILING: frozenset[str] = frozenset(
    {K.TALK, K.INQUIRY, K.RECORDS_REVIEW, K.QUERY, K.RETRIEVAL, K.INSPECTION, K.EXPERIMENT, K.APPRAISAL}
)
POST_FILING: frozenset[str] = frozenset(
    {
        K.INTERROGATION,
        K.DETENTION,
        K.CUSTODY_CARE,
        K.ORDERED_WAIT,
        K.COMPELLED_APPEARANCE,
        K.FREEZE,
        K.SEARCH,
        K.SEAL_UP,
        K.SEIZE,
        K.WANTED,
    }
)
MIN_OFFICERS = 2

MEASURE_RULE = (
    "监察法、监督执纪工作规则：初步核实可以采取谈话、询问、查询、查阅、调取、勘验检查、调查实验、鉴定等措施；"
    "讯问、留置、管护、责令候查、强制到案、冻结、搜查、查封、扣押、通缉等措施须在立案后采取"
)
OFFICERS_RULE = "监察法实施条例：调查人员采取谈话、询问等措施时不得少于二人"
REPORT_RULE = "监督执纪工作规则：初步核实工作结束后，核查组应当撰写初核情况报告，由核查组全体人员签名备查"


def check_measure_allowed(kind: str, filed: bool) -> None:
    """Refuse a measure the matter's stage does not allow (the case app calls this too, with filed=True)."""
    if kind not in MeasureKind.values:
        raise ValidationFailed("请选择措施种类。", field_errors={"kind": ["请选择。"]})
    if kind in POST_FILING and not filed:
        label = MeasureKind(kind).label
        raise RuleViolation(
            f"立案前不得采取讯问、留置、管护、责令候查、强制到案、冻结、搜查、查封、扣押、通缉等立案后措施"
            f"（本次为“{label}”）。初步核实阶段只能采取谈话、询问、查询、查阅、调取、勘验检查、调查实验、鉴定。",
            field_errors={"kind": [f"立案前不得采取“{label}”。"]},
        )


def check_officers(count: int) -> None:
    if count < MIN_OFFICERS:
        raise RuleViolation(
            f"采取核查措施须有至少 {MIN_OFFICERS} 名核查组成员在场，目前只选择了 {count} 名。请补选后再登记。",
            field_errors={"officers": [f"至少选择 {MIN_OFFICERS} 名组员。"]},
        )


# --- periods ------------------------------------------------------------------------------------------

PERIOD_KIND = "verification.period"
PERIOD_LABEL = "初步核实"
PERIOD_RULE = "初步核实无全国统一时限：默认自初核方案批准之日起2个月（可配置 XIEZUOQU_VERIFICATION_MONTHS）"
DEFAULT_MONTHS = national_default("verification.period")
STALL_MONTHS = national_default("verification.stall")
STALL_RULE = "初步核实6个月无进展的，红色预警"
# The stall is a supervised deadline (issue 18): 6 calendar months (民法典 第201条, like every months
# period) from the last progress, moved by every progress, closed when the verification concludes.
STALL_KIND = "verification.stall"
STALL_LABEL = "核查停滞预警"
STALL_RESTARTS = "自最近一次进展（方案、措施、证据、报告或签字确认）起算，有新进展即重新起算，不适用延期。"


def verification_months() -> int:
    """The configured period of a verification in months (setting ``XIEZUOQU_VERIFICATION_MONTHS``)."""
    value = getattr(settings, "XIEZUOQU_VERIFICATION_MONTHS", None)
    if value is None:
        value = getattr(settings, "XIEZUOQU", {}).get("VERIFICATION_MONTHS", DEFAULT_MONTHS)
    return int(value)
