"""The training-record API (以干代训, 一帮二): a cadre's record, a zone's turns of the year, the scale of
levels, and the mentor's assessment — the same scope and services as the pages."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.errors import NotFound

from . import selectors, services

router = Router(tags=["training"])
# A year the dates of the record can hold (a year past 9999 or before 1 cannot even be a date): else a 422.
YEAR = Query(None, ge=1900, le=2100, description="年度（1900–2100），缺省为今年")


def _actor(request: HttpRequest) -> Actor:
    actor = actor_for(request.user)
    if not actor.is_staff_worker or actor.is_admin:
        raise NotFound()
    return actor


class TrainingLevelOut(Schema):
    code: str
    name: str
    description: str


class TrainingAssessmentOut(Schema):
    seat_id: int
    mentor_id: int
    mentor: str
    work_done: str
    ready_for: str
    level: str
    level_name: str
    version: int


class TrainingTurnOut(Schema):
    seat_id: int
    matter: str
    clue_id: int | None
    purpose: str
    mode: str
    role: str
    start: date | None
    end: date | None
    closed: bool
    mentor_id: int | None
    assessment: TrainingAssessmentOut | None
    may_assess: bool


class TrainingPairOut(Schema):
    mentor_id: int
    mentee_ids: list[int]
    start_date: date
    end_date: date | None


class TrainingRecordOut(Schema):
    staff_id: int
    name: str
    unit: str
    year: int
    turns_this_year: int
    min_turns: int
    too_few: bool
    turns: list[TrainingTurnOut]
    pairs: list[TrainingPairOut]


class TrainingCadreRowOut(Schema):
    staff_id: int
    name: str
    unit: str
    turns: int
    total: int
    too_few: bool


class TrainingTownshipOut(Schema):
    unit_id: int
    unit: str
    cadres: int
    turns: int
    too_few: int


class TrainingZoneOut(Schema):
    zone_id: int
    zone: str
    year: int
    min_turns: int
    cadres: list[TrainingCadreRowOut]
    townships: list[TrainingTownshipOut]


class TrainingAssessmentIn(Schema):
    work_done: str
    ready_for: str = ""
    level: str


def _assessment_out(a: object) -> TrainingAssessmentOut | None:
    from .models import Assessment

    if not isinstance(a, Assessment):
        return None
    return TrainingAssessmentOut(
        seat_id=a.seat_id,
        mentor_id=a.mentor_id,
        mentor=a.mentor.name,
        work_done=a.work_done,
        ready_for=a.ready_for,
        level=a.level.code,
        level_name=a.level.name,
        version=a.version,
    )


@router.get("/levels", response=list[TrainingLevelOut])
def list_levels(request: HttpRequest) -> list[TrainingLevelOut]:
    actor = _actor(request)
    return [
        TrainingLevelOut(code=lv.code, name=lv.name, description=lv.description)
        for lv in selectors.levels_of(actor.commission_id)
    ]


@router.get("/cadres/{staff_id}", response=TrainingRecordOut)
def get_record(request: HttpRequest, staff_id: int, year: int | None = YEAR) -> TrainingRecordOut:
    actor = _actor(request)
    cadre = selectors.get_cadre_for(actor, staff_id, request=request)
    found = selectors.record_for(actor, cadre, year=year, request=request)
    return TrainingRecordOut(
        staff_id=cadre.pk,
        name=cadre.name,
        unit=cadre.home_unit.name,
        year=found.year,
        turns_this_year=found.turns_this_year,
        min_turns=found.min_turns,
        too_few=found.too_few,
        turns=[
            TrainingTurnOut(
                seat_id=t.seat.pk,
                matter=t.matter,
                clue_id=t.matter_id,
                purpose=t.seat.team.purpose,
                mode=t.seat.team.mode,
                role=t.seat.role,
                start=t.start,
                end=t.end,
                closed=t.closed,
                mentor_id=t.seat.mentor_id,
                assessment=_assessment_out(t.assessment),
                may_assess=t.may_assess,
            )
            for t in found.turns
        ],
        pairs=[
            TrainingPairOut(
                mentor_id=p.mentor_id,
                mentee_ids=[p.mentee_one_id, p.mentee_two_id],
                start_date=p.start_date,
                end_date=p.end_date,
            )
            for p in found.pairs
        ],
    )


@router.get("/zones/{zone_id}", response=TrainingZoneOut)
def get_zone(request: HttpRequest, zone_id: int, year: int | None = YEAR) -> TrainingZoneOut:
    actor = _actor(request)
    zone = selectors.get_zone_for(actor, zone_id, request=request)
    data = selectors.zone_training(zone, year)
    return TrainingZoneOut(
        zone_id=zone.pk,
        zone=zone.name,
        year=data.year,
        min_turns=data.min_turns,
        cadres=[
            TrainingCadreRowOut(
                staff_id=r.cadre.pk,
                name=r.cadre.name,
                unit=r.cadre.home_unit.name,
                turns=r.turns,
                total=r.total,
                too_few=r.too_few,
            )
            for r in data.rows
        ],
        townships=[
            TrainingTownshipOut(unit_id=t.unit.pk, unit=t.unit.name, cadres=t.cadres, turns=t.turns, too_few=t.too_few)
            for t in data.townships
        ],
    )


@router.post("/seats/{seat_id}/assessment", response={201: TrainingAssessmentOut})
def post_assessment(request: HttpRequest, seat_id: int, payload: TrainingAssessmentIn) -> Status:
    actor = _actor(request)
    saved = services.record_assessment(
        actor=actor,
        seat_id=seat_id,
        work_done=payload.work_done,
        ready_for=payload.ready_for,
        level=payload.level,
        request=request,
    )
    return Status(201, _assessment_out(saved))
