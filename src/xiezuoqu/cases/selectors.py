"""Scoped reads of cases: a case is seen by whoever sees its clue (``clues_visible_to``), so the
clue's rules — own unit, own zone, commission-wide roles, minus recusals and the subject's own
matters — carry over to the case."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from xiezuoqu.access.actor import Actor
from xiezuoqu.access.registry import Policy, register
from xiezuoqu.audit.services import record_view
from xiezuoqu.clues.selectors import can_view_clue, clues_visible_to

from .models import Case


def cases_visible_to(actor: Actor) -> QuerySet[Case]:
    if actor.user_id is None or actor.is_admin or not actor.is_staff_worker:
        return Case.objects.none()
    return Case.objects.filter(clue__in=clues_visible_to(actor))


def can_view_case(actor: Actor, case: Case) -> bool:
    return can_view_clue(actor, case.clue)


CASES = register(Policy(Case, "案件", cases_visible_to, can_view_case, sensitive=True, case_content=True))


def get_case_for(actor: Actor, case_id: Any) -> Case:
    queryset = cases_visible_to(actor).select_related("clue", "subject", "competent_body", "zone", "filing")
    return CASES.get_for(actor, case_id, queryset=queryset)


def view_case(actor: Actor, case_id: Any, *, request: HttpRequest | None = None) -> Case:
    case = get_case_for(actor, case_id)
    record_view(actor=actor, target=case, request=request)
    return case


def case_ledger(actor: Actor, *, before: int | None = None, limit: int = 50) -> tuple[list[Case], int | None]:
    """立案台账: one keyset page (id descending) and the cursor of the next page."""
    qs = cases_visible_to(actor)
    if before is not None:
        qs = qs.filter(pk__lt=before)
    rows = list(qs.select_related("subject", "clue", "zone").order_by("-id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].pk if more and rows else None)
