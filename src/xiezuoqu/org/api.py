"""Org endpoints: the same scope policies as the pages (missing and forbidden both 404)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from django.db.models import TextChoices
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import WithJsonSchema

from xiezuoqu.access.actor import actor_for

from . import services
from .models import DeclaredRelationship, Unit
from .selectors import (
    MENTORING,
    RELATIONSHIPS,
    STAFF,
    SUPERVISORS,
    UNITS,
    VILLAGES,
    ZONES,
    may_see_people,
    memberships_on,
    org_chart,
)

router = Router(tags=["组织机构"])
MAX_LIMIT = 500
# Past this the slice's bounds overflow the database's 64-bit integers (a 503 instead of a 422).
MAX_OFFSET = 1_000_000_000


def _inline_choices(choices: type[TextChoices]) -> WithJsonSchema:
    """Document ``choices`` in place: several models name their choices ``Kind``, and as shared
    components of the OpenAPI document they would overwrite one another."""
    described = "；".join(f"{value}（{label}）" for value, label in choices.choices)
    return WithJsonSchema({"type": "string", "enum": list(choices.values), "description": described})


UnitKind = Annotated[Unit.Kind, _inline_choices(Unit.Kind)]
RelationshipKind = Annotated[DeclaredRelationship.Kind, _inline_choices(DeclaredRelationship.Kind)]


class UnitOut(Schema):
    id: int
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    name: str
    short_name: str
    parent_id: int | None
    township_type: str
    is_active: bool


class ZoneMemberOut(Schema):
    unit_id: int
    unit_name: str
    unit_kind: str
    start_date: date
    end_date: date | None


class PersonRef(Schema):
    id: int
    name: str
    position: str


class ZoneOut(Schema):
    id: int
    number: int
    name: str
    leader: PersonRef | None
    inspection_office_id: int | None
    deputies: list[PersonRef]
    members: list[ZoneMemberOut]


class StaffOut(Schema):
    id: int
    name: str
    gender: str
    home_unit_id: int
    position: str
    experience: int
    skills: list[str]
    capacity: int
    hometown_id: int | None
    is_active: bool


class RelationshipOut(Schema):
    id: int
    staff_id: int
    kind: str
    kinship: str
    person_name: str
    person_unit: str
    related_unit_id: int | None
    related_village_id: int | None
    start_date: date | None
    end_date: date | None
    declared_on: date


class RelationshipIn(Schema):
    kind: RelationshipKind
    kinship: str = ""
    person_name: str = ""
    person_unit: str = ""
    related_unit_id: int | None = None
    related_village_id: int | None = None
    start_date: date | None = None
    end_date: date | None = None
    declared_on: date
    note: str = ""


class MentoringOut(Schema):
    id: int
    mentor_id: int
    mentee_one_id: int
    mentee_two_id: int
    start_date: date
    end_date: date | None


class VillageOut(Schema):
    id: int
    township_id: int
    name: str
    kind: str


class SupervisorOut(Schema):
    id: int
    village_id: int
    name: str
    start_date: date
    end_date: date | None


class MembershipIn(Schema):
    unit_id: int
    start_date: date


def _person(staff) -> PersonRef | None:  # type: ignore[no-untyped-def]
    return PersonRef(id=staff.pk, name=staff.name, position=staff.position) if staff else None


def _zone_out(zone, *, people: bool) -> ZoneOut:  # type: ignore[no-untyped-def]
    """``people``: whether the actor may see staff at all (village supervisors may not)."""
    return ZoneOut(
        id=zone.pk,
        number=zone.number,
        name=zone.name,
        leader=_person(zone.leader) if people else None,
        inspection_office_id=zone.inspection_office_id,
        deputies=[PersonRef(id=d.staff.pk, name=d.staff.name, position=d.staff.position) for d in zone.current_deputies]
        if people
        else [],
        members=[
            ZoneMemberOut(
                unit_id=m.unit_id,
                unit_name=m.unit.name,
                unit_kind=m.unit.kind,
                start_date=m.start_date,
                end_date=m.end_date,
            )
            for m in zone.current_memberships
        ],
    )


@router.get("/units", response=list[UnitOut], summary="单位列表")
def list_units(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    kind: UnitKind | None = None,
    limit: int = Query(200, ge=0),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    qs = UNITS.scope(actor_for(request.user)).order_by("sort_order", "id")
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs[offset : offset + min(limit, MAX_LIMIT)])


@router.get("/units/{unit_id}", response=UnitOut, summary="单位")
def get_unit(request: HttpRequest, unit_id: int):  # type: ignore[no-untyped-def]
    return UNITS.get_for(actor_for(request.user), unit_id)


@router.get("/zones", response=list[ZoneOut], summary="协作区及其当前成员")
def list_zones(request: HttpRequest):  # type: ignore[no-untyped-def]
    actor = actor_for(request.user)
    return [_zone_out(z, people=may_see_people(actor)) for z in org_chart(actor)]


@router.get("/zones/{zone_id}", response=ZoneOut, summary="协作区")
def get_zone(request: HttpRequest, zone_id: int):  # type: ignore[no-untyped-def]
    actor = actor_for(request.user)
    ZONES.get_for(actor, zone_id)
    return next(_zone_out(z, people=may_see_people(actor)) for z in org_chart(actor) if z.pk == zone_id)


@router.get("/zones/{zone_id}/history", response=list[ZoneMemberOut], summary="协作区成员变动历史")
def zone_history(request: HttpRequest, zone_id: int):  # type: ignore[no-untyped-def]
    zone = ZONES.get_for(actor_for(request.user), zone_id)
    return [
        ZoneMemberOut(
            unit_id=m.unit_id,
            unit_name=m.unit.name,
            unit_kind=m.unit.kind,
            start_date=m.start_date,
            end_date=m.end_date,
        )
        for m in zone.memberships.select_related("unit").order_by("start_date", "unit_id")
    ]


@router.post("/zones/{zone_id}/members", response={201: ZoneMemberOut}, summary="成员单位加入协作区（系统管理员）")
def add_member(request: HttpRequest, zone_id: int, payload: MembershipIn):  # type: ignore[no-untyped-def]
    m = services.add_zone_member(
        actor=actor_for(request.user),
        zone_id=zone_id,
        unit_id=payload.unit_id,
        start_date=payload.start_date,
        request=request,
    )
    return Status(
        201,
        ZoneMemberOut(
            unit_id=m.unit_id,
            unit_name=m.unit.name,
            unit_kind=m.unit.kind,
            start_date=m.start_date,
            end_date=m.end_date,
        ),
    )


@router.get("/staff", response=list[StaffOut], summary="干部列表")
def list_staff(
    request: HttpRequest,
    unit_id: int | None = None,
    zone_id: int | None = None,
    q: str = "",  # type: ignore[no-untyped-def]
    limit: int = Query(100, ge=0),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    qs = STAFF.scope(actor_for(request.user)).order_by("id")
    if unit_id is not None:
        qs = qs.filter(home_unit_id=unit_id)
    if zone_id is not None:
        qs = qs.filter(home_unit_id__in=memberships_on().filter(zone_id=zone_id).values("unit_id"))
    if q:
        qs = qs.filter(name__icontains=q)
    return list(qs[offset : offset + min(limit, MAX_LIMIT)])


@router.get("/staff/{staff_id}", response=StaffOut, summary="干部")
def get_staff(request: HttpRequest, staff_id: int):  # type: ignore[no-untyped-def]
    return STAFF.get_for(actor_for(request.user), staff_id)


@router.get("/staff/{staff_id}/relationships", response=list[RelationshipOut], summary="利害关系申报（查看记入审计）")
def list_relationships(request: HttpRequest, staff_id: int):  # type: ignore[no-untyped-def]
    from django.db import transaction

    from xiezuoqu.audit.services import record_event

    actor = actor_for(request.user)
    staff = STAFF.get_for(actor, staff_id)
    rows = list(RELATIONSHIPS.scope(actor).filter(staff=staff))
    if rows:
        with transaction.atomic():
            record_event(
                actor=actor,
                action="relationship.viewed",
                target=staff,
                detail={"relationship_ids": [r.pk for r in rows], "via": "api"},
                request=request,
            )
    return rows


@router.post("/staff/{staff_id}/relationships", response={201: RelationshipOut}, summary="申报利害关系")
def declare(request: HttpRequest, staff_id: int, payload: RelationshipIn):  # type: ignore[no-untyped-def]
    actor = actor_for(request.user)
    data = payload.dict()
    unit_id, village_id = data.pop("related_unit_id"), data.pop("related_village_id")
    data["related_unit"] = UNITS.get_for(actor, unit_id) if unit_id else None
    data["related_village"] = VILLAGES.get_for(actor, village_id) if village_id else None
    return Status(201, services.declare_relationship(actor=actor, staff_id=staff_id, request=request, **data))


@router.get("/mentoring-pairs", response=list[MentoringOut], summary="一帮二结对")
def list_pairs(request: HttpRequest):  # type: ignore[no-untyped-def]
    return list(MENTORING.scope(actor_for(request.user)).order_by("id"))


@router.get("/villages", response=list[VillageOut], summary="村（社区）")
def list_villages(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    township_id: int | None = None,
    limit: int = Query(500, ge=0),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    qs = VILLAGES.scope(actor_for(request.user)).order_by("id")
    if township_id is not None:
        qs = qs.filter(township_id=township_id)
    return list(qs[offset : offset + min(limit, MAX_LIMIT)])


@router.get("/village-supervisors", response=list[SupervisorOut], summary="村级正风肃纪监督员")
def list_supervisors(request: HttpRequest):  # type: ignore[no-untyped-def]
    return list(SUPERVISORS.scope(actor_for(request.user)).order_by("id")[:MAX_LIMIT])
