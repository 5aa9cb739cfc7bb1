"""The filing API: the same scope and the same services as the pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.errors import NotFound

from . import services
from .models import FilingProposal
from .selectors import get_proposal_for, proposal_list, view_proposal

router = Router(tags=["filing"])

MAX_LIMIT = 100


class ProposalOut(Schema):
    id: int
    clue_id: int
    clue_number: str
    subject_id: int
    subject: str
    state: str
    state_label: str
    body_kind: str
    body_name: str
    facts: str
    basis: str
    proposal: str
    team_text: str
    measures_summary: str
    evidence_inventory: str
    zone_resolution: str | None
    body_decision: str
    body_reason: str
    case_id: int | None
    case_number: str | None


class ProposalListOut(Schema):
    items: list[ProposalOut]
    next_before: int | None


class ProposalListQuery(Schema):
    state: str = ""
    before: int | None = None
    limit: int = 50


class DraftIn(Schema):
    clue_id: int
    subject_id: int
    facts: str = ""
    basis: str = ""
    proposal: str = ""
    team_text: str = ""
    measures_summary: str = ""
    evidence_inventory: str = ""


class ReviseIn(Schema):
    facts: str
    basis: str
    proposal: str
    team_text: str = ""
    measures_summary: str = ""
    evidence_inventory: str = ""


class FilingDecisionIn(Schema):
    decision: str
    reason: str
    decided_on: date | None = None
    document_number: str = ""


def _actor(request: HttpRequest) -> Actor:
    actor = actor_for(request.user)
    if not actor.is_staff_worker or actor.is_admin:
        raise NotFound()
    return actor


def _out(p: FilingProposal) -> dict[str, Any]:
    case = getattr(p, "case", None) if p.state == "body_filed" else None
    return {
        "id": p.pk,
        "clue_id": p.clue_id,
        "clue_number": p.clue.ledger_number,
        "subject_id": p.subject_id,
        "subject": p.subject.name,
        "state": p.state,
        "state_label": p.get_state_display(),
        "body_kind": p.body_kind,
        "body_name": p.body_name,
        "facts": p.facts,
        "basis": p.basis,
        "proposal": p.proposal,
        "team_text": p.team_text,
        "measures_summary": p.measures_summary,
        "evidence_inventory": p.evidence_inventory,
        "zone_resolution": p.zone_resolution.number if p.zone_resolution else None,
        "body_decision": p.body_decision,
        "body_reason": p.body_reason,
        "case_id": case.pk if case else None,
        "case_number": case.case_number if case else None,
    }


def _fresh(actor: Actor, proposal_id: int) -> dict[str, Any]:
    return _out(get_proposal_for(actor, proposal_id))


@router.get("/", response=ProposalListOut)
def list_proposals(request: HttpRequest, query: Query[ProposalListQuery]) -> dict[str, Any]:
    actor = _actor(request)
    rows, next_before = proposal_list(
        actor, state=query.state, before=query.before, limit=max(1, min(query.limit, MAX_LIMIT))
    )
    return {"items": [_out(p) for p in rows], "next_before": next_before}


@router.get("/{proposal_id}", response=ProposalOut)
def get_proposal(request: HttpRequest, proposal_id: int) -> dict[str, Any]:
    actor = _actor(request)
    with transaction.atomic():
        proposal = view_proposal(actor, proposal_id, request=request)
    return _out(proposal)


@router.post("/", response={201: ProposalOut})
def draft(request: HttpRequest, payload: DraftIn) -> Status:
    actor = _actor(request)
    data = payload.dict()
    clue_id, subject_id = data.pop("clue_id"), data.pop("subject_id")
    proposal = services.draft_filing(
        actor=actor, clue_id=clue_id, subject_id=subject_id, data=services.ProposalInput(**data), request=request
    )
    return Status(201, _fresh(actor, proposal.pk))


@router.put("/{proposal_id}", response=ProposalOut)
def revise(request: HttpRequest, proposal_id: int, payload: ReviseIn) -> dict[str, Any]:
    actor = _actor(request)
    services.revise_filing(
        actor=actor, proposal_id=proposal_id, data=services.ProposalInput(**payload.dict()), request=request
    )
    return _fresh(actor, proposal_id)


@router.post("/{proposal_id}/submit", response=ProposalOut)
def submit(request: HttpRequest, proposal_id: int) -> dict[str, Any]:
    actor = _actor(request)
    services.submit_filing(actor=actor, proposal_id=proposal_id, request=request)
    return _fresh(actor, proposal_id)


@router.post("/{proposal_id}/withdraw", response=ProposalOut)
def withdraw(request: HttpRequest, proposal_id: int) -> dict[str, Any]:
    actor = _actor(request)
    services.withdraw_filing(actor=actor, proposal_id=proposal_id, request=request)
    return _fresh(actor, proposal_id)


@router.post("/{proposal_id}/decision", response=ProposalOut)
def decide(request: HttpRequest, proposal_id: int, payload: FilingDecisionIn) -> dict[str, Any]:
    actor = _actor(request)
    services.decide_as_body(actor=actor, proposal_id=proposal_id, request=request, **payload.dict())
    return _fresh(actor, proposal_id)
