"""Reads of teams. ``active_team`` and ``active_member_staff_ids`` are what other apps ask of a team
(verification: who must sign the report; recusal: who must declare; clues: who may see the matter)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from xiezuoqu.access.actor import Actor
from xiezuoqu.access.registry import Policy, register
from xiezuoqu.intake.selectors import zone_reader_zone_ids
from xiezuoqu.org.models import StaffMember, Zone
from xiezuoqu.org.selectors import current_member_unit_ids

from .models import HandlingRequest, Purpose, Team, TeamMember, TeamState
from .models import active_member_staff_ids as active_member_staff_ids
from .models import clue_ids_on_team_of as clue_ids_on_team_of


def active_team(clue_id: int, purpose: str = Purpose.VERIFICATION) -> Team | None:
    """The confirmed team of a clue for a purpose, or None."""
    return Team.objects.filter(clue_id=clue_id, purpose=purpose, state=TeamState.CONFIRMED).first()


def active_members(clue_id: int, purpose: str = Purpose.VERIFICATION) -> QuerySet[TeamMember]:
    return TeamMember.objects.filter(
        team__clue_id=clue_id, team__purpose=purpose, team__state=TeamState.CONFIRMED, left_on__isnull=True
    ).select_related("staff")


# --- scope: everything here hangs from a clue and is seen by whoever sees the clue ------------------------


# clues.selectors asks teams.models who is on a team (a team member sees the matter); this module asks
# clues.selectors for the clue scope, one way only.


def handling_requests_visible_to(actor: Actor) -> QuerySet[HandlingRequest]:
    from xiezuoqu.clues.selectors import clues_visible_to

    return HandlingRequest.objects.filter(clue__in=clues_visible_to(actor))


def teams_visible_to(actor: Actor) -> QuerySet[Team]:
    from xiezuoqu.clues.selectors import clues_visible_to

    return Team.objects.filter(clue__in=clues_visible_to(actor))


def team_members_visible_to(actor: Actor) -> QuerySet[TeamMember]:
    from xiezuoqu.clues.selectors import clues_visible_to

    return TeamMember.objects.filter(team__clue__in=clues_visible_to(actor))


def _via_clue(actor: Actor, row: HandlingRequest | Team) -> bool:
    from xiezuoqu.clues.selectors import can_view_clue

    return can_view_clue(actor, row.clue)


def _member_via_clue(actor: Actor, row: TeamMember) -> bool:
    from xiezuoqu.clues.selectors import can_view_clue

    return can_view_clue(actor, row.team.clue)


HANDLING_REQUESTS = register(
    Policy(HandlingRequest, "办理方式申请", handling_requests_visible_to, _via_clue, case_content=True)
)
TEAMS = register(Policy(Team, "办案组", teams_visible_to, _via_clue, case_content=True))
TEAM_MEMBERS = register(Policy(TeamMember, "办案组成员", team_members_visible_to, _member_via_clue, case_content=True))


def get_team_for(actor: Actor, team_id: Any) -> Team:
    return TEAMS.get_for(
        actor, team_id, queryset=teams_visible_to(actor).select_related("clue", "lead_unit", "proposed_by")
    )


def get_handling_request_for(actor: Actor, request_id: Any) -> HandlingRequest:
    return HANDLING_REQUESTS.get_for(
        actor, request_id, queryset=handling_requests_visible_to(actor).select_related("clue", "requesting_unit")
    )


def teams_of_clue(actor: Actor, clue_id: int) -> list[Team]:
    """The clue's teams, newest first, with their members (three queries)."""
    return list(
        teams_visible_to(actor)
        .filter(clue_id=clue_id)
        .select_related("lead_unit", "proposed_by", "confirmed_by")
        .prefetch_related(
            Prefetch(
                "members",
                queryset=TeamMember.objects.select_related("staff__home_unit", "mentor").order_by("role", "id"),
            )
        )
        .order_by("-proposed_at", "-id")
    )


def requests_of_clue(actor: Actor, clue_id: int) -> list[HandlingRequest]:
    return list(
        handling_requests_visible_to(actor)
        .filter(clue_id=clue_id)
        .select_related("requesting_unit", "requested_by", "decided_by")
        .order_by("-requested_at", "-id")
    )


def clues_awaiting_team(actor: Actor, zone_id: int, *, limit: int = 200) -> list[Any]:
    """The zone's clues in 初步核实 the actor sees that have no confirmed verification team yet."""
    from xiezuoqu.clues.selectors import clues_visible_to
    from xiezuoqu.clues.workflow import State as ClueState

    staffed = Team.objects.filter(purpose=Purpose.VERIFICATION, state=TeamState.CONFIRMED).values("clue_id")
    return list(
        clues_visible_to(actor)
        .filter(zone_id=zone_id, state=ClueState.PRELIMINARY_VERIFICATION)
        .exclude(pk__in=staffed)
        .select_related("handling_unit", "township")
        .order_by("-id")[:limit]
    )


# --- who may do what ----------------------------------------------------------------------------------------


def leads_zone(actor: Actor, zone_id: int | None) -> bool:
    """Zone leader or deputy of the zone: confirms and edits teams."""
    return zone_id is not None and zone_id in actor.leadership_zone_ids and not actor.is_admin


def may_propose(actor: Actor, zone_id: int | None) -> bool:
    """The zone's leadership and its inspection office staff run the solver."""
    return zone_id is not None and not actor.is_admin and zone_id in zone_reader_zone_ids(actor)


# --- the pool and the workload --------------------------------------------------------------------------------


def zone_unit_ids(zone: Zone) -> set[int]:
    """The zone's member units today, and its lead inspection office."""
    units = current_member_unit_ids([zone.pk])
    if zone.inspection_office_id is not None:
        units.add(zone.inspection_office_id)
    return units


def working_seats() -> QuerySet[TeamMember]:
    """Seats that carry work now: on a confirmed team, not left, and the team's task not yet done — a
    verification team while its clue is under 初步核实, an investigation team while its case is filed or
    under investigation. A finished task no longer weighs on anyone's capacity (the seat stays on record,
    and the member keeps seeing the matter)."""
    from xiezuoqu.cases.models import Case
    from xiezuoqu.cases.workflow import State as CaseState
    from xiezuoqu.clues.workflow import State as ClueState

    investigating = Case.objects.filter(
        clue_id=OuterRef("team__clue_id"), state__in=[CaseState.FILED, CaseState.INVESTIGATING]
    )
    return TeamMember.objects.filter(team__state=TeamState.CONFIRMED, left_on__isnull=True).filter(
        Q(team__purpose=Purpose.VERIFICATION, team__clue__state=ClueState.PRELIMINARY_VERIFICATION)
        | Q(Exists(investigating), team__purpose=Purpose.INVESTIGATION)
    )


def seat_counts(staff_ids: Iterable[int] | None = None, *, exclude_team_ids: Iterable[int] = ()) -> dict[int, int]:
    """Working seats (see ``working_seats``) per staff member: their current load."""
    qs = working_seats()
    if staff_ids is not None:
        qs = qs.filter(staff_id__in=list(staff_ids))
    excluded = list(exclude_team_ids)
    if excluded:
        qs = qs.exclude(team_id__in=excluded)
    return dict(qs.values("staff_id").annotate(n=Count("id")).values_list("staff_id", "n"))


@dataclass
class WorkloadRow:
    staff: StaffMember
    load: int
    capacity: int
    clues: list[tuple[int, str, str]]  # (clue id, ledger number, role label) of clues the actor may see
    hidden: int  # seats on clues the actor may not see

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.load / self.capacity)) if self.capacity else 100

    @property
    def level(self) -> str:
        if self.load >= self.capacity:
            return "red"
        return "yellow" if self.percent >= 67 else "green"


def workload_zone_ids(actor: Actor) -> list[Zone]:
    """The zones whose workload page this actor may open: all of the commission for its readers and
    leadership, else the zones the actor leads, deputises or works in."""
    from xiezuoqu.clues.selectors import reads_whole_commission

    if actor.is_admin or not actor.is_staff_worker:
        return []
    qs = Zone.objects.filter(commission_id__in=actor.commission_ids)
    if not reads_whole_commission(actor):
        qs = qs.filter(pk__in=zone_reader_zone_ids(actor))
    return list(qs.order_by("commission_id", "number"))


def workload(actor: Actor, zone: Zone | None) -> list[WorkloadRow]:
    """Who carries what: active seats per staff member of the zone pool (or the whole commission for
    its readers) against capacity, busiest first; a bounded number of queries."""
    from xiezuoqu.clues.selectors import clues_visible_to, reads_whole_commission

    zones = workload_zone_ids(actor)
    if zone is not None and zone.pk not in {z.pk for z in zones}:
        return []
    if zone is None and not reads_whole_commission(actor):
        return []
    staff_qs = StaffMember.objects.filter(is_active=True, commission_id__in=actor.commission_ids)
    if zone is not None:
        staff_qs = staff_qs.filter(home_unit_id__in=zone_unit_ids(zone))
    staff = list(staff_qs.select_related("home_unit"))
    seats = list(
        working_seats().filter(staff__in=[s.pk for s in staff]).select_related("team__clue").order_by("team__clue_id")
    )
    clue_ids = {seat.team.clue_id for seat in seats}
    visible = set(clues_visible_to(actor).filter(pk__in=clue_ids).values_list("pk", flat=True)) if clue_ids else set()
    by_staff: dict[int, list[TeamMember]] = {}
    for seat in seats:
        by_staff.setdefault(seat.staff_id, []).append(seat)
    rows = []
    for member in staff:
        mine = by_staff.get(member.pk, [])
        shown = [
            (s.team.clue_id, s.team.clue.ledger_number, s.get_role_display()) for s in mine if s.team.clue_id in visible
        ]
        rows.append(WorkloadRow(member, len(mine), member.capacity, shown, len(mine) - len(shown)))
    rows.sort(key=lambda r: (-r.load / max(1, r.capacity), -r.load, r.staff.home_unit_id, r.staff.pk))
    return rows
