"""Scoped reads of the training record (以干代训, 一帮二).

Who reads what (DESIGN §5 funnel; issue 12):
- a cadre reads their own record;
- a zone leader or deputy reads the records of the cadres of their zone (its member units today and
  its lead inspection office);
- the commission's head, its leaders and 案管 read every record of the commission;
- an assessment is read by whoever reads the trainee's record, and by the mentor who wrote it.
The administrators read nothing here. Reading a record or an assessment is recorded in the audit chain.

A turn (以干代训一次) is a trainee seat on a team that was confirmed; its year is the year the seat
began (the day the cadre joined the confirmed team).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.access.registry import Policy, register
from xiezuoqu.accounts.roles import Role
from xiezuoqu.audit.services import record_event
from xiezuoqu.errors import NotFound
from xiezuoqu.keys import as_key
from xiezuoqu.org.models import MentoringPair, StaffMember, Unit, Zone
from xiezuoqu.org.selectors import current_member_unit_ids
from xiezuoqu.teams.models import MemberRole, TeamMember, TeamState

from .models import DEFAULT_MIN_TURNS, Assessment, AssessmentRevision, Cadre, Level, TrainingPolicy

OVERSEER_ROLES = (Role.COMMISSION_HEAD, Role.COMMISSION_LEADER, Role.CASE_MANAGER)
HIDDEN_MATTER = "（不在您查看范围内的事项）"


# --- who -------------------------------------------------------------------------------------------------------


def _staff(actor: Actor) -> bool:
    return actor.user_id is not None and not actor.is_admin and actor.is_staff_worker


def is_overseer(actor: Actor, commission_id: int | None = None) -> bool:
    """The commission's head, leaders and 案管: every record of the commission."""
    if not _staff(actor) or not actor.has(*OVERSEER_ROLES):
        return False
    return commission_id is None or commission_id in actor.commission_ids


def zone_units(zone_ids: Iterable[int]) -> set[int]:
    """The member units of the zones today, and their lead inspection offices."""
    ids = list(zone_ids)
    units = current_member_unit_ids(ids)
    units |= {pk for pk in Zone.objects.filter(pk__in=ids).values_list("inspection_office_id", flat=True) if pk}
    return units


def _led_units(actor: Actor) -> set[int]:
    return zone_units(actor.leadership_zone_ids) if actor.leadership_zone_ids else set()


def may_read_zone(actor: Actor, zone: Zone) -> bool:
    return _staff(actor) and (zone.pk in actor.leadership_zone_ids or is_overseer(actor, zone.commission_id))


# --- scopes ------------------------------------------------------------------------------------------------------


def cadres_visible_to(actor: Actor) -> QuerySet[Cadre]:
    if not _staff(actor):
        return Cadre.objects.none()
    if is_overseer(actor):
        return Cadre.objects.filter(commission_id__in=actor.commission_ids)
    rule = Q(pk=actor.staff_id) if actor.staff_id is not None else Q(pk__in=[])
    units = _led_units(actor)
    if units:
        rule |= Q(home_unit_id__in=units, commission_id__in=actor.commission_ids)
    return Cadre.objects.filter(rule)


def can_view_cadre(actor: Actor, cadre: StaffMember) -> bool:
    if not _staff(actor):
        return False
    if is_overseer(actor):
        return cadre.commission_id in actor.commission_ids
    if actor.staff_id is not None and cadre.pk == actor.staff_id:
        return True
    return cadre.commission_id in actor.commission_ids and cadre.home_unit_id in _led_units(actor)


def assessments_visible_to(actor: Actor) -> QuerySet[Assessment]:
    if not _staff(actor):
        return Assessment.objects.none()
    rule = Q(seat__staff__in=cadres_visible_to(actor))
    if actor.staff_id is not None:
        rule |= Q(mentor_id=actor.staff_id)
    return Assessment.objects.filter(rule)


def can_view_assessment(actor: Actor, assessment: Assessment) -> bool:
    if not _staff(actor):
        return False
    if actor.staff_id is not None and assessment.mentor_id == actor.staff_id:
        return True
    return can_view_cadre(actor, assessment.seat.staff)


CADRES = register(Policy(Cadre, "以干代训记录", cadres_visible_to, can_view_cadre, sensitive=True))
ASSESSMENTS = register(Policy(Assessment, "带教评价", assessments_visible_to, can_view_assessment, sensitive=True))


def get_cadre_for(actor: Actor, staff_id: Any, *, request: HttpRequest | None = None) -> Cadre:
    """The funnel for one record: missing and out of reach both 404 (refusal on record); a read is audited."""
    cadre = CADRES.get_for(actor, staff_id, queryset=cadres_visible_to(actor).select_related("home_unit"))
    with transaction.atomic():
        record_event(actor=actor, action="training_record.viewed", target=cadre, request=request)
    return cadre


def get_zone_for(actor: Actor, zone_id: Any, *, request: HttpRequest | None = None) -> Zone:
    from xiezuoqu.org.selectors import ZONES

    try:
        zone = ZONES.get_for(actor, zone_id)
    except NotFound:
        zone = None
    if zone is None or not may_read_zone(actor, zone):
        raise NotFound(audit_action="training_zone.viewed", target_type="org.zone", target_id=str(zone_id))
    with transaction.atomic():
        record_event(actor=actor, action="training_zone.viewed", target=zone, request=request)
    return zone


# --- turns -------------------------------------------------------------------------------------------------------


def turn_seats() -> QuerySet[TeamMember]:
    """Every trainee seat on a team that was confirmed (a proposal never confirmed is no turn)."""
    return TeamMember.objects.filter(role=MemberRole.TRAINEE, team__confirmed_at__isnull=False)


def in_year(qs: QuerySet[TeamMember], year: int) -> QuerySet[TeamMember]:
    return qs.filter(Q(joined_on__year=year) | Q(joined_on__isnull=True, team__confirmed_at__year=year))


def turn_counts(staff_ids: Iterable[int], year: int | None = None) -> dict[int, int]:
    """Turns per cadre (all years, or one)."""
    qs = turn_seats().filter(staff_id__in=list(staff_ids))
    if year is not None:
        qs = in_year(qs, year)
    return dict(qs.values("staff_id").annotate(n=Count("id")).values_list("staff_id", "n"))


def working_seat_ids(seat_ids: Iterable[int]) -> set[int]:
    from xiezuoqu.teams.selectors import working_seats

    return set(working_seats().filter(pk__in=list(seat_ids)).values_list("pk", flat=True))


def seat_closed(seat: TeamMember, working: set[int]) -> bool:
    """The matter is over for this trainee: they left, the team ended, or its task is done."""
    return seat.left_on is not None or seat.team.state != TeamState.CONFIRMED or seat.pk not in working


def policy_of(commission_id: int | None) -> TrainingPolicy:
    found = TrainingPolicy.objects.filter(commission_id=commission_id).first()
    return found or TrainingPolicy(commission_id=commission_id, min_turns=DEFAULT_MIN_TURNS)


def levels_of(commission_id: int | None, *, active_only: bool = True) -> list[Level]:
    qs = Level.objects.filter(commission_id=commission_id)
    if active_only:
        qs = qs.filter(is_active=True)
    return list(qs.order_by("order", "id"))


# --- who may write an assessment ---------------------------------------------------------------------------------


def may_assess(actor: Actor, seat: TeamMember) -> bool:
    """The seat's mentor, or the leader of the zone the matter belongs to."""
    if not _staff(actor):
        return False
    if actor.staff_id is not None and seat.mentor_id == actor.staff_id:
        return True
    return seat.team.clue.zone_id in actor.led_zone_ids


def assessable_seats(actor: Actor) -> QuerySet[TeamMember]:
    """Trainee seats whose assessment this actor may write (mentor or zone leader), within their team scope."""
    from xiezuoqu.teams.selectors import team_members_visible_to

    if not _staff(actor):
        return TeamMember.objects.none()
    rule = Q(team__clue__zone_id__in=actor.led_zone_ids)
    if actor.staff_id is not None:
        rule |= Q(mentor_id=actor.staff_id)
    return turn_seats().filter(rule).filter(pk__in=team_members_visible_to(actor).values("pk"))


def sees_trainee_seat(actor: Actor, seat_id: Any) -> bool:
    """Whether the actor sees this trainee seat at all (through the team's scope)."""
    from xiezuoqu.teams.selectors import team_members_visible_to

    key = as_key(seat_id)
    return key is not None and team_members_visible_to(actor).filter(pk=key, role=MemberRole.TRAINEE).exists()


def get_assessable_seat(actor: Actor, seat_id: Any) -> TeamMember:
    qs = assessable_seats(actor).select_related("team__clue", "staff__home_unit", "mentor")
    key = as_key(seat_id)
    found = qs.filter(pk=key).first() if key is not None else None
    if found is None:
        raise NotFound(audit_action="teammember.viewed", target_type="teams.teammember", target_id=str(seat_id))
    return found


# --- the record --------------------------------------------------------------------------------------------------


@dataclass
class Turn:
    seat: TeamMember
    start: date | None
    end: date | None
    closed: bool
    matter: str
    matter_id: int | None
    assessment: Assessment | None
    revisions: list[AssessmentRevision] = field(default_factory=list)
    may_assess: bool = False

    @property
    def purpose(self) -> str:
        return self.seat.team.get_purpose_display()

    @property
    def mode(self) -> str:
        return self.seat.team.get_mode_display()


@dataclass
class Record:
    cadre: StaffMember
    turns: list[Turn]
    pairs: list[MentoringPair]
    mentored: int
    year: int
    turns_this_year: int
    min_turns: int

    @property
    def too_few(self) -> bool:
        return self.turns_this_year < self.min_turns


def _start(seat: TeamMember) -> date | None:
    if seat.joined_on:
        return seat.joined_on
    confirmed = seat.team.confirmed_at
    return timezone.localtime(confirmed).date() if confirmed else None


def _end(seat: TeamMember) -> date | None:
    if seat.left_on:
        return seat.left_on
    ended = seat.team.ended_at
    return timezone.localtime(ended).date() if ended else None


def record_for(
    actor: Actor, cadre: StaffMember, *, year: int | None = None, request: HttpRequest | None = None
) -> Record:
    """A cadre's record (the caller got ``cadre`` through ``get_cadre_for``): the turns with their matter,
    role, period, mentor and assessment, the 一帮二 pairs over time, and the count of the year."""
    from xiezuoqu.clues.selectors import clues_visible_to

    year = year or timezone.localdate().year
    seats = list(
        turn_seats()
        .filter(staff_id=cadre.pk)
        .select_related("team__clue", "team__lead_unit", "mentor")
        .order_by("-joined_on", "-team__confirmed_at", "-id")
    )
    clue_ids = {s.team.clue_id for s in seats}
    visible = set(clues_visible_to(actor).filter(pk__in=clue_ids).values_list("pk", flat=True)) if clue_ids else set()
    working = working_seat_ids(s.pk for s in seats)
    assessments = {
        a.seat_id: a
        for a in assessments_visible_to(actor)
        .filter(seat_id__in=[s.pk for s in seats])
        .select_related("level", "mentor", "written_by")
    }
    revisions: dict[int, list[AssessmentRevision]] = {}
    for rev in AssessmentRevision.objects.filter(assessment__in=list(assessments.values())).select_related(
        "level", "written_by"
    ):
        revisions.setdefault(rev.assessment_id, []).append(rev)
    turns = []
    for seat in seats:
        shown = seat.team.clue_id in visible
        assessment = assessments.get(seat.pk)
        closed = seat_closed(seat, working)
        turns.append(
            Turn(
                seat=seat,
                start=_start(seat),
                end=_end(seat),
                closed=closed,
                matter=seat.team.clue.ledger_number if shown else HIDDEN_MATTER,
                matter_id=seat.team.clue_id if shown else None,
                assessment=assessment,
                revisions=revisions.get(assessment.pk, []) if assessment else [],
                may_assess=closed and may_assess(actor, seat),
            )
        )
    with transaction.atomic():
        for assessment in assessments.values():
            record_event(actor=actor, action="assessment.viewed", target=assessment, request=request)
    pairs = list(
        MentoringPair.objects.filter(Q(mentor=cadre) | Q(mentee_one=cadre) | Q(mentee_two=cadre))
        .select_related("mentor", "mentee_one", "mentee_two")
        .order_by("-start_date", "-id")
    )
    this_year = sum(1 for t in turns if t.start is not None and t.start.year == year)
    return Record(
        cadre=cadre,
        turns=turns,
        pairs=pairs,
        mentored=turn_seats().filter(mentor_id=cadre.pk).count(),
        year=year,
        turns_this_year=this_year,
        min_turns=policy_of(cadre.commission_id).min_turns,
    )


# --- a zone ------------------------------------------------------------------------------------------------------


@dataclass
class CadreRow:
    cadre: StaffMember
    turns: int
    total: int
    too_few: bool
    mentor: StaffMember | None


@dataclass
class TownshipRow:
    unit: Unit
    cadres: int
    turns: int
    too_few: int


@dataclass
class ZoneTraining:
    zone: Zone
    year: int
    min_turns: int
    rows: list[CadreRow]
    townships: list[TownshipRow]

    @property
    def too_few(self) -> list[CadreRow]:
        return [r for r in self.rows if r.too_few]


def zone_training(zone: Zone, year: int | None = None) -> ZoneTraining:
    """The zone's township cadres (the caller got ``zone`` through ``get_zone_for``) with their turns of the
    year, flagged when fewer than the commission's minimum; the same per township. Fewest turns first."""
    year = year or timezone.localdate().year
    units = current_member_unit_ids([zone.pk])
    cadres = list(
        StaffMember.objects.filter(
            is_active=True, home_unit_id__in=units, home_unit__kind=Unit.Kind.TOWNSHIP_COMMITTEE
        ).select_related("home_unit")
    )
    ids = [c.pk for c in cadres]
    of_year = turn_counts(ids, year)
    total = turn_counts(ids)
    today = timezone.localdate()
    mentors: dict[int, StaffMember] = {}
    pairs = MentoringPair.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today), start_date__lte=today
    ).select_related("mentor")
    for pair in pairs.filter(Q(mentee_one_id__in=ids) | Q(mentee_two_id__in=ids)):
        mentors[pair.mentee_one_id] = pair.mentor
        mentors[pair.mentee_two_id] = pair.mentor
    minimum = policy_of(zone.commission_id).min_turns
    rows = [
        CadreRow(c, of_year.get(c.pk, 0), total.get(c.pk, 0), of_year.get(c.pk, 0) < minimum, mentors.get(c.pk))
        for c in cadres
    ]
    rows.sort(key=lambda r: (r.turns, r.cadre.home_unit.sort_order, r.cadre.home_unit_id, r.cadre.pk))
    townships: dict[int, TownshipRow] = {}
    for row in rows:
        unit = row.cadre.home_unit
        item = townships.setdefault(unit.pk, TownshipRow(unit, 0, 0, 0))
        item.cadres += 1
        item.turns += row.turns
        item.too_few += int(row.too_few)
    ordered = sorted(townships.values(), key=lambda t: (t.unit.sort_order, t.unit.pk))
    return ZoneTraining(zone, year, minimum, rows, ordered)


def readable_zones(actor: Actor) -> list[Zone]:
    if not _staff(actor):
        return []
    qs = Zone.objects.filter(commission_id__in=actor.commission_ids)
    if not is_overseer(actor):
        qs = qs.filter(pk__in=actor.leadership_zone_ids)
    return list(qs.order_by("commission_id", "number"))


def my_assessable_open(actor: Actor, limit: int = 100) -> list[TeamMember]:
    """Closed trainee seats this actor may assess that have no assessment yet (the index's to-do list)."""
    seats = list(
        assessable_seats(actor)
        .filter(training_assessment__isnull=True)
        .select_related("team__clue", "staff__home_unit")
        .order_by("-id")[: limit * 3]
    )
    working = working_seat_ids(s.pk for s in seats)
    return [s for s in seats if seat_closed(s, working)][:limit]
