"""The national rules the product enforces, as one table of data: the single source (ADR 0026).

Each row is one rule for one span of dates: its key, its Chinese name, the text it comes from (法规名称)
and the article, the day it took effect and the day it stopped (None: still in force), its value and
unit, the function that enforces it (a dotted path; a test imports each one) and whether a commission
may set a stricter local value (``Direction``). A change of law is a new row from its effective date,
never an edit of the old one, so a matter dated before the change keeps the old rule.

The table is synced to ``rulebook.Rule`` after every migrate (``RulebookConfig.ready``), so the 规则库
page and the API read the rows with their history; the rules modules of the apps read their defaults
from here (``national_default``), so the figure lives in one place. No Django and no project import:
``sanctions.rules`` (the base layer) reads it.

Where a figure is the product's default rather than a national text (初核 2 months, 异议答复 15 WD …)
the source says so. Article numbers that could not be checked against the official text on this
machine carry a note; they are the first thing to confirm with the commission's legal office.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any


class Direction(StrEnum):
    """Which way a local value may depart from the national one."""

    LOWER = "lower"  # a shorter period is stricter (a deadline)
    HIGHER = "higher"  # a larger figure is stricter
    FIXED = "fixed"  # statutory: no local value


DIRECTION_LABELS = {
    Direction.LOWER: "可设更短（更严）的本地值",
    Direction.HIGHER: "可设更大（更严）的本地值",
    Direction.FIXED: "法定，不得变更",
}

UNIT_LABELS = {
    "working_days": "个工作日",
    "months": "个月",
    "days": "日",
    "hours": "小时",
    "months_options": "个月（可选）",
    "measures": "种处分",
}

# The 监察法 2024 amendment (第十四届全国人大常委会第十三次会议 2024-12-25 通过) took effect on this day.
SUPERVISION_LAW_2024 = date(2025, 6, 1)
SUPERVISION_LAW_2018 = date(2018, 3, 20)
RULES_2019 = date(2019, 1, 1)  # 监督执纪工作规则 (2019-01-01 施行)
REPORT_RULES_2020 = date(2020, 1, 21)  # 纪检监察机关处理检举控告工作规则 (2020-01-21 印发施行)
GOVERNMENT_SANCTIONS_2020 = date(2020, 7, 1)  # 公职人员政务处分法 (2020-07-01 施行)
PARTY_SANCTIONS_2018 = date(2018, 10, 1)  # 中国共产党纪律处分条例 (2018年修订, 2018-10-01 施行)
PARTY_SANCTIONS_2024 = date(2024, 1, 1)  # 中国共产党纪律处分条例 (2023年修订, 2024-01-01 施行)
IMPLEMENTING_REGULATIONS_2021 = date(2021, 9, 20)  # 监察法实施条例 (2021-09-20 施行)
PRODUCT_DEFAULT = date(2019, 1, 1)  # the product's own defaults apply to every matter it holds

S_RULES = "中国共产党纪律检查机关监督执纪工作规则"
S_REPORTS = "纪检监察机关处理检举控告工作规则"
S_LAW_2018 = "中华人民共和国监察法（2018年）"
S_LAW_2024 = "中华人民共和国监察法（2024年修正）"
S_IMPL = "中华人民共和国监察法实施条例"
S_GOV = "中华人民共和国公职人员政务处分法"
S_PARTY_2018 = "中国共产党纪律处分条例（2018年修订）"
S_PARTY = "中国共产党纪律处分条例（2023年修订）"
S_PRODUCT = "本系统默认值（无全国统一规定）"
S_SEED = "凤城市纪委监委协作区案件初审复审办法"
PARTY_ARTICLE_NOTE = "条文序号待法规室对照修订文本核对"
CHECK = "条文序号待法规室核对"


@dataclass(frozen=True)
class RuleSpec:
    key: str
    name: str
    source: str
    article: str
    effective_from: date
    value: Any
    unit: str
    enforced_by: str
    direction: Direction = Direction.FIXED
    effective_to: date | None = None
    note: str = ""

    @property
    def unit_label(self) -> str:
        return UNIT_LABELS.get(self.unit, self.unit)

    def covers(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


def _r(*args: Any, **kwargs: Any) -> RuleSpec:
    return RuleSpec(*args, **kwargs)


def _party(key: str, name: str, article: str, value: Any, unit: str) -> tuple[RuleSpec, RuleSpec]:
    """A party sanction's period under the 2018 text and under the 2023 revision (same figures)."""
    enforced_by = "xiezuoqu.sanctions.rules.period_of"
    return (
        RuleSpec(key, name, S_PARTY_2018, article, PARTY_SANCTIONS_2018, value, unit, enforced_by,
                 effective_to=PARTY_SANCTIONS_2024 - timedelta(days=1), note=PARTY_ARTICLE_NOTE),
        RuleSpec(key, name, S_PARTY, article, PARTY_SANCTIONS_2024, value, unit, enforced_by, note=PARTY_ARTICLE_NOTE),
    )  # fmt: skip


INTAKE = "xiezuoqu.intake.services."
CLUES = "xiezuoqu.clues.services."
CASES = "xiezuoqu.cases.services."
VERIFICATION = "xiezuoqu.verification.services."
SANCTIONS = "xiezuoqu.sanctions.rules."
L = Direction.LOWER

NATIONAL_RULES: tuple[RuleSpec, ...] = (
    # --- 检举控告 (DESIGN §3 "Intake") --------------------------------------------------------------
    _r("report.forward_up", "属于上级管辖的报送上级", S_REPORTS, "第十二条", REPORT_RULES_2020, 5, "working_days",
       INTAKE + "_forward_up", L, note=CHECK),
    _r("report.forward_down", "下级受理或再转办", S_REPORTS, "第十三条", REPORT_RULES_2020, 5, "working_days",
       INTAKE + "forward_report_down", L, note=CHECK),
    _r("report.acceptance_notice", "实名举报受理情况告知", S_REPORTS, "第二十五条", REPORT_RULES_2020, 15,
       "working_days", INTAKE + "_after_registration", L, note=CHECK),
    _r("report.result_feedback", "实名举报办理结果反馈", S_REPORTS, "第二十五条", REPORT_RULES_2020, 15,
       "working_days", INTAKE + "_conclude", L, note=CHECK),
    _r("report.objection_answer", "举报人异议答复", S_PRODUCT, "检举控告工作规则第二十六条要求答复，未定期限",
       PRODUCT_DEFAULT, 15, "working_days", INTAKE + "_open_objection_deadline", L),
    _r("report.quarterly_result", "实名举报办理结果季度报送", S_PRODUCT, "检举控告工作规则要求每季度报送，未定期限",
       PRODUCT_DEFAULT, 10, "working_days", INTAKE + "_ensure_quarterly", L),
    # --- 问题线索 (DESIGN §3 "Clues") ---------------------------------------------------------------
    _r("clue.disposal", "线索处置", S_RULES, "第二十一条", RULES_2019, 1, "months", CLUES + "open_clue", L, note=CHECK),
    _r("clue.letter_reply", "函询回复", S_RULES, "第二十五条", RULES_2019, 15, "working_days",
       CLUES + "start_inquiry", L, note=CHECK),
    _r("clue.inquiry_conclusion", "谈话函询了结", S_RULES, "第二十六条", RULES_2019, 1, "months",
       CLUES + "_open_conclusion", L, note=CHECK),
    # --- 初步核实 ---------------------------------------------------------------------------------------
    _r("verification.period", "初步核实期限", S_PRODUCT, "—", PRODUCT_DEFAULT, 2, "months",
       VERIFICATION + "_plan_decided", L, note="设置 XIEZUOQU_VERIFICATION_MONTHS 时以设置为准"),
    _r("verification.stall", "初步核实无进展红色预警", S_PRODUCT, "—", PRODUCT_DEFAULT, 6, "months",
       VERIFICATION + "_open_stall", L),
    # --- 审查调查、审理 ---------------------------------------------------------------------------------
    _r("case.first_review", "协作区初审", S_SEED, "—", PRODUCT_DEFAULT, 1, "months", CASES + "open_trial_review", L),
    _r("case.trial", "案件审理", S_RULES, "第五十五条", RULES_2019, 1, "months", CASES + "open_trial_review", L,
       note=CHECK),
    _r("case.announcement", "宣布处理决定", S_RULES, "第五十九条", RULES_2019, 1, "months",
       CASES + "_decision_decided", L, note=CHECK),
    _r("case.appeal_review", "申诉复审", S_GOV, "第五十五条", GOVERNMENT_SANCTIONS_2020, 1, "months",
       CASES + "file_appeal", L, note=CHECK),
    _r("case.appeal_recheck", "申诉复核", S_GOV, "第五十五条", GOVERNMENT_SANCTIONS_2020, 2, "months",
       CASES + "file_appeal", L, note=CHECK),
    # 留置: 3 months, extendable once by 3 on the higher commission's approval. The 2024 amendment kept
    # the figures, renumbered the article and added a further 2 months that only 国家监委 may approve
    # (offences carrying 10 years or more; not a county's decision, so not offered here).
    _r("case.detention", "留置期限", S_LAW_2018, "第四十三条第二款", SUPERVISION_LAW_2018, 3, "months",
       CASES + "record_higher_decision", effective_to=date(2025, 5, 31)),
    _r("case.detention", "留置期限", S_LAW_2024, "第四十八条第一款", SUPERVISION_LAW_2024, 3, "months",
       CASES + "record_higher_decision",
       note="2024年修正新增：可能判处十年有期徒刑以上的，经国家监委批准可再延长二个月"),
    _r("case.detention_extension", "留置延长（一次）", S_LAW_2018, "第四十三条第二款", SUPERVISION_LAW_2018, 3,
       "months", CASES + "extend_detention", effective_to=date(2025, 5, 31)),
    _r("case.detention_extension", "留置延长（一次）", S_LAW_2024, "第四十八条第一款", SUPERVISION_LAW_2024, 3,
       "months", CASES + "extend_detention"),
    # 管护、责令候查、强制到案 are measures the 2024 amendment created: before 2025-06-01 no rule covers
    # them, so a measure dated earlier is refused (verification.services.clean_measure). The four limits
    # are maxima: a commission may hold its measures to a shorter one (verification.limits.measure_limit).
    _r("measure.custody_care", "管护期限", S_LAW_2024, "第二十四条", SUPERVISION_LAW_2024, 7, "days",
       VERIFICATION + "clean_measure", L, note="特殊情况下可以延长一日至三日；条文序号待核对"),
    _r("measure.ordered_wait", "责令候查期限", S_LAW_2024, "第二十三条", SUPERVISION_LAW_2024, 12, "months",
       VERIFICATION + "clean_measure", L, note="条文序号待核对"),
    _r("measure.compelled_appearance", "强制到案持续时间", S_IMPL, "（2025年修订）", SUPERVISION_LAW_2024, 12,
       "hours", VERIFICATION + "clean_measure", L, note="需要采取管护或者留置措施的，不得超过二十四小时"),
    _r("measure.freeze", "冻结期限", S_IMPL, "第一百四十五条", IMPLEMENTING_REGULATIONS_2021, 6, "months",
       VERIFICATION + "clean_measure", L, note="期满前可续冻，每次不超过六个月；条文序号待核对"),
    # --- 处分期间 (statutory: no local value) -----------------------------------------------------------
    *_party("sanction.party_warning", "党内警告影响期", "第十一条", 12, "months"),
    *_party("sanction.party_serious_warning", "党内严重警告影响期", "第十一条", 18, "months"),
    *_party("sanction.party_removal", "撤销党内职务影响期", "第十二条", 24, "months"),
    *_party("sanction.party_probation", "留党察看期限", "第十三条", [12, 24], "months_options"),
    *_party("sanction.party_expulsion", "开除党籍后不得重新入党", "第十四条", 60, "months"),
    _r("sanction.gov_warning", "政务处分警告期间", S_GOV, "第八条", GOVERNMENT_SANCTIONS_2020, 6, "months",
       SANCTIONS + "period_of"),
    _r("sanction.gov_demerit", "政务处分记过期间", S_GOV, "第八条", GOVERNMENT_SANCTIONS_2020, 12, "months",
       SANCTIONS + "period_of"),
    _r("sanction.gov_major_demerit", "政务处分记大过期间", S_GOV, "第八条", GOVERNMENT_SANCTIONS_2020, 18, "months",
       SANCTIONS + "period_of"),
    _r("sanction.gov_demotion", "政务处分降级期间", S_GOV, "第八条", GOVERNMENT_SANCTIONS_2020, 24, "months",
       SANCTIONS + "period_of"),
    _r("sanction.gov_dismissal_from_post", "政务处分撤职期间", S_GOV, "第八条", GOVERNMENT_SANCTIONS_2020, 24,
       "months", SANCTIONS + "period_of"),
    _r("sanction.gov_combined_max", "同种政务处分合并执行最长期间", S_GOV, "第十条", GOVERNMENT_SANCTIONS_2020, 48,
       "months", SANCTIONS + "combined_government_period"),
    _r("sanction.village_cadre_government", "村（居）委会成员可给予的政务处分", S_GOV, "第六十三条",
       GOVERNMENT_SANCTIONS_2020, ["gov_warning", "gov_demerit", "gov_major_demerit"], "measures",
       SANCTIONS + "check_for_person", note="监察机关只能给予警告、记过、记大过；条文序号待核对"),
)  # fmt: skip


class NoNationalRule(LookupError):
    """No row of the rule covers the day asked for; the message says which rule and which day, in Chinese."""


def rows_of(key: str) -> list[RuleSpec]:
    return [spec for spec in NATIONAL_RULES if spec.key == key]


def national_rule(key: str, on: date) -> RuleSpec:
    """The national row of ``key`` in force on ``on``, or ``NoNationalRule``."""
    rows = rows_of(key)
    if not rows:
        raise NoNationalRule(f"规则库中没有规则“{key}”。")
    for spec in rows:
        if spec.covers(on):
            return spec
    first = min(spec.effective_from for spec in rows)
    raise NoNationalRule(
        f"{on:%Y-%m-%d} 没有有效的“{rows[0].name}”规则（{rows[0].source}自 {first:%Y-%m-%d} 起施行）。"
    )


def national_default(key: str) -> Any:
    """The value of the row still in force (open-ended): the default the pure rule functions take."""
    rows = [spec for spec in rows_of(key) if spec.effective_to is None]
    if len(rows) != 1:
        raise LookupError(f"rule {key!r} needs exactly one open-ended row, has {len(rows)}")
    return rows[0].value


KEYS: frozenset[str] = frozenset(spec.key for spec in NATIONAL_RULES)
