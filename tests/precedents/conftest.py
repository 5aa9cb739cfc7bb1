"""Helpers for the 类案参考 tests: a case ready for its decision (the case tests' 复审 done), and past
decided cases written straight to the tables — in the same commission, in a commission below it, and in
one beside it — each with its facts."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.utils import timezone

from tests.cases.conftest import second_reviewed
from tests.factories import make_unit
from xiezuoqu.accounts.models import User
from xiezuoqu.approvals.models import ApprovalRequest
from xiezuoqu.cases.models import Case, DecisionState, PersonDecision
from xiezuoqu.cases.workflow import State
from xiezuoqu.clues.models import Clue, Rank, Subject
from xiezuoqu.org.models import Commission, Unit
from xiezuoqu.precedents.models import CaseFactKey, CaseFacts
from xiezuoqu.precedents.services import decided_on_of, keys_of, rank_of
from xiezuoqu.sanctions.rules import form_of

_seq = itertools.count(9000)


def draft_case() -> Case:
    """A township case whose 复审 is concluded: the trial office may now propose its decision."""
    return second_reviewed()


def put_facts(
    case: Case,
    *,
    articles: Sequence[int] = (),
    amount: str | None = None,
    circumstances: Sequence[str] = (),
    rank: str | None = None,
    category: str | None = None,
) -> CaseFacts:
    facts = CaseFacts.objects.create(
        case=case,
        commission_id=case.commission_id,
        category=category or case.clue.category,
        rank=rank or rank_of(case),
        articles=sorted(articles),
        amount=Decimal(amount) if amount is not None else None,
        circumstances=sorted(circumstances),
        recorded_by=case.opened_by,
    )
    decided_on = decided_on_of(case.pk)
    CaseFactKey.objects.bulk_create(
        [
            CaseFactKey(facts=facts, commission_id=case.commission_id, key=k, decided_on=decided_on)
            for k in keys_of(facts.category, articles)
        ]
    )
    return facts


def child_commission(parent: Commission, name: str) -> Commission:
    return Commission.objects.create(name=name, short_name=name[:2], parent=parent, level=Commission.Level.COUNTY)


def past_case(
    like: Case,
    *,
    codes: Sequence[str] = ("party_warning",),
    months: int | None = None,
    articles: Sequence[int] = (102,),
    amount: str | None = "30000",
    circumstances: Sequence[str] = (),
    rank: str | None = None,
    category: str | None = None,
    commission: Commission | None = None,
    name: str = "",
    decided_on: date = date(2025, 6, 1),
) -> Case:
    """A decided case with its approved decision and facts, shaped on ``like`` (its clue, when in the same
    commission: the trial office sees the commission's decided cases anyway)."""
    seq = next(_seq)
    commission = commission or like.commission
    user = User.objects.get(pk=like.opened_by_id)
    clue = like.clue
    if commission.pk != like.commission_id:
        unit = Unit.objects.filter(commission=commission).first() or make_unit(commission)
        clue = Clue.objects.get(pk=like.clue_id)
        clue.pk = None
        clue._state.adding = True
        clue.commission, clue.handling_unit, clue.zone, clue.ledger_seq = commission, unit, None, seq
        clue.ledger_number = f"{commission.short_name}线〔2025〕{seq}号"
        clue.township = clue.village = None
        clue.save()
    subject = Subject.objects.create(
        commission=commission,
        name=name or f"类案人{seq}",
        name_index=f"idx{seq}",
        rank=rank or rank_of(like),
        is_village_cadre=(rank or rank_of(like)) == Rank.VILLAGE,
        created_by=user,
    )
    case = Case.objects.create(
        commission=commission,
        clue=clue,
        subject=subject,
        case_year=2025,
        case_seq=seq,
        case_number=f"{commission.short_name}立〔2025〕{seq}号",
        filed_on=date(2025, 1, 10),
        competent_body_kind=like.competent_body_kind,
        competent_body_name=like.competent_body_name,
        filing_reference="类案测试",
        state=State.DECIDED,
        state_changed_at=timezone.now(),
        opened_by=user,
    )
    approval = ApprovalRequest.objects.order_by("id").first()
    assert approval is not None
    approval.pk = None
    approval._state.adding = True
    approval.commission = commission
    approval.save()
    form = form_of(codes)
    PersonDecision.objects.create(
        case=case,
        subject=subject,
        codes=list(codes),
        body="county",
        months=months,
        form=int(form) if form else None,
        grounds="类案测试",
        approval=approval,
        state=DecisionState.APPROVED,
        decided_on=decided_on,
        proposed_by=user,
    )
    put_facts(case, articles=articles, amount=amount, circumstances=circumstances, rank=rank, category=category)
    return case
