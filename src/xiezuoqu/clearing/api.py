"""The 澄清正名 API: the same scope and services as the pages."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Router, Schema, Status

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.errors import NotFound

from . import services
from .models import Clearing
from .selectors import clearing_list, get_clearing_for

router = Router(tags=["clearing"])


def _actor(request: HttpRequest) -> Actor:
    actor = actor_for(request.user)
    if not actor.is_staff_worker or actor.is_admin:
        raise NotFound()
    return actor


class ClearingOut(Schema):
    id: int
    clue_id: int
    subject_id: int
    subject_name: str
    method: str
    finding: str
    state: str
    number: str
    approval_id: int
    done_on: date | None


class ClearingIn(Schema):
    subject_id: int
    method: str
    finding: str
    facts: str
    audience: str = ""


class DoneIn(Schema):
    note: str
    done_on: date | None = None


class FlagIn(Schema):
    grounds: str


class ReferIn(Schema):
    referred_to: str
    note: str
    referred_on: date | None = None


class AnswerIn(Schema):
    confirmed: bool
    answer: str
    answered_on: date | None = None


def _out(c: Clearing) -> ClearingOut:
    return ClearingOut(
        id=c.pk,
        clue_id=c.clue_id,
        subject_id=c.subject_id,
        subject_name=c.subject.name,
        method=c.method,
        finding=c.finding,
        state=c.state,
        number=c.number,
        approval_id=c.approval_id,
        done_on=c.done_on,
    )


@router.get("/", response=list[ClearingOut])
def list_clearings(request: HttpRequest) -> list[ClearingOut]:
    return [_out(c) for c in clearing_list(_actor(request))]


@router.get("/{clearing_id}", response=ClearingOut)
def get_clearing(request: HttpRequest, clearing_id: int) -> ClearingOut:
    return _out(get_clearing_for(_actor(request), clearing_id))


@router.post("/clues/{clue_id}", response={201: ClearingOut})
def propose(request: HttpRequest, clue_id: int, payload: ClearingIn) -> Status:
    clearing = services.propose_clearing(
        actor=_actor(request), clue_id=clue_id, data=services.ClearingInput(**payload.dict()), request=request
    )
    return Status(201, _out(clearing))


@router.post("/{clearing_id}/done", response=ClearingOut)
def done(request: HttpRequest, clearing_id: int, payload: DoneIn) -> ClearingOut:
    clearing = services.record_clearing_done(
        actor=_actor(request), clearing_id=clearing_id, done_on=payload.done_on, note=payload.note, request=request
    )
    return _out(clearing)


@router.post("/clues/{clue_id}/flags", response={201: dict})
def flag(request: HttpRequest, clue_id: int, payload: FlagIn) -> Status:
    created = services.flag_false_accusation(
        actor=_actor(request), clue_id=clue_id, grounds=payload.grounds, request=request
    )
    return Status(201, {"id": created.pk, "state": created.state})


@router.post("/flags/{flag_id}/referral", response=dict)
def refer(request: HttpRequest, flag_id: int, payload: ReferIn) -> dict[str, object]:
    flagged = services.refer_flag(actor=_actor(request), flag_id=flag_id, request=request, **payload.dict())
    return {"id": flagged.pk, "state": flagged.state}


@router.post("/flags/{flag_id}/answer", response=dict)
def answer(request: HttpRequest, flag_id: int, payload: AnswerIn) -> dict[str, object]:
    flagged = services.record_flag_answer(actor=_actor(request), flag_id=flag_id, request=request, **payload.dict())
    return {"id": flagged.pk, "state": flagged.state}
