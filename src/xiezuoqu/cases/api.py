"""The cases API (read): the same scope as the pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router, Schema

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.errors import NotFound

from .models import Case
from .selectors import case_ledger, view_case

router = Router(tags=["cases"])

MAX_LIMIT = 100


class CaseOut(Schema):
    id: int
    case_number: str
    clue_id: int
    clue_number: str
    subject: str
    filed_on: date
    competent_body_kind: str
    competent_body: str
    filing_reference: str
    state: str
    state_label: str


class CaseListOut(Schema):
    items: list[CaseOut]
    next_before: int | None


class ListQuery(Schema):
    before: int | None = None
    limit: int = 50


def _actor(request: HttpRequest) -> Actor:
    actor = actor_for(request.user)
    if not actor.is_staff_worker or actor.is_admin:
        raise NotFound()
    return actor


def _out(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "case_number": case.case_number,
        "clue_id": case.clue_id,
        "clue_number": case.clue.ledger_number,
        "subject": case.subject.name,
        "filed_on": case.filed_on,
        "competent_body_kind": case.competent_body_kind,
        "competent_body": case.competent_body_name,
        "filing_reference": case.filing_reference,
        "state": case.state,
        "state_label": case.get_state_display(),
    }


@router.get("/", response=CaseListOut)
def list_cases(request: HttpRequest, query: Query[ListQuery]) -> dict[str, Any]:
    rows, next_before = case_ledger(_actor(request), before=query.before, limit=max(1, min(query.limit, MAX_LIMIT)))
    return {"items": [_out(c) for c in rows], "next_before": next_before}


@router.get("/{case_id}", response=CaseOut)
def get_case(request: HttpRequest, case_id: int) -> dict[str, Any]:
    actor = _actor(request)
    with transaction.atomic():
        case = view_case(actor, case_id, request=request)
    return _out(case)
