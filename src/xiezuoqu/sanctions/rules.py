"""The national rules on outcomes, as data and pure functions (DESIGN §3 "Filing, investigation, trial").

- 中国共产党纪律处分条例 (2024): party sanctions and their periods — 警告 1 year, 严重警告 18 months,
  撤销党内职务 2 years, 留党察看 1 or 2 years, 开除党籍 (no readmission for 5 years).
- 公职人员政务处分法 (2020) 第七、八条: 警告 6, 记过 12, 记大过 18, 降级 24, 撤职 24 months, 开除;
  第十条: several sanctions → the heaviest is executed; several equal ones below 撤职 → a period between
  the longest and the sum, at most 48 months.
- Village-committee cadres get only 警告、记过、记大过 from the supervisory organ (DESIGN §3).
- Approval powers (乡案县审, DESIGN §3): a township 纪委 may approve 警告 / 严重警告 in simple cases;
  the township party committee up to 留党察看; 开除党籍 and complex cases go to the county.
- Every outcome carries its 四种形态 form (1 批评教育帮助和处理; 2 党纪轻处分、组织调整; 3 党纪重处分、
  重大职务调整; 4 严重违纪涉嫌违法立案审查).

No Django here: the case app (issue 5) calls these to check a decision before it is recorded, and the
tests state each rule directly. The figures are the rule book's national defaults (``rulebook.national``,
keys ``sanction.<code>``); the services pass the rows in force on the decision's date as ``statutory``
(``rulebook.selectors.sanction_terms``), so a change of the law applies by date.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import IntEnum, StrEnum
from typing import Any

from xiezuoqu.rulebook.national import national_default

# Combined government sanctions of the same kind below 撤职: at most 48 months (政务处分法 第十条).
MAX_COMBINED_MONTHS: int = national_default("sanction.gov_combined_max")
# No readmission to the party for 5 years after 开除党籍 (纪律处分条例).
EXPULSION_BAR_MONTHS: int = national_default("sanction.party_expulsion")


class Form(IntEnum):
    """四种形态."""

    FIRST = 1
    SECOND = 2
    THIRD = 3
    FOURTH = 4

    @property
    def label(self) -> str:
        return FORM_LABELS[self]


FORM_LABELS = {
    Form.FIRST: "第一种形态（批评教育帮助和处理）",
    Form.SECOND: "第二种形态（党纪轻处分、组织调整）",
    Form.THIRD: "第三种形态（党纪重处分、重大职务调整）",
    Form.FOURTH: "第四种形态（严重违纪涉嫌违法立案审查）",
}


class Kind(StrEnum):
    PARTY = "party"
    GOVERNMENT = "government"
    ORGANISATIONAL = "organisational"
    FIRST_FORM = "first_form"
    OTHER = "other"


@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    kind: Kind
    severity: int  # the order within its kind: heavier is larger
    form: Form | None  # None: no 形态 (a withdrawn case is no outcome against the person)
    months: int | None = None  # the period it runs (None: no period, or permanent)
    months_options: tuple[int, ...] = ()  # 留党察看: 1 or 2 years


def _months(code: str) -> int:
    return int(national_default(f"sanction.{code}"))


def _options(code: str) -> tuple[int, ...]:
    return tuple(int(v) for v in national_default(f"sanction.{code}"))


# The rule book's values in force on a decision's date, by sanction code ("party_warning": 12,
# "party_probation": [12, 24], "gov_combined_max": 48 …); None: the national defaults above.
Statutory = Mapping[str, Any] | None


def _statutory_months(m: Measure, statutory: Statutory) -> int | None:
    if not statutory or m.code not in statutory or m.months_options:
        return m.months
    return int(statutory[m.code])


def _statutory_options(m: Measure, statutory: Statutory) -> tuple[int, ...]:
    if not statutory or m.code not in statutory or not m.months_options:
        return m.months_options
    return tuple(int(v) for v in statutory[m.code])


MEASURES: dict[str, Measure] = {
    m.code: m
    for m in (
        # 第一种形态
        Measure("talk_reminder", "谈话提醒", Kind.FIRST_FORM, 1, Form.FIRST),
        Measure("criticism", "批评教育", Kind.FIRST_FORM, 2, Form.FIRST),
        Measure("self_examination", "责令检查", Kind.FIRST_FORM, 3, Form.FIRST),
        Measure("admonition", "诫勉", Kind.FIRST_FORM, 4, Form.FIRST),
        # 党纪处分
        Measure("party_warning", "党内警告", Kind.PARTY, 1, Form.SECOND, months=_months("party_warning")),
        Measure(
            "party_serious_warning", "党内严重警告", Kind.PARTY, 2, Form.SECOND, months=_months("party_serious_warning")
        ),
        Measure("party_removal", "撤销党内职务", Kind.PARTY, 3, Form.THIRD, months=_months("party_removal")),
        Measure(
            "party_probation",
            "留党察看",
            Kind.PARTY,
            4,
            Form.THIRD,
            months=min(_options("party_probation")),
            months_options=_options("party_probation"),
        ),
        Measure("party_expulsion", "开除党籍", Kind.PARTY, 5, Form.THIRD),
        # 政务处分
        Measure("gov_warning", "警告", Kind.GOVERNMENT, 1, Form.SECOND, months=_months("gov_warning")),
        Measure("gov_demerit", "记过", Kind.GOVERNMENT, 2, Form.SECOND, months=_months("gov_demerit")),
        Measure("gov_major_demerit", "记大过", Kind.GOVERNMENT, 3, Form.SECOND, months=_months("gov_major_demerit")),
        Measure("gov_demotion", "降级", Kind.GOVERNMENT, 4, Form.THIRD, months=_months("gov_demotion")),
        Measure(
            "gov_dismissal_from_post", "撤职", Kind.GOVERNMENT, 5, Form.THIRD, months=_months("gov_dismissal_from_post")
        ),
        Measure("gov_expulsion", "开除", Kind.GOVERNMENT, 6, Form.THIRD),
        # 组织处理: 调整 is the second form, 重大职务调整 the third
        Measure("suspension", "停职检查", Kind.ORGANISATIONAL, 1, Form.SECOND),
        Measure("reassignment", "调整职务", Kind.ORGANISATIONAL, 2, Form.SECOND),
        Measure("ordered_resignation", "责令辞职", Kind.ORGANISATIONAL, 3, Form.THIRD),
        Measure("removal_from_office", "免职", Kind.ORGANISATIONAL, 4, Form.THIRD),
        Measure("demotion_in_post", "降职", Kind.ORGANISATIONAL, 5, Form.THIRD),
        # Other ends of a case
        Measure("case_withdrawn", "撤销案件", Kind.OTHER, 0, None),
        Measure("to_procuratorate", "移送检察机关依法审查起诉", Kind.OTHER, 9, Form.FOURTH),
    )
}

# 村民委员会、居民委员会 members: the supervisory organ may only give these (DESIGN §3).
VILLAGE_CADRE_GOVERNMENT: frozenset[str] = frozenset(national_default("sanction.village_cadre_government"))


class RuleBroken(ValueError):
    """A decision the rules do not allow; the message says which rule, in Chinese."""


def measure(code: str) -> Measure:
    try:
        return MEASURES[code]
    except KeyError:
        raise RuleBroken(f"未知的处理方式“{code}”。") from None


def plus_months(start: date, months: int) -> date:
    """The same-numbered day ``months`` later, or that month's last day (民法典 第二百零三条的月计算)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


# --- periods -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    measure: Measure
    months: int | None
    start: date
    end: date | None  # the day the period ends (None: no period)

    @property
    def text(self) -> str:
        if self.months is None:
            return "无期间"
        return f"{self.months} 个月（{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}）"


def period_of(code: str, start: date, *, months: int | None = None, statutory: Statutory = None) -> Period:
    """The period a sanction runs from its decision date; 留党察看 takes 12 or 24 months. ``statutory``:
    the rule book's figures in force on ``start`` (default: the national defaults)."""
    m = measure(code)
    options = _statutory_options(m, statutory)
    statutory_months = _statutory_months(m, statutory)
    if options:
        chosen: int | None = months if months is not None else min(options)
        if chosen not in options:
            raise RuleBroken(f"{m.label}的期限为一年或者二年（12 或 24 个月）。")
    elif months is not None and months != statutory_months:
        raise RuleBroken(f"{m.label}的期间为法定期间，不能自行确定。")
    else:
        chosen = statutory_months
    if code == "party_expulsion":
        # the bar on readmission
        chosen = (
            int(statutory["party_expulsion"]) if statutory and "party_expulsion" in statutory else EXPULSION_BAR_MONTHS
        )
    return Period(m, chosen, start, plus_months(start, chosen) if chosen else None)


def combined_government_period(
    codes: Sequence[str], months: int | None = None, *, statutory: Statutory = None
) -> tuple[Measure, int | None]:
    """政务处分法 第十条: the heaviest sanction is executed; for several equal ones below 撤职 the period is
    chosen between the longest and the sum of the periods, and never beyond 48 months."""
    cap = int(statutory["gov_combined_max"]) if statutory and "gov_combined_max" in statutory else MAX_COMBINED_MONTHS
    measures = [measure(c) for c in codes]
    if not measures or any(m.kind is not Kind.GOVERNMENT for m in measures):
        raise RuleBroken("合并执行只适用于政务处分。")
    heaviest = max(measures, key=lambda m: m.severity)
    same = [m for m in measures if m.code == heaviest.code]
    heaviest_months = _statutory_months(heaviest, statutory)
    if heaviest_months is None:
        return heaviest, None
    if len(same) == 1 or heaviest.code == "gov_dismissal_from_post":
        return heaviest, heaviest_months
    low, high = heaviest_months, min(heaviest_months * len(same), cap)
    chosen = high if months is None else months
    if not low <= chosen <= high:
        raise RuleBroken(
            f"{len(same)}个{heaviest.label}合并执行，期间应在 {low} 个月以上、{high} 个月以下"
            f"（最长不超过 {cap} 个月）。"
        )
    return heaviest, chosen


# --- who may decide ----------------------------------------------------------------------------------------


class Body(StrEnum):
    """Who decides a party sanction on a township matter (乡案县审)."""

    TOWNSHIP_COMMITTEE = "township_committee"  # 乡镇纪委
    TOWNSHIP_PARTY_COMMITTEE = "township_party_committee"  # 乡镇党委
    COUNTY = "county"  # 县（市）纪委监委 / 县委


BODY_LABELS = {
    Body.TOWNSHIP_COMMITTEE: "乡镇（街道）纪委",
    Body.TOWNSHIP_PARTY_COMMITTEE: "乡镇（街道）党委",
    Body.COUNTY: "县级纪委监委",
}
BODY_RANK = {Body.TOWNSHIP_COMMITTEE: 1, Body.TOWNSHIP_PARTY_COMMITTEE: 2, Body.COUNTY: 3}


def required_body(code: str, *, complex_case: bool) -> Body:
    """The lowest body that may approve this party sanction on a township matter."""
    m = measure(code)
    if m.kind is not Kind.PARTY:
        raise RuleBroken(f"{m.label}不是党纪处分；乡镇审批权限只对党纪处分作出规定。")
    if complex_case or code == "party_expulsion":
        return Body.COUNTY
    if code in ("party_warning", "party_serious_warning"):
        return Body.TOWNSHIP_COMMITTEE
    return Body.TOWNSHIP_PARTY_COMMITTEE  # up to 留党察看


def check_authority(code: str, body: Body, *, complex_case: bool) -> None:
    needed = required_body(code, complex_case=complex_case)
    if BODY_RANK[body] < BODY_RANK[needed]:
        why = "复杂案件" if complex_case else measure(code).label
        raise RuleBroken(f"{why}须由{BODY_LABELS[needed]}批准，{BODY_LABELS[body]}无权决定。")


def check_for_person(codes: Iterable[str], *, is_village_cadre: bool, is_party_member: bool) -> None:
    """What can be given to this person at all."""
    for code in codes:
        m = measure(code)
        if m.kind is Kind.PARTY and not is_party_member:
            raise RuleBroken(f"被处理人不是中共党员，不能给予{m.label}。")
        if is_village_cadre and m.kind is Kind.GOVERNMENT and code not in VILLAGE_CADRE_GOVERNMENT:
            raise RuleBroken(f"对村（社区）干部，监察机关只能给予警告、记过、记大过，不能给予{m.label}。")


def form_of(codes: Iterable[str]) -> Form | None:
    """The 四种形态 of an outcome: the heaviest of its measures (None for a withdrawn case alone)."""
    measures = [measure(c) for c in codes]
    if not measures:
        raise RuleBroken("处理结果至少包括一项处理方式。")
    forms = [m.form for m in measures if m.form is not None]
    return max(forms) if forms else None


# --- the end of a term (处分期满) ----------------------------------------------------------------------

# What the end of each period demands (the values of ``models.FollowUpKind``).
PROBATION_END = "probation"
GOVERNMENT_END = "government"
PARTY_LAPSE_END = "party_lapse"
NO_DUTY_END = "none"

FOLLOW_UP_RULES = {
    PROBATION_END: (
        "中国共产党纪律处分条例：留党察看期间确有悔改表现的，期满后恢复其党员权利；坚持不改或者又发现其他应当受到"
        "党纪处分的违纪行为的，应当开除党籍。受到留党察看一年的党员，期满后仍不符合恢复党员权利条件的，应当延长"
        "一年留党察看期限，最长不得超过二年。恢复党员权利后二年内，不得在党内担任和向党外组织推荐担任与其原任职务"
        "相当或者高于其原任职务的职务。"
    ),
    GOVERNMENT_END: (
        "公职人员政务处分法：受到警告、记过、记大过、降级、撤职政务处分的，政务处分期满后自动解除；"
        "解除降级、撤职政务处分的，不恢复原级别、原职务。政务处分期自政务处分决定生效之日起计算（第八条）。"
    ),
    PARTY_LAPSE_END: (
        "中国共产党纪律处分条例：受到警告处分一年内、严重警告处分一年半内，不得在党内提升职务和向党外组织推荐担任"
        "高于其原任职务的党外职务；受到撤销党内职务处分的，二年内不得在党内担任和向党外组织推荐担任与其原任职务"
        "相当或者高于其原任职务的职务。影响期满，无需另行作出决定。"
    ),
    NO_DUTY_END: "中国共产党纪律处分条例：党员受到开除党籍处分，五年内不得重新入党。期满无需办理。",
}

# 留党察看 extended once by a year, to two years at most; rights restored open a 2-year 影响期.
PROBATION_EXTENSION_MONTHS = 12
RESTORED_LAPSE_MONTHS = 24


def end_duty(code: str) -> str:
    """What the end of this sanction's period demands (one of the ``*_END`` values)."""
    m = measure(code)
    if code == "party_probation":
        return PROBATION_END
    if code == "party_expulsion":
        return NO_DUTY_END
    if m.kind is Kind.PARTY:
        return PARTY_LAPSE_END
    if m.kind is Kind.GOVERNMENT and m.months is not None:
        return GOVERNMENT_END
    raise RuleBroken(f"{m.label}没有处分期间。")


def takes_months(codes: Sequence[str]) -> bool:
    """Whether a chosen period applies to these sanctions, as ``periods_of`` reads them: 留党察看 (one or
    two years), or several equal government sanctions below 撤职 combined (政务处分法 第十条). Every other
    period is statutory, so a period typed for it means nothing and is not kept."""
    measures = [measure(c) for c in dict.fromkeys(c for c in codes if c)]
    if any(m.months_options for m in measures):
        return True
    government = [m for m in measures if m.kind is Kind.GOVERNMENT]
    if len(government) < 2:
        return False
    heaviest = max(government, key=lambda m: m.severity)
    same = [m for m in government if m.code == heaviest.code]
    return len(same) > 1 and heaviest.months is not None and heaviest.code != "gov_dismissal_from_post"


def periods_of(
    codes: Sequence[str], start: date, months: int | None = None, *, statutory: Statutory = None
) -> list[dict[str, Any]]:
    """The periods a set of sanctions runs from ``start``, as ``PersonDecision.periods`` stores them
    (``{"code", "label", "months", "start", "end"}``, dates in ISO): each party sanction with a period
    (开除党籍: the 5-year bar), and the government sanctions — one, or several combined under 政务处分法
    第十条. Periods without an end (开除) are left out.

    The same computation as the cases app's ``evaluate`` (a test holds the two together); used to register
    the sanction an appeal changed, which carries no authority check of its own.
    """
    measures = [measure(c) for c in dict.fromkeys(c for c in codes if c)]
    government = [m.code for m in measures if m.kind is Kind.GOVERNMENT]
    out: list[dict[str, Any]] = []

    def add(code: str, label: str, chosen: int | None, end: date | None) -> None:
        if end is not None:
            out.append(
                {"code": code, "label": label, "months": chosen, "start": start.isoformat(), "end": end.isoformat()}
            )

    if len(government) > 1:
        heaviest, chosen = combined_government_period(government, months, statutory=statutory)
        add(heaviest.code, f"{heaviest.label}（合并执行）", chosen, plus_months(start, chosen) if chosen else None)
    for m in measures:
        if m.months is None and m.code != "party_expulsion":
            continue
        if len(government) > 1 and m.kind is Kind.GOVERNMENT:
            continue
        period = period_of(m.code, start, months=months if m.months_options else None, statutory=statutory)
        label = "开除党籍（五年内不得重新入党）" if m.code == "party_expulsion" else m.label
        add(m.code, label, period.months, period.end)
    return out
