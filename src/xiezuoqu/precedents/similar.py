"""类案参考: for a drafted decision, the outcomes of the most similar decided cases (DESIGN §7, issue 15).

Explainable by construction: a candidate's score is a weighted sum of six features, each contribution
is kept with the sentence that states it ("同为第102条；金额相近（3.2万 vs 2.8万）；同为村（社区）干部"),
and the weights are the table below (ADR 0026). No model is trained; nothing is hidden in the ranking.

- 违反条款 (the articles of 纪律处分条例): the share of articles the two cases have in common (Jaccard).
- 涉案金额: 1 − |log10 a − log10 b|, not below 0 — equal amounts score 1, amounts ten times apart 0.
- 职级: the same level 1, a neighbouring level ½ (村（社区）干部 < 科级以下 < 乡科级 < 县处级).
- 情节: the share of circumstances (从轻、从重) in common; two cases without any are alike.
- 问题类别: the same category 1.
- 四种形态: the same form as the draft's outcome 1 (weighted lightly: it is the outcome, not a fact).

A feature the draft does not have (no amount, no outcome chosen yet) is left out of the score and of the
denominator, so a score is always "how alike on what we know", in 0…1.

Where the candidates come from: the approved decisions of the drafter's commission and of the
commissions below it, pre-filtered on one index — ``CaseFactKey (key, commission, decided_on, facts)``
with the draft's category and articles as keys — bounded to ``CANDIDATE_LIMIT`` (those sharing the
most keys, then the most recently decided) before any facts or decision row is read; the score is
computed in Python over that set.

Scope: every candidate is scored and every case of the similar set is counted in the distribution, but
only cases the drafter may see (``cases_visible_to``) are listed with their number, subject, features
and link. Reading the guidance is recorded in the audit chain (``case.similar_viewed`` on the drafted
case, and ``case.viewed`` for each case listed).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Max
from django.http import HttpRequest

from xiezuoqu.access.actor import Actor
from xiezuoqu.audit.services import record_event, record_view
from xiezuoqu.cases.models import Case, DecisionState, PersonDecision
from xiezuoqu.cases.selectors import cases_visible_to
from xiezuoqu.clues.models import Rank
from xiezuoqu.errors import ValidationFailed
from xiezuoqu.intake.models import Category
from xiezuoqu.org.models import Commission
from xiezuoqu.sanctions.rules import MEASURES, RuleBroken, form_of

from .models import CaseFactKey, CaseFacts, Circumstance
from .services import keys_of, rank_of

# The weights of the features (they add up to 1).
WEIGHTS: dict[str, float] = {
    "articles": 0.30,
    "amount": 0.20,
    "rank": 0.15,
    "circumstances": 0.15,
    "category": 0.10,
    "form": 0.10,
}
MIN_SCORE = 0.35  # below this a candidate is not "similar" and is not counted
SIMILAR_SET = 30  # the distribution is over at most this many nearest cases
CANDIDATE_LIMIT = 500  # pre-filtered decisions scored: most keys in common, then most recent
SHOWN = 3  # the closest visible cases listed with their features
FAR_SHARE = 0.8  # the draft is "far from the usual" when heavier (lighter) than this share
MIN_FOR_NOTE = 5  # …and only when there are at least this many similar cases

RANK_ORDER: dict[str, int] = {Rank.VILLAGE: 0, Rank.CLERK: 1, Rank.SECTION: 2, Rank.COUNTY: 3}
RANK_LABELS = dict(Rank.choices)
CATEGORY_LABELS = dict(Category.choices)
CIRCUMSTANCE_SHORT: dict[str, str] = {
    Circumstance.CONFESSED: "主动交代",
    Circumstance.COOPERATED: "配合审查",
    Circumstance.REPORTED_OTHERS: "检举他人",
    Circumstance.RECOVERED_LOSSES: "挽回损失",
    Circumstance.RETURNED_GAINS: "退赔违纪所得",
    Circumstance.MERITORIOUS: "立功表现",
    Circumstance.COERCED_OTHERS: "唆使他人",
    Circumstance.REFUSED_RETURN: "拒不退赔",
    Circumstance.REPEATED: "受处分后再犯",
    Circumstance.OBSTRUCTED: "串供毁证",
    Circumstance.RETALIATED: "打击报复",
    Circumstance.LIED: "对抗审查",
}
FORM_NAMES = {1: "第一种形态", 2: "第二种形态", 3: "第三种形态", 4: "第四种形态"}

# How heavy an outcome is, across kinds, to say whether a draft is heavier or lighter than the usual:
# the heaviest of its measures on one ladder (第一种形态 < 党纪轻处分/政务处分 < 重处分 < 开除 < 移送).
GRAVITY: dict[str, int] = {
    "case_withdrawn": 0,
    "talk_reminder": 1,
    "criticism": 2,
    "self_examination": 3,
    "admonition": 4,
    "party_warning": 5,
    "gov_warning": 5,
    "suspension": 6,
    "gov_demerit": 6,
    "reassignment": 6,
    "party_serious_warning": 7,
    "gov_major_demerit": 7,
    "party_removal": 8,
    "gov_demotion": 8,
    "ordered_resignation": 8,
    "removal_from_office": 8,
    "demotion_in_post": 9,
    "gov_dismissal_from_post": 9,
    "party_probation": 10,  # two years: 11
    "party_expulsion": 12,
    "gov_expulsion": 12,
    "to_procuratorate": 13,
}


def gravity_of(codes: Sequence[str], months: int | None = None) -> int:
    values = [GRAVITY.get(c, 0) + (1 if c == "party_probation" and months == 24 else 0) for c in codes]
    return max(values, default=0)


def outcome_label(codes: Sequence[str]) -> str:
    return "、".join(MEASURES[c].label if c in MEASURES else c for c in codes) or "（未选处理方式）"


def form_name(form: int | None) -> str:
    return FORM_NAMES.get(form or 0, "不属于四种形态")


def yuan(amount: Decimal | None) -> str:
    """3.2万 for amounts from ten thousand yuan, 8,500元 below."""
    if amount is None:
        return "未登记"
    if amount >= 10000:
        return f"{(amount / 10000).quantize(Decimal('0.1')).normalize():f}万"
    return f"{amount.quantize(Decimal('1')):,}元"


def articles_text(articles: Sequence[int]) -> str:
    return "第" + "、".join(str(a) for a in articles) + "条" if articles else ""


# --- the draft and the candidates ---------------------------------------------------------------------


@dataclass(frozen=True)
class Features:
    category: str
    rank: str
    articles: tuple[int, ...]
    amount: Decimal | None
    circumstances: frozenset[str]
    codes: tuple[str, ...]
    months: int | None
    form: int | None


@dataclass(frozen=True)
class Draft:
    """The decision being drafted: its case's facts and the outcome chosen so far."""

    case_id: int | None
    commission_id: int
    features: Features
    facts: CaseFacts | None = None

    @property
    def has_facts(self) -> bool:
        return self.facts is not None


@dataclass(frozen=True)
class Candidate:
    case_id: int
    decided_on: date | None
    features: Features


@dataclass(frozen=True)
class Reason:
    feature: str
    points: float  # the contribution to the score, 0…1 of the whole
    text: str


@dataclass(frozen=True)
class Scored:
    candidate: Candidate
    score: float
    reasons: tuple[Reason, ...]


def _jaccard(a: frozenset[Any] | set[Any], b: frozenset[Any] | set[Any]) -> float:
    union = a | b
    return len(a & b) / len(union) if union else 1.0


def score(draft: Features, other: Features, *, explain: bool = True) -> tuple[float, list[Reason]]:
    """The weighted similarity of ``other`` to ``draft`` in 0…1, and the contribution of each feature
    (with its sentence when ``explain``: the ranking of thousands of candidates skips the wording)."""
    parts: list[tuple[str, float, str]] = []  # (feature, closeness 0…1, sentence)
    applicable: list[str] = ["articles", "rank", "circumstances", "category"]
    if draft.articles:
        common = sorted(set(draft.articles) & set(other.articles))
        closeness = _jaccard(set(draft.articles), set(other.articles))
        parts.append(("articles", closeness, f"同为{articles_text(common)}" if common and explain else ""))
    else:
        applicable.remove("articles")
    if draft.amount is not None:
        applicable.append("amount")
        if other.amount is not None:
            a, b = max(float(draft.amount), 1.0), max(float(other.amount), 1.0)
            closeness = max(0.0, 1.0 - abs(math.log10(a) - math.log10(b)))
            near = closeness >= 0.5 and explain
            text = f"金额相近（{yuan(draft.amount)} vs {yuan(other.amount)}）" if near else ""
            parts.append(("amount", closeness, text))
    if draft.rank == other.rank:
        parts.append(("rank", 1.0, f"同为{RANK_LABELS.get(draft.rank, draft.rank)}" if explain else ""))
    elif (
        draft.rank in RANK_ORDER
        and other.rank in RANK_ORDER
        and abs(RANK_ORDER[draft.rank] - RANK_ORDER[other.rank]) == 1
    ):
        text = f"职级相邻（{RANK_LABELS[draft.rank]} / {RANK_LABELS[other.rank]}）" if explain else ""
        parts.append(("rank", 0.5, text))
    closeness = _jaccard(draft.circumstances, other.circumstances)
    if closeness:
        common_c = sorted(draft.circumstances & other.circumstances) if explain else []
        if not explain:
            text = ""
        elif common_c:
            text = "均有" + "、".join(CIRCUMSTANCE_SHORT.get(c, c) for c in common_c) + "情节"
        else:
            text = "均无从轻、从重情节"
        parts.append(("circumstances", closeness, text))
    if draft.category == other.category:
        text = f"同为{CATEGORY_LABELS.get(draft.category, draft.category)}问题" if explain else ""
        parts.append(("category", 1.0, text))
    if draft.codes:
        applicable.append("form")
        if draft.form == other.form:
            parts.append(("form", 1.0, f"同为{form_name(draft.form)}" if explain else ""))
    total = sum(WEIGHTS[f] for f in applicable)
    reasons = [Reason(f, WEIGHTS[f] * c / total, text) for f, c, text in parts if c > 0]
    return sum(r.points for r in reasons), reasons


def commission_and_below(commission_id: int) -> list[int]:
    """The commission and every commission below it (a city's counties, a province's cities and theirs)."""
    ids, frontier = [commission_id], [commission_id]
    while frontier:
        found = Commission.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
        frontier = [pk for pk in found if pk not in ids]
        ids += frontier
    return ids


def _codes(value: Sequence[str]) -> tuple[str, ...]:
    codes = tuple(dict.fromkeys(c for c in value if c))
    unknown = [c for c in codes if c not in MEASURES]
    if unknown:
        raise ValidationFailed(f"未知的处理方式“{unknown[0][:30]}”。", field_errors={"codes": ["处理方式有误。"]})
    return codes


def draft_for_case(case: Case, *, codes: Sequence[str] | None = None, months: int | None = None) -> Draft:
    """The draft of ``case`` (read through the funnel by the caller): its recorded facts, and the outcome
    typed in the decision form (``codes``) or else that of its live decision (报批中 or 已批准)."""
    facts = CaseFacts.objects.filter(case=case).first()
    if codes is None:
        live = (
            PersonDecision.objects.filter(case=case, state__in=[DecisionState.PROPOSED, DecisionState.APPROVED])
            .order_by("-id")
            .first()
        )
        codes, months = (live.codes, live.months) if live else ((), None)
    chosen = _codes(codes)
    try:
        form = form_of(chosen) if chosen else None
    except RuleBroken as exc:
        raise ValidationFailed(str(exc)) from None
    features = Features(
        category=facts.category if facts else case.clue.category,
        rank=facts.rank if facts else rank_of(case),
        articles=tuple(facts.articles) if facts else (),
        amount=facts.amount if facts else None,
        circumstances=frozenset(facts.circumstances) if facts else frozenset(),
        codes=chosen,
        months=months,
        form=int(form) if form is not None else None,
    )
    return Draft(case.pk, case.commission_id, features, facts)


def candidate_key_query(draft: Draft, commission_ids: Sequence[int], *, limit: int = CANDIDATE_LIMIT) -> Any:
    """Step 1: the facts of ``limit`` decided cases of these commissions that share the draft's category or
    an article — those sharing the most keys first, then the most recently decided — read from the
    (key, commission, decided_on, facts) index alone."""
    keys = keys_of(draft.features.category, draft.features.articles)
    return (
        CaseFactKey.objects.filter(key__in=keys, commission_id__in=list(commission_ids), decided_on__isnull=False)
        .values("facts_id")
        .annotate(hits=Count("id"), last=Max("decided_on"))
        .order_by("-hits", "-last", "-facts_id")
        .values_list("facts_id", flat=True)[:limit]
    )


def candidate_query(draft: Draft, fact_ids: Sequence[int]) -> Any:
    """Step 2: those cases' facts and their approved decision (the outcome as it stands today)."""
    return (
        PersonDecision.objects.filter(state=DecisionState.APPROVED, case__facts__in=list(fact_ids))
        .exclude(case_id=draft.case_id)
        .order_by()
        .values_list(
            "case_id",
            "decided_on",
            "codes",
            "months",
            "form",
            "case__facts__category",
            "case__facts__rank",
            "case__facts__articles",
            "case__facts__amount",
            "case__facts__circumstances",
        )
    )


def candidates(draft: Draft, commission_ids: Sequence[int], *, limit: int = CANDIDATE_LIMIT) -> list[Candidate]:
    fact_ids = list(candidate_key_query(draft, commission_ids, limit=limit))
    if not fact_ids:
        return []
    return [
        Candidate(
            case_id,
            decided_on,
            Features(
                category, rank, tuple(articles or ()), amount, frozenset(circ or ()), tuple(codes or ()), months, form
            ),
        )
        for case_id, decided_on, codes, months, form, category, rank, articles, amount, circ in candidate_query(
            draft, fact_ids
        )
    ]


def rank_candidates(draft: Draft, pool: Sequence[Candidate]) -> list[Scored]:
    """Every candidate scored, the nearest first (ties: the more recent decision first)."""
    scored = []
    for candidate in pool:
        value, reasons = score(draft.features, candidate.features, explain=False)
        scored.append(Scored(candidate, value, tuple(reasons)))
    scored.sort(key=lambda s: (-s.score, -(s.candidate.decided_on or date.min).toordinal(), -s.candidate.case_id))
    return scored


# --- the guidance ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    label: str
    count: int
    percent: int


@dataclass(frozen=True)
class Neighbour:
    """One of the closest cases the drafter may see, with the features that made it similar."""

    case: Case
    score: float
    reasons: tuple[Reason, ...]
    features: Features
    decided_on: date | None

    @property
    def percent(self) -> int:
        return round(self.score * 100)

    @property
    def outcome(self) -> str:
        return outcome_label(self.features.codes)

    @property
    def form_name(self) -> str:
        return form_name(self.features.form)

    @property
    def reason_text(self) -> str:
        return "；".join(r.text for r in self.reasons if r.text)


@dataclass
class Guidance:
    draft: Draft
    candidates: int
    similar: int
    visible: int
    forms: list[Share] = field(default_factory=list)
    measures: list[Share] = field(default_factory=list)
    closest: list[Neighbour] = field(default_factory=list)
    heavier_than: int = 0  # % of the similar cases lighter than the draft
    lighter_than: int = 0  # % heavier than the draft
    note: str = ""

    @property
    def hidden(self) -> int:
        return self.similar - self.visible

    @property
    def draft_outcome(self) -> str:
        return outcome_label(self.draft.features.codes)

    @property
    def draft_form(self) -> str:
        return form_name(self.draft.features.form) if self.draft.features.codes else ""

    @property
    def draft_facts(self) -> list[tuple[str, str]]:
        f = self.draft.features
        circumstances = "、".join(CIRCUMSTANCE_SHORT.get(c, c) for c in sorted(f.circumstances)) or "无"
        return [
            ("违反条款", articles_text(f.articles) or "未登记"),
            ("涉案金额", yuan(f.amount)),
            ("职级", RANK_LABELS.get(f.rank, f.rank)),
            ("问题类别", CATEGORY_LABELS.get(f.category, f.category)),
            ("情节", circumstances),
        ]

    def as_json(self) -> dict[str, Any]:
        return {
            "draft": {
                "codes": list(self.draft.features.codes),
                "outcome": self.draft_outcome,
                "form": self.draft.features.form,
                "has_facts": self.draft.has_facts,
                "facts": dict(self.draft_facts),
            },
            "candidates": self.candidates,
            "similar": self.similar,
            "visible": self.visible,
            "hidden": self.hidden,
            "forms": [s.__dict__ for s in self.forms],
            "measures": [s.__dict__ for s in self.measures],
            "closest": [
                {
                    "case_id": n.case.pk,
                    "case_number": n.case.case_number,
                    "subject": n.case.subject.name,
                    "commission": n.case.commission.name,
                    "decided_on": n.decided_on,
                    "outcome": n.outcome,
                    "codes": list(n.features.codes),
                    "form": n.features.form,
                    "score": round(n.score, 3),
                    "reasons": [
                        {"feature": r.feature, "points": round(r.points, 3), "text": r.text} for r in n.reasons
                    ],
                }
                for n in self.closest
            ],
            "heavier_than_percent": self.heavier_than,
            "lighter_than_percent": self.lighter_than,
            "note": self.note,
        }


def _shares(counter: Counter[str], total: int) -> list[Share]:
    return [Share(label, n, round(100 * n / total)) for label, n in counter.most_common()] if total else []


def guidance(actor: Actor, draft: Draft) -> Guidance:
    """The similar cases of a draft, with the details only of those ``actor`` may see."""
    pool = candidates(draft, commission_and_below(draft.commission_id))
    similar = [s for s in rank_candidates(draft, pool) if s.score >= MIN_SCORE][:SIMILAR_SET]
    ids = [s.candidate.case_id for s in similar]
    visible = (
        {c.pk: c for c in cases_visible_to(actor).filter(pk__in=ids).select_related("subject", "commission")}
        if ids
        else {}
    )
    result = Guidance(draft, len(pool), len(similar), sum(1 for i in ids if i in visible))
    forms: Counter[str] = Counter(form_name(s.candidate.features.form) for s in similar)
    measures: Counter[str] = Counter(
        MEASURES[c].label for s in similar for c in dict.fromkeys(s.candidate.features.codes) if c in MEASURES
    )
    result.forms, result.measures = _shares(forms, len(similar)), _shares(measures, len(similar))
    shown = [s for s in similar if s.candidate.case_id in visible][:SHOWN]
    result.closest = [
        Neighbour(
            visible[s.candidate.case_id],
            s.score,
            tuple(score(draft.features, s.candidate.features)[1]),
            s.candidate.features,
            s.candidate.decided_on,
        )
        for s in shown
    ]
    if similar and draft.features.codes:
        mine = gravity_of(draft.features.codes, draft.features.months)
        theirs = [gravity_of(s.candidate.features.codes, s.candidate.features.months) for s in similar]
        result.heavier_than = round(100 * sum(1 for g in theirs if g < mine) / len(theirs))
        result.lighter_than = round(100 * sum(1 for g in theirs if g > mine) / len(theirs))
        usual = measures.most_common(1)[0][0] if measures else ""
        if len(similar) >= MIN_FOR_NOTE and result.heavier_than >= FAR_SHARE * 100:
            result.note = (
                f"拟处理意见（{result.draft_outcome}）重于 {result.heavier_than}% 的类似案件"
                f"（类似案件最常见的是{usual}），请核实从重、加重情节及其依据。"
            )
        elif len(similar) >= MIN_FOR_NOTE and result.lighter_than >= FAR_SHARE * 100:
            result.note = (
                f"拟处理意见（{result.draft_outcome}）轻于 {result.lighter_than}% 的类似案件"
                f"（类似案件最常见的是{usual}），请核实从轻、减轻情节及其依据。"
            )
    return result


def similar_cases_for(
    actor: Actor,
    case: Case,
    *,
    codes: Sequence[str] | None = None,
    months: int | None = None,
    request: HttpRequest | None = None,
) -> Guidance:
    """类案参考 of a case the caller read through the funnel, recorded as a sensitive read: one event on
    the drafted case (what was listed, how many were counted) and ``case.viewed`` for each case listed."""
    draft = draft_for_case(case, codes=codes, months=months)
    result = guidance(actor, draft)
    with transaction.atomic():
        record_event(
            actor=actor,
            action="case.similar_viewed",
            target=case,
            detail={
                "codes": list(draft.features.codes),
                "listed": [n.case.pk for n in result.closest],
                "similar": result.similar,
                "counted_only": result.hidden,
            },
            request=request,
        )
        for n in result.closest:
            record_view(
                actor=actor, target=n.case, request=request, detail={"via": "similar_cases", "for_case": case.pk}
            )
    return result
