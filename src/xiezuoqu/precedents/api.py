"""The 类案参考 API: a case's similar-case guidance (the same scope and audit as the page) and the
recording of its facts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.cases.selectors import get_case_for
from xiezuoqu.errors import NotFound

from . import services
from .similar import similar_cases_for

router = Router(tags=["precedents"])


def _actor(request: HttpRequest) -> Actor:
    actor = actor_for(request.user)
    if not actor.is_staff_worker or actor.is_admin:
        raise NotFound()
    return actor


class SimilarGuidanceQuery(Schema):
    codes: list[str] | None = Field(None, description="拟处理方式代码（可重复）；不填则取本案报批中或已批准的处理决定")
    months: int | None = Field(None, ge=1, le=48, description="留党察看或合并执行的期限（月）")


class SimilarShareOut(Schema):
    label: str
    count: int
    percent: int


class SimilarReasonOut(Schema):
    feature: str
    points: float
    text: str


class SimilarNeighbourOut(Schema):
    case_id: int
    case_number: str
    subject: str
    commission: str
    decided_on: date | None
    outcome: str
    codes: list[str]
    form: int | None
    score: float
    reasons: list[SimilarReasonOut]


class SimilarDraftOut(Schema):
    codes: list[str]
    outcome: str
    form: int | None
    has_facts: bool
    facts: dict[str, str]


class SimilarGuidanceOut(Schema):
    draft: SimilarDraftOut
    candidates: int
    similar: int
    visible: int
    hidden: int = Field(description="相似但不在查看范围内的案件数：只计入分布")
    forms: list[SimilarShareOut]
    measures: list[SimilarShareOut]
    closest: list[SimilarNeighbourOut]
    heavier_than_percent: int
    lighter_than_percent: int
    note: str


class CaseFactsIn(Schema):
    articles: list[int] = Field(default_factory=list, description="纪律处分条例条号")
    amount: Decimal | None = Field(None, description="涉案金额（元）")
    circumstances: list[str] = Field(default_factory=list)


class CaseFactsOut(Schema):
    case_id: int
    category: str
    rank: str
    articles: list[int]
    amount: Decimal | None
    circumstances: list[str]


@router.get("/cases/{case_id}/similar", response=SimilarGuidanceOut)
def case_guidance(request: HttpRequest, case_id: int, query: Query[SimilarGuidanceQuery]) -> dict[str, Any]:
    actor = _actor(request)
    case = get_case_for(actor, case_id)
    return similar_cases_for(actor, case, codes=query.codes, months=query.months, request=request).as_json()


@router.put("/cases/{case_id}/facts", response=CaseFactsOut)
def record_facts(request: HttpRequest, case_id: int, payload: CaseFactsIn) -> dict[str, Any]:
    actor = _actor(request)
    facts = services.record_case_facts(
        actor=actor,
        case_id=case_id,
        data=services.FactsInput(articles=payload.articles, amount=payload.amount, circumstances=payload.circumstances),
        request=request,
    )
    return {
        "case_id": facts.case_id,
        "category": facts.category,
        "rank": facts.rank,
        "articles": facts.articles,
        "amount": facts.amount,
        "circumstances": facts.circumstances,
    }
