"""The teams API: the same scope and the same services as the pages (propose, batch, confirm, edit,
dissolve, a member leaving, handling-mode requests and decisions, workload)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema, Status

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.clues.selectors import get_clue_for
from xiezuoqu.errors import NotFound
from xiezuoqu.org.selectors import ZONES
from xiezuoqu.recusal.selectors import unsigned_member_ids

from . import services
from .models import HandlingMode, HandlingRequest, MemberRole, Purpose, Team
from .selectors import get_team_for, requests_of_clue, teams_of_clue, workload, workload_zone_ids

router = Router(tags=["teams"])


class TeamMemberOut(Schema):
    staff_id: int
    name: str
    unit: str
    role: str
    mentor_id: int | None
    joined_on: date | None
    left_on: date | None
    signed_declaration: bool


class TeamOut(Schema):
    id: int
    clue_id: int
    purpose: str
    mode: str
    state: str
    state_label: str
    lead_unit: str
    members: list[TeamMemberOut]
    solver_summary: dict[str, Any]
    problems: list[str]


class ProposeIn(Schema):
    mode: str = HandlingMode.CROSS
    size: int = 3
    trainee_seats: int = 0
    purpose: str = Purpose.VERIFICATION


class BatchIn(Schema):
    clue_ids: list[int]
    mode: str = HandlingMode.CROSS
    size: int = 3
    trainee_seats: int = 0


class MemberIn(Schema):
    staff_id: int
    role: str = MemberRole.MEMBER
    mentor_id: int | None = None


class EditIn(Schema):
    reason: str
    add: list[MemberIn] = []
    remove: list[int] = []
    lead_id: int | None = None


class DissolveIn(Schema):
    reason: str


class LeaveIn(Schema):
    staff_id: int
    reason: str
    left_on: date | None = None


class HandlingRequestIn(Schema):
    mode: str
    grounds: list[str] = []
    reason: str


class HandlingDecisionIn(Schema):
    grant: bool
    note: str = ""
    mode: str | None = None


class HandlingRequestOut(Schema):
    id: int
    clue_id: int
    requested_mode: str
    grounds: list[str]
    reason: str
    state: str
    decided_mode: str
    decision_note: str


class WorkloadOut(Schema):
    staff_id: int
    name: str
    unit: str
    load: int
    capacity: int
    clue_ids: list[int]
    hidden: int


def _staff(request: HttpRequest) -> Actor:
    actor = actor_for(request.user)
    if not actor.is_staff_worker or actor.is_admin:
        raise NotFound()
    return actor


def _team_out(team: Team, *, live: bool = True) -> dict[str, Any]:
    rows = list(team.members.select_related("staff__home_unit").order_by("role", "id"))
    active = [m for m in rows if m.left_on is None]
    unsigned = unsigned_member_ids(team.clue_id, [m.staff_id for m in active])
    return {
        "id": team.pk,
        "clue_id": team.clue_id,
        "purpose": team.purpose,
        "mode": team.mode,
        "state": team.state,
        "state_label": team.get_state_display(),
        "lead_unit": team.lead_unit.name,
        "members": [
            {
                "staff_id": m.staff_id,
                "name": m.staff.name,
                "unit": m.staff.home_unit.name,
                "role": m.role,
                "mentor_id": m.mentor_id,
                "joined_on": m.joined_on,
                "left_on": m.left_on,
                "signed_declaration": m.staff_id not in unsigned,
            }
            for m in rows
        ],
        "solver_summary": team.solver_summary or {},
        "problems": services.team_problems(team, members=active) if live else [],
    }


def _request_out(row: HandlingRequest) -> dict[str, Any]:
    return {
        "id": row.pk,
        "clue_id": row.clue_id,
        "requested_mode": row.requested_mode,
        "grounds": list(row.grounds or []),
        "reason": row.reason,
        "state": row.state,
        "decided_mode": row.decided_mode,
        "decision_note": row.decision_note,
    }


@router.get("/clues/{clue_id}/", response=list[TeamOut], summary="线索的办案组")
def clue_teams(request: HttpRequest, clue_id: int) -> list[dict[str, Any]]:
    actor = _staff(request)
    clue = get_clue_for(actor, clue_id)
    return [_team_out(t, live=t.state in ("proposed", "confirmed")) for t in teams_of_clue(actor, clue.pk)]


@router.post("/clues/{clue_id}/propose/", response={201: TeamOut}, summary="求解并提出组队方案")
def propose(request: HttpRequest, clue_id: int, payload: ProposeIn) -> Status:
    actor = _staff(request)
    team = services.propose_team(
        actor=actor,
        clue_id=clue_id,
        mode=payload.mode,
        size=payload.size,
        trainee_seats=payload.trainee_seats,
        purpose=payload.purpose,
        request=request,
    )
    return Status(201, _team_out(team))


@router.post("/zones/{zone_id}/batch/", response={201: list[TeamOut]}, summary="批量组队")
def batch(request: HttpRequest, zone_id: int, payload: BatchIn) -> Status:
    actor = _staff(request)
    zone = ZONES.get_for(actor, zone_id)
    teams = services.propose_batch(
        actor=actor,
        zone_id=zone.pk,
        clue_ids=payload.clue_ids,
        mode=payload.mode,
        size=payload.size,
        trainee_seats=payload.trainee_seats,
        request=request,
    )
    return Status(201, [_team_out(t) for t in teams])


@router.get("/workload/", response=list[WorkloadOut], summary="工作量（在办席位与承办上限）")
def workload_api(request: HttpRequest, zone: int | None = None) -> list[dict[str, Any]]:
    actor = _staff(request)
    zones = workload_zone_ids(actor)
    chosen = next((z for z in zones if z.pk == zone), None)
    if zone is not None and chosen is None:
        raise NotFound()
    return [
        {
            "staff_id": r.staff.pk,
            "name": r.staff.name,
            "unit": r.staff.home_unit.name,
            "load": r.load,
            "capacity": r.capacity,
            "clue_ids": [c[0] for c in r.clues],
            "hidden": r.hidden,
        }
        for r in workload(actor, chosen)
    ]


@router.get("/{team_id}/", response=TeamOut, summary="办案组")
def team_detail(request: HttpRequest, team_id: int) -> dict[str, Any]:
    actor = _staff(request)
    team = get_team_for(actor, team_id)
    return _team_out(team, live=team.state in ("proposed", "confirmed"))


@router.post("/{team_id}/confirm/", response=TeamOut, summary="确定办案组（重新复核全部成员）")
def confirm(request: HttpRequest, team_id: int) -> dict[str, Any]:
    actor = _staff(request)
    return _team_out(services.confirm_team(actor=actor, team_id=team_id, request=request))


@router.post("/{team_id}/edit/", response=TeamOut, summary="调整成员（调整后重新复核）")
def edit(request: HttpRequest, team_id: int, payload: EditIn) -> dict[str, Any]:
    actor = _staff(request)
    team = services.edit_team(
        actor=actor,
        team_id=team_id,
        reason=payload.reason,
        add=[services.MemberInput(m.staff_id, m.role, m.mentor_id) for m in payload.add],
        remove=payload.remove,
        lead_id=payload.lead_id,
        request=request,
    )
    return _team_out(team)


@router.post("/{team_id}/dissolve/", response=TeamOut, summary="解散办案组")
def dissolve(request: HttpRequest, team_id: int, payload: DissolveIn) -> dict[str, Any]:
    actor = _staff(request)
    return _team_out(
        services.dissolve_team(actor=actor, team_id=team_id, reason=payload.reason, request=request), live=False
    )


@router.post("/{team_id}/leave/", response=TeamOut, summary="成员退出")
def leave(request: HttpRequest, team_id: int, payload: LeaveIn) -> dict[str, Any]:
    actor = _staff(request)
    services.remove_member(
        actor=actor,
        team_id=team_id,
        staff_id=payload.staff_id,
        reason=payload.reason,
        left_on=payload.left_on,
        request=request,
    )
    with transaction.atomic():
        return _team_out(get_team_for(actor, team_id))


@router.get("/clues/{clue_id}/handling-requests/", response=list[HandlingRequestOut], summary="办理方式申请")
def handling_requests(request: HttpRequest, clue_id: int) -> list[dict[str, Any]]:
    actor = _staff(request)
    clue = get_clue_for(actor, clue_id)
    return [_request_out(r) for r in requests_of_clue(actor, clue.pk)]


@router.post("/clues/{clue_id}/handling-requests/", response={201: HandlingRequestOut}, summary="申请办理方式")
def request_mode(request: HttpRequest, clue_id: int, payload: HandlingRequestIn) -> Status:
    actor = _staff(request)
    row = services.request_handling_mode(
        actor=actor, clue_id=clue_id, mode=payload.mode, grounds=payload.grounds, reason=payload.reason, request=request
    )
    return Status(201, _request_out(row))


@router.post("/handling-requests/{request_id}/decide/", response=HandlingRequestOut, summary="组长决定办理方式")
def decide(request: HttpRequest, request_id: int, payload: HandlingDecisionIn) -> dict[str, Any]:
    actor = _staff(request)
    row = services.decide_handling_request(
        actor=actor, request_id=request_id, grant=payload.grant, note=payload.note, mode=payload.mode, request=request
    )
    return _request_out(row)
