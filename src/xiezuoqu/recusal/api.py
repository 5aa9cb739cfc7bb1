"""The recusal API: the same scope and services as the pages (a matter's recusal record, demands,
decisions, declarations, overrides, the intervention register)."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema, Status

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.clues.selectors import get_clue_for, may_work, zone_worker
from xiezuoqu.errors import NotFound

from . import services
from .conflicts import conflicts_for
from .selectors import matter_recusal, pool_for

router = Router(tags=["recusal"])


def _actor(request: HttpRequest) -> Actor:
    actor = actor_for(request.user)
    if not actor.is_staff_worker or actor.is_admin:
        raise NotFound()
    return actor


class ConflictOut(Schema):
    staff_id: int
    staff_name: str
    ground: str
    ground_label: str
    detail: str
    cross_rule: bool
    overridden: bool


class RecusalOut(Schema):
    id: int
    staff_id: int
    staff_name: str
    ground: str
    source: str
    detail: str
    is_active: bool
    decided_at: datetime


class DemandOut(Schema):
    id: int
    staff_id: int
    demanded_by: str
    ground: str
    statement: str
    received_on: date
    state: str
    decision_reason: str


class InterventionOut(Schema):
    id: int
    kind: str
    channel: str
    occurred_at: datetime
    intervener_name: str
    intervener_unit: str
    content: str
    response: str
    received_by_id: int


class MatterOut(Schema):
    clue_id: int
    ledger_number: str
    recusals: list[RecusalOut]
    demands: list[DemandOut]
    declared_staff_ids: list[int]
    interventions: list[InterventionOut]


class DemandIn(Schema):
    staff_id: int
    demanded_by: str
    ground: str
    statement: str
    received_on: date | None = None


class DecideIn(Schema):
    grant: bool
    reason: str


class WithdrawIn(Schema):
    ground: str
    detail: str


class RecusalDecisionIn(Schema):
    staff_id: int
    ground: str
    detail: str


class DeclarationIn(Schema):
    no_conflict: bool
    disclosure: str = ""
    ground: str = "other"


class OverrideIn(Schema):
    staff_id: int
    ground: str
    reason: str


class InterventionIn(Schema):
    kind: str
    channel: str
    occurred_at: datetime
    intervener_name: str
    content: str
    intervener_unit: str = ""
    response: str = ""


class RecusalLiftIn(Schema):
    reason: str


@router.get("/clues/{clue_id}", response=MatterOut)
def matter(request: HttpRequest, clue_id: int) -> MatterOut:
    actor = _actor(request)
    with transaction.atomic():
        clue = get_clue_for(actor, clue_id)
        data = matter_recusal(actor, clue, request=request)
    return MatterOut(
        clue_id=clue.pk,
        ledger_number=clue.ledger_number,
        recusals=[
            RecusalOut(
                id=r.pk,
                staff_id=r.staff_id,
                staff_name=r.staff.name,
                ground=r.ground,
                source=r.source,
                detail=r.detail,
                is_active=r.is_active,
                decided_at=r.decided_at,
            )
            for r in data.recusals
        ],
        demands=[
            DemandOut(
                id=d.pk,
                staff_id=d.staff_id,
                demanded_by=d.demanded_by,
                ground=d.ground,
                statement=d.statement,
                received_on=d.received_on,
                state=d.state,
                decision_reason=d.decision_reason,
            )
            for d in data.demands
        ],
        declared_staff_ids=[d.staff_id for d in data.declarations],
        interventions=[
            InterventionOut(
                id=i.pk,
                kind=i.kind,
                channel=i.channel,
                occurred_at=i.occurred_at,
                intervener_name=i.intervener_name,
                intervener_unit=i.intervener_unit,
                content=i.content,
                response=i.response,
                received_by_id=i.received_by_id,
            )
            for i in data.interventions
        ],
    )


@router.get("/clues/{clue_id}/conflicts", response=list[ConflictOut])
def conflicts(request: HttpRequest, clue_id: int) -> list[ConflictOut]:
    """回避筛查: conflicts of the zone's pool with the matter (for the handling unit and the zone)."""
    actor = _actor(request)
    clue = get_clue_for(actor, clue_id)
    if not (may_work(actor, clue) or zone_worker(actor, clue.zone_id)):
        raise NotFound()
    pool = {s.pk: s for s in pool_for(clue)}
    found = conflicts_for(clue, list(pool))
    return [
        ConflictOut(
            staff_id=c.staff_id,
            staff_name=pool[c.staff_id].name,
            ground=c.ground,
            ground_label=c.ground_label,
            detail=c.detail,
            cross_rule=c.cross_rule,
            overridden=c.overridden,
        )
        for items in found.values()
        for c in items
    ]


@router.post("/clues/{clue_id}/demands", response={201: dict})
def record_demand(request: HttpRequest, clue_id: int, payload: DemandIn) -> Status:
    demand = services.record_demand(
        actor=_actor(request), clue_id=clue_id, data=services.DemandInput(**payload.dict()), request=request
    )
    return Status(201, {"id": demand.pk, "state": demand.state})


@router.post("/demands/{demand_id}/decision", response=dict)
def decide_demand(request: HttpRequest, demand_id: int, payload: DecideIn) -> dict[str, object]:
    demand = services.decide_demand(
        actor=_actor(request), demand_id=demand_id, grant=payload.grant, reason=payload.reason, request=request
    )
    return {"id": demand.pk, "state": demand.state}


@router.post("/clues/{clue_id}/withdraw", response={201: dict})
def withdraw(request: HttpRequest, clue_id: int, payload: WithdrawIn) -> Status:
    recusal = services.withdraw_self(
        actor=_actor(request), clue_id=clue_id, ground=payload.ground, detail=payload.detail, request=request
    )
    return Status(201, {"id": recusal.pk})


@router.post("/clues/{clue_id}/recusals", response={201: dict})
def recuse(request: HttpRequest, clue_id: int, payload: RecusalDecisionIn) -> Status:
    recusal = services.recuse_by_decision(actor=_actor(request), clue_id=clue_id, request=request, **payload.dict())
    return Status(201, {"id": recusal.pk})


@router.post("/recusals/{recusal_id}/lift", response=dict)
def lift(request: HttpRequest, recusal_id: int, payload: RecusalLiftIn) -> dict[str, object]:
    recusal = services.lift_recusal(
        actor=_actor(request), recusal_id=recusal_id, reason=payload.reason, request=request
    )
    return {"id": recusal.pk, "is_active": recusal.is_active}


@router.post("/clues/{clue_id}/declaration", response={201: dict})
def declare(request: HttpRequest, clue_id: int, payload: DeclarationIn) -> Status:
    declaration = services.sign_declaration(actor=_actor(request), clue_id=clue_id, request=request, **payload.dict())
    return Status(201, {"id": declaration.pk, "no_conflict": declaration.no_conflict})


class PaperDeclarationIn(DeclarationIn):
    staff_id: int


@router.post("/clues/{clue_id}/paper-declarations", response={201: dict})
def record_paper_declaration(request: HttpRequest, clue_id: int, payload: PaperDeclarationIn) -> Status:
    """A member's paper 回避声明, recorded by the handling unit or the zone."""
    declaration = services.record_paper_declaration(
        actor=_actor(request), clue_id=clue_id, request=request, **payload.dict()
    )
    return Status(201, {"id": declaration.pk, "no_conflict": declaration.no_conflict, "on_paper": True})


@router.post("/clues/{clue_id}/overrides", response={201: dict})
def request_override(request: HttpRequest, clue_id: int, payload: OverrideIn) -> Status:
    override = services.request_override(actor=_actor(request), clue_id=clue_id, request=request, **payload.dict())
    return Status(201, {"id": override.pk, "approval": override.approval_id, "state": override.state})


@router.post("/clues/{clue_id}/interventions", response={201: dict})
def record_intervention(request: HttpRequest, clue_id: int, payload: InterventionIn) -> Status:
    intervention = services.record_intervention(
        actor=_actor(request), clue_id=clue_id, data=services.InterventionInput(**payload.dict()), request=request
    )
    return Status(201, {"id": intervention.pk})
