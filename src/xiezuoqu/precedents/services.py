"""The one write of similar-case guidance: recording a case's facts (案情要素).

One transaction: the case is read through the funnel and locked, the actor must be the trial office or
the investigation side of the case, the facts and their searchable keys are replaced together, and the
audit event carries the old and the new values.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from xiezuoqu.access.actor import Actor
from xiezuoqu.approvals.matters import CASE_SANCTION, on_final_decision
from xiezuoqu.approvals.models import ApprovalRequest
from xiezuoqu.approvals.workflow import State as ApprovalState
from xiezuoqu.audit.services import record_event
from xiezuoqu.cases.models import Case, DecisionState, PersonDecision
from xiezuoqu.cases.selectors import get_case_for, may_investigate, may_trial
from xiezuoqu.clues.models import Rank
from xiezuoqu.errors import NotPermitted, ValidationFailed

from .models import MAX_ARTICLE, CaseFactKey, CaseFacts, Circumstance

MAX_AMOUNT = Decimal("999999999999.99")
_NUMBER = re.compile(r"\d{1,6}", re.ASCII)  # bounded: a run of thousands of digits is a refusal, not int() failing


@dataclass(frozen=True)
class FactsInput:
    articles: str | Sequence[int] = ""  # "第102条、第110条", "102 110" or a list of numbers
    amount: str | Decimal | None = None  # yuan; "3.2万" is read as 32000
    circumstances: Sequence[str] = field(default_factory=tuple)


def parse_articles(value: str | Sequence[int]) -> list[int]:
    """The article numbers of 纪律处分条例 a case was judged under, sorted, each once."""
    numbers = [int(n) for n in _NUMBER.findall(value)] if isinstance(value, str) else [int(n) for n in value]
    wrong = [n for n in numbers if not 1 <= n <= MAX_ARTICLE]
    if wrong:
        raise ValidationFailed(
            f"纪律处分条例共 {MAX_ARTICLE} 条，没有第 {wrong[0]} 条；请填写条号，如“第102条、第110条”。",
            field_errors={"articles": ["条号有误。"]},
        )
    if len(set(numbers)) > 10:
        raise ValidationFailed("违反条款最多填写 10 条。", field_errors={"articles": ["条款过多。"]})
    return sorted(set(numbers))


def parse_amount(value: str | Decimal | None) -> Decimal | None:
    """涉案金额 in yuan (two places), or None when not given; "3.2万" means 32,000 yuan."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip().replace(",", "").replace("，", "").removesuffix("元")
    scale = Decimal(1)
    if text.endswith("万"):
        text, scale = text[:-1], Decimal(10000)
    try:
        amount = (Decimal(text) * scale).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(
            "涉案金额应填写数字（单位：元），如 32000 或 3.2万。", field_errors={"amount": ["请填写数字金额。"]}
        ) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationFailed("涉案金额不能为负数。", field_errors={"amount": ["不能为负数。"]})
    if amount > MAX_AMOUNT:
        raise ValidationFailed("涉案金额过大，请核对。", field_errors={"amount": ["金额过大。"]})
    return amount


def parse_circumstances(values: Sequence[str]) -> list[str]:
    unknown = [v for v in values if v not in Circumstance.values]
    if unknown:
        raise ValidationFailed(f"未知的情节“{unknown[0][:20]}”。", field_errors={"circumstances": ["情节有误。"]})
    return sorted(set(values))


def rank_of(case: Case) -> str:
    """The subject's role level for the comparison: a village cadre is one whatever the 职级 field says."""
    return Rank.VILLAGE if case.subject.is_village_cadre else case.subject.rank


def keys_of(category: str, articles: Sequence[int]) -> list[str]:
    return [f"c:{category}", *(f"a:{a}" for a in articles)]


def decided_on_of(case_id: int) -> date | None:
    """The approval date of the case's decision in force (none while it is only proposed)."""
    return (
        PersonDecision.objects.filter(case_id=case_id, state=DecisionState.APPROVED)
        .order_by("-id")
        .values_list("decided_on", flat=True)
        .first()
    )


@on_final_decision(CASE_SANCTION.slug)
def _decision_decided(approval: ApprovalRequest, outcome: str) -> None:
    """A decision approved (in its approval's transaction, after the cases app has applied it): the case's
    facts become a candidate for the guidance of later drafts, dated by the decision."""
    if outcome != ApprovalState.APPROVED:
        return
    decision = (
        PersonDecision.objects.filter(approval_id=approval.pk, state=DecisionState.APPROVED)
        .values("case_id", "decided_on")
        .first()
    )
    if decision is not None:
        CaseFactKey.objects.filter(facts__case_id=decision["case_id"]).update(decided_on=decision["decided_on"])


def _snapshot(facts: CaseFacts | None) -> dict[str, Any]:
    if facts is None:
        return {"articles": None, "amount": None, "circumstances": None}
    return {
        "articles": facts.articles,
        "amount": None if facts.amount is None else str(facts.amount),
        "circumstances": facts.circumstances,
    }


def record_case_facts(*, actor: Actor, case_id: Any, data: FactsInput, request: HttpRequest | None = None) -> CaseFacts:
    """登记案情要素: the trial office or the investigation side records the articles, the amount and the
    circumstances of a case; its category and the subject's level are copied from the case."""
    articles = parse_articles(data.articles)
    amount = parse_amount(data.amount)
    circumstances = parse_circumstances(list(data.circumstances))
    with transaction.atomic():
        case = get_case_for(actor, case_id)
        if not (may_trial(actor, case) or may_investigate(actor, case)):
            raise NotPermitted("案情要素由案件审理室或本案审查调查人员登记。")
        Case.objects.select_for_update().filter(pk=case.pk).values_list("pk", flat=True).first()
        facts = CaseFacts.objects.filter(case=case).first()
        before = _snapshot(facts)
        if facts is None:
            facts = CaseFacts(case=case)
        facts.commission_id = case.commission_id
        facts.category = case.clue.category
        facts.rank = rank_of(case)
        facts.articles = articles
        facts.amount = amount
        facts.circumstances = circumstances
        assert actor.user_id is not None
        facts.recorded_by_id = actor.user_id
        facts.save()
        CaseFactKey.objects.filter(facts=facts).delete()
        # Facts corrected after the decision was approved keep the case a candidate, dated by that decision.
        decided_on = decided_on_of(case.pk)
        CaseFactKey.objects.bulk_create(
            [
                CaseFactKey(facts=facts, commission_id=case.commission_id, key=k, decided_on=decided_on)
                for k in keys_of(facts.category, articles)
            ]
        )
        after = _snapshot(facts)
        record_event(
            actor=actor,
            action="case.facts_recorded",
            target=case,
            changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
            request=request,
        )
    return facts
