"""The sanction-terms API: the ledger, one term, its follow-up, the changed sanction after an appeal —
the same scope and services as the pages; refusals are problem JSON (RFC 9457)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.audit.services import record_event
from xiezuoqu.errors import NotFound

from . import services
from .models import SanctionChange, SanctionTerm
from .selectors import LedgerFilters, parse_cursor, status_of, term_ledger, view_term

router = Router(tags=["sanctions"])

MAX_LIMIT = 100


def _actor(request: HttpRequest) -> Actor:
    actor = actor_for(request.user)
    if not actor.is_staff_worker or actor.is_admin:
        raise NotFound()
    return actor


class TermFollowUpOut(Schema):
    outcome: str
    outcome_label: str
    decided_on: date
    organisation: str
    reference: str
    reason: str


class TermOut(Schema):
    id: int
    case_id: int
    case_number: str
    subject: str
    code: str
    label: str
    months: int | None
    start: date
    end: date
    follow_up_kind: str
    due_on: date | None
    due_provisional: bool = Field(
        description="办理期限待定：计算用到尚未录入节假日安排的年份（按周末推算），录入该年后自动重算"
    )
    state: str
    status: str
    closed_on: date | None
    previous_id: int | None
    follow_up: TermFollowUpOut | None


class TermListOut(Schema):
    items: list[TermOut]
    next_after: str | None


class TermListQuery(Schema):
    bucket: str = ""
    kind: str = ""
    zone: int | None = Field(None, ge=1, le=2**63 - 1)
    after: str | None = None
    limit: int = 50


class TermFollowUpIn(Schema):
    outcome: str
    decided_on: date | None = None
    organisation: str = ""
    reference: str = ""
    reason: str = ""
    note: str = ""


class ChangeIn(Schema):
    codes: list[str]
    start: date | None = None
    reference: str
    # 留党察看 12 or 24, a combined 政务处分 at most 48 (the service says which, in Chinese).
    months: int | None = Field(None, ge=services.MIN_CHANGE_MONTHS, le=services.MAX_CHANGE_MONTHS)


class ChangeOut(Schema):
    id: int
    case_id: int
    appeal_id: int
    state: str
    codes: list[str]
    start: date | None
    terms: list[int]


def _out(term: SanctionTerm, today: date) -> dict[str, Any]:
    follow_up = getattr(term, "follow_up", None)
    return {
        "id": term.pk,
        "case_id": term.case_id,
        "case_number": term.case.case_number,
        "subject": term.subject.name,
        "code": term.code,
        "label": term.label,
        "months": term.months,
        "start": term.start,
        "end": term.end,
        "follow_up_kind": term.follow_up_kind,
        "due_on": term.due_on,
        "due_provisional": term.due_provisional,  # type: ignore[attr-defined]
        "state": term.state,
        "status": status_of(term, today).label,
        "closed_on": term.closed_on,
        "previous_id": term.previous_id,
        "follow_up": None
        if follow_up is None
        else {
            "outcome": follow_up.outcome,
            "outcome_label": follow_up.get_outcome_display(),
            "decided_on": follow_up.decided_on,
            "organisation": follow_up.organisation,
            "reference": follow_up.reference,
            "reason": follow_up.reason,
        },
    }


@router.get("/terms", response=TermListOut)
def list_terms(request: HttpRequest, query: Query[TermListQuery]) -> dict[str, Any]:
    """处分期满台账: bucket = running | due | overdue | done | appeal; kind = party | government."""
    actor = _actor(request)
    filters = LedgerFilters.of(query.bucket, query.kind, query.zone)
    rows, cursor = term_ledger(
        actor, filters, after=parse_cursor(query.after), limit=max(1, min(query.limit, MAX_LIMIT))
    )
    if rows:
        # The rows name people and cases: on record as on the page (sanction.ledger_viewed).
        with transaction.atomic():
            record_event(
                actor=actor,
                action="sanction.ledger_viewed",
                target_type="sanctions.sanctionterm",
                detail={"filters": filters.as_query(), "terms": [r.term.pk for r in rows]},
                request=request,
            )
    today = timezone.localdate()
    return {"items": [_out(r.term, today) for r in rows], "next_after": cursor}


@router.get("/terms/{term_id}", response=TermOut)
def get_term(request: HttpRequest, term_id: int) -> dict[str, Any]:
    actor = _actor(request)
    with transaction.atomic():
        term = view_term(actor, term_id, request=request)
    return _out(term, timezone.localdate())


@router.post("/terms/{term_id}/follow-up", response={201: TermOut})
def record_follow_up(request: HttpRequest, term_id: int, payload: TermFollowUpIn) -> Status:
    actor = _actor(request)
    services.record_follow_up(
        actor=actor, term_id=term_id, data=services.FollowUpInput(**payload.dict()), request=request
    )
    with transaction.atomic():
        term = view_term(actor, term_id, request=request)
    return Status(201, _out(term, timezone.localdate()))


@router.post("/changes/{change_id}/registration", response={201: ChangeOut})
def register_change(request: HttpRequest, change_id: int, payload: ChangeIn) -> Status:
    change: SanctionChange = services.register_change(
        actor=_actor(request), change_id=change_id, data=services.ChangeInput(**payload.dict()), request=request
    )
    return Status(
        201,
        {
            "id": change.pk,
            "case_id": change.case_id,
            "appeal_id": change.appeal_id,
            "state": change.state,
            "codes": change.codes,
            "start": change.start,
            "terms": [t.pk for t in change.terms.all()],
        },
    )
