"""Scoped reads of zone meetings. Every page and API call of meetings goes through here.

Who sees a meeting (``meetings_visible_to`` / ``can_view_meeting``, one rule written twice): the
commission's leadership and 案管 (every meeting of the commission), the zone's leader, deputies and
inspection-office staff (their zone's meetings), and whoever is on the meeting's attendance list.
An agenda item about a clue is seen only by those who see the clue (so recusal and the subject's own
exclusion carry over); its resolution, ballots and recusals follow the item. A follow-up task
(会议交办事项) follows its item too, and is also seen by the unit (and the person) it is assigned to,
who report it done — still never past a recusal from the item's clue.
"""

from __future__ import annotations

import calendar as pycalendar
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.access.registry import Policy, register
from xiezuoqu.clues.selectors import can_view_clue, clues_visible_to, reads_whole_commission
from xiezuoqu.intake.selectors import own_unit_ids, zone_reader_zone_ids
from xiezuoqu.org.models import StaffMember, Unit, Zone, ZoneDeputy

from .models import AgendaItem, Attendance, Ballot, FollowUp, ItemRecusal, Meeting, RegularSchedule, Resolution

# 民主集中制 (quorum): a meeting, and each item after its recusals, needs more than this share of the
# zone's voting members present; agreement needs more than this share of them voting for it.
QUORUM_SHARE = (1, 2)
# Voting members of a zone meeting: the zone's leading group (组长、副组长); others attend (列席).
VOTING_MEMBERS_RULE = "协作区组长、副组长"


def more_than_share(count: int, total: int) -> bool:
    """``count`` is more than QUORUM_SHARE of ``total`` (超过半数)."""
    numerator, denominator = QUORUM_SHARE
    return total > 0 and count * denominator > total * numerator


def _excluded(actor: Actor) -> bool:
    return actor.user_id is None or actor.is_admin or not actor.is_staff_worker


def _attended_meeting_ids(actor: Actor) -> QuerySet[Attendance]:
    return Attendance.objects.filter(staff_id=actor.staff_id).values("meeting_id")  # type: ignore[return-value]


def meetings_visible_to(actor: Actor) -> QuerySet[Meeting]:
    qs = Meeting.objects.all()
    if _excluded(actor):
        return qs.none()
    qs = qs.filter(commission_id__in=actor.commission_ids)
    if reads_whole_commission(actor):
        return qs
    rule = Q(zone_id__in=zone_reader_zone_ids(actor))
    if actor.staff_id is not None:
        rule |= Q(pk__in=_attended_meeting_ids(actor))
    return qs.filter(rule)


def can_view_meeting(actor: Actor, meeting: Meeting) -> bool:
    if _excluded(actor) or meeting.commission_id not in actor.commission_ids:
        return False
    if reads_whole_commission(actor) or meeting.zone_id in zone_reader_zone_ids(actor):
        return True
    return actor.staff_id is not None and Attendance.objects.filter(meeting=meeting, staff_id=actor.staff_id).exists()


def items_visible_to(actor: Actor) -> QuerySet[AgendaItem]:
    if _excluded(actor):
        return AgendaItem.objects.none()
    return AgendaItem.objects.filter(meeting__in=meetings_visible_to(actor)).filter(
        Q(clue__isnull=True) | Q(clue__in=clues_visible_to(actor))
    )


def can_view_item(actor: Actor, item: AgendaItem) -> bool:
    if not can_view_meeting(actor, item.meeting):
        return False
    return item.clue_id is None or can_view_clue(actor, item.clue)  # type: ignore[arg-type]


def attendances_visible_to(actor: Actor) -> QuerySet[Attendance]:
    return Attendance.objects.filter(meeting__in=meetings_visible_to(actor))


def recusals_visible_to(actor: Actor) -> QuerySet[ItemRecusal]:
    return ItemRecusal.objects.filter(item__in=items_visible_to(actor))


def resolutions_visible_to(actor: Actor) -> QuerySet[Resolution]:
    return Resolution.objects.filter(item__in=items_visible_to(actor))


def ballots_visible_to(actor: Actor) -> QuerySet[Ballot]:
    return Ballot.objects.filter(resolution__item__in=items_visible_to(actor))


def follow_ups_visible_to(actor: Actor) -> QuerySet[FollowUp]:
    if _excluded(actor):
        return FollowUp.objects.none()
    rule = Q(resolution__item__meeting__in=meetings_visible_to(actor))
    units = own_unit_ids(actor)
    if units:
        rule |= Q(unit_id__in=units)
    if actor.staff_id is not None:
        rule |= Q(assignee_id=actor.staff_id)
    clue_rule = Q(resolution__item__clue__isnull=True) | Q(resolution__item__clue__in=clues_visible_to(actor))
    return FollowUp.objects.filter(resolution__item__meeting__commission_id__in=actor.commission_ids).filter(
        rule, clue_rule
    )


def can_view_follow_up(actor: Actor, follow_up: FollowUp) -> bool:
    if _excluded(actor):
        return False
    item = follow_up.resolution.item
    if item.meeting.commission_id not in actor.commission_ids:
        return False
    if item.clue_id is not None and not can_view_clue(actor, item.clue):  # type: ignore[arg-type]
        return False
    return (
        can_view_meeting(actor, item.meeting)
        or follow_up.unit_id in own_unit_ids(actor)
        or (actor.staff_id is not None and follow_up.assignee_id == actor.staff_id)
    )


def schedules_visible_to(actor: Actor) -> QuerySet[RegularSchedule]:
    qs = RegularSchedule.objects.all()
    if _excluded(actor):
        return qs.none()
    qs = qs.filter(zone__commission_id__in=actor.commission_ids)
    if reads_whole_commission(actor):
        return qs
    return qs.filter(zone_id__in=zone_reader_zone_ids(actor))


def can_view_schedule(actor: Actor, rule: RegularSchedule) -> bool:
    if _excluded(actor) or rule.zone.commission_id not in actor.commission_ids:
        return False
    return reads_whole_commission(actor) or rule.zone_id in zone_reader_zone_ids(actor)


MEETINGS = register(Policy(Meeting, "会议", meetings_visible_to, can_view_meeting, case_content=True))
ITEMS = register(Policy(AgendaItem, "会议议题", items_visible_to, can_view_item, sensitive=True, case_content=True))
ATTENDANCES = register(
    Policy(
        Attendance,
        "会议出席情况",
        attendances_visible_to,
        lambda a, r: can_view_meeting(a, r.meeting),
        case_content=True,
    )
)
RECUSALS = register(
    Policy(ItemRecusal, "议题回避", recusals_visible_to, lambda a, r: can_view_item(a, r.item), case_content=True)
)
RESOLUTIONS = register(
    Policy(Resolution, "会议决议", resolutions_visible_to, lambda a, r: can_view_item(a, r.item), case_content=True)
)
BALLOTS = register(
    Policy(Ballot, "表决票", ballots_visible_to, lambda a, b: can_view_item(a, b.resolution.item), case_content=True)
)
FOLLOW_UPS = register(Policy(FollowUp, "会议交办事项", follow_ups_visible_to, can_view_follow_up, case_content=True))
SCHEDULES = register(Policy(RegularSchedule, "定期会议规则", schedules_visible_to, can_view_schedule))


def get_meeting_for(actor: Actor, meeting_id: Any) -> Meeting:
    queryset = meetings_visible_to(actor).select_related("zone", "commission", "chair")
    return MEETINGS.get_for(actor, meeting_id, queryset=queryset)


def get_item_for(actor: Actor, item_id: Any) -> AgendaItem:
    return ITEMS.get_for(actor, item_id, queryset=items_visible_to(actor).select_related("meeting", "clue"))


def get_follow_up_for(actor: Actor, follow_up_id: Any) -> FollowUp:
    queryset = follow_ups_visible_to(actor).select_related(
        "resolution__item__meeting__zone", "unit", "assignee", "reported_by"
    )
    return FOLLOW_UPS.get_for(actor, follow_up_id, queryset=queryset)


# --- who may do what -------------------------------------------------------------------------------------


def may_convene(actor: Actor, zone_id: int | None) -> bool:
    """The zone leader convenes, sets the agenda, opens the meeting and issues the minutes."""
    return not _excluded(actor) and zone_id is not None and zone_id in actor.led_zone_ids


def may_record(actor: Actor, zone_id: int | None) -> bool:
    """The leader and the deputies record attendance, recusals and the votes."""
    return not _excluded(actor) and zone_id is not None and zone_id in actor.leadership_zone_ids


def voting_member_ids(zone: Zone, on: date | None = None) -> list[int]:
    """The zone's voting members (VOTING_MEMBERS_RULE): its leader and its deputies in office."""
    day = on or timezone.localdate()
    ids: list[int] = [zone.leader_id] if zone.leader_id else []
    deputies = ZoneDeputy.objects.filter(zone=zone, start_date__lte=day).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day)
    )
    for staff_id in deputies.order_by("id").values_list("staff_id", flat=True):
        if staff_id not in ids:
            ids.append(staff_id)
    return ids


def follow_up_units(meeting: Meeting) -> list[Unit]:
    """The units a zone meeting may assign tasks to (会议交办事项): the zone's member units today and its
    lead inspection office — the meeting's page offers these, the service accepts no other."""
    from xiezuoqu.org.selectors import memberships_on

    members = memberships_on().filter(zone_id=meeting.zone_id).values("unit_id")
    rule = Q(pk__in=members)
    if meeting.zone.inspection_office_id is not None:
        rule |= Q(pk=meeting.zone.inspection_office_id)
    return list(
        Unit.objects.filter(rule, commission_id=meeting.commission_id, is_active=True).order_by("sort_order", "id")
    )


def zone_staff(meeting: Meeting, units: list[Unit] | None = None) -> list[StaffMember]:
    """The serving cadres of the units ``follow_up_units`` lists (pass them when already loaded): whom
    the page offers as a task's 承办人 or as a 列席 guest, by name and unit rather than by a number."""
    unit_ids = [u.pk for u in (units if units is not None else follow_up_units(meeting))]
    return list(
        StaffMember.objects.filter(home_unit_id__in=unit_ids, is_active=True)
        .select_related("home_unit")
        .order_by("home_unit__sort_order", "home_unit_id", "id")
    )


def zone_clues_for(actor: Actor, zone_id: int, limit: int = 300) -> list[Any]:
    """The zone's clues the actor may see, newest first: what an agenda item may point at."""
    return list(clues_visible_to(actor).filter(zone_id=zone_id).order_by("-received_on", "-id")[:limit])


@dataclass(frozen=True)
class ItemTally:
    """Who may vote on one item: the zone's voting members, those present, those withdrawn."""

    voting_members: int
    present_ids: frozenset[int]
    recused_ids: frozenset[int]

    @property
    def eligible_ids(self) -> frozenset[int]:
        return self.present_ids - self.recused_ids

    @property
    def quorate(self) -> bool:
        return more_than_share(len(self.eligible_ids), self.voting_members)


def tally(item: AgendaItem) -> ItemTally:
    rows = list(
        Attendance.objects.filter(meeting_id=item.meeting_id, is_voting=True).values_list("staff_id", "presence")
    )
    recused = set(ItemRecusal.objects.filter(item=item).values_list("staff_id", flat=True))
    present = {staff_id for staff_id, presence in rows if presence == "present"}
    return ItemTally(len(rows), frozenset(present), frozenset(recused))


# --- pages ---------------------------------------------------------------------------------------------------


def meeting_page(actor: Actor, meeting: Meeting) -> dict[str, Any]:
    """A meeting's page: its items in scope with their recusals, resolutions, ballots (by name) and
    follow-up tasks, and its attendance. A fixed number of queries, however many items."""
    items = list(
        items_visible_to(actor)
        .filter(meeting=meeting)
        .select_related("clue", "resolution")
        .prefetch_related(
            "recusals__staff",
            Prefetch("resolution__ballots", queryset=Ballot.objects.select_related("staff").order_by("id")),
            Prefetch(
                "resolution__follow_ups", queryset=FollowUp.objects.select_related("unit", "assignee").order_by("seq")
            ),
        )
        .order_by("order")
    )
    hidden = AgendaItem.objects.filter(meeting=meeting).count() - len(items)
    attendances = list(Attendance.objects.filter(meeting=meeting).select_related("staff", "staff__home_unit"))
    follow_ups = [
        f
        for item in items
        if item.state == "decided"
        for f in item.resolution.follow_ups.all()  # type: ignore[attr-defined]
    ]
    return {"items": items, "hidden_items": hidden, "attendances": attendances, "follow_ups": follow_ups}


def parse_month(value: str | None) -> tuple[int, int]:
    """``YYYY-MM`` as (year, month); this month when missing or malformed."""
    try:
        year, month = (int(x) for x in (value or "").split("-"))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return year, month
    except ValueError:
        pass
    today = timezone.localdate()
    return today.year, today.month


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    last = pycalendar.monthrange(year, month)[1]
    start = timezone.make_aware(datetime.combine(date(year, month, 1), time.min))
    end = timezone.make_aware(datetime.combine(date(year, month, last), time.max))
    return start, end


def month_meetings(actor: Actor, year: int, month: int, zone_id: int | None = None) -> list[Meeting]:
    start, end = month_bounds(year, month)
    qs = meetings_visible_to(actor).filter(scheduled_at__range=(start, end))
    if zone_id:
        qs = qs.filter(zone_id=zone_id)
    return list(qs.select_related("zone", "chair").order_by("scheduled_at", "id")[:500])


def rule_date(rule: RegularSchedule, year: int, month: int) -> date:
    """The date the rule gives in a month: the n-th (or last) given weekday, moved to the next working
    day when it falls on a holiday (or a make-up working weekend is not the rule's weekday)."""
    from xiezuoqu.workdays.selectors import work_calendar

    days = [
        d for d in range(1, pycalendar.monthrange(year, month)[1] + 1) if date(year, month, d).weekday() == rule.weekday
    ]
    day = date(year, month, days[-1] if rule.week == RegularSchedule.Week.LAST else days[rule.week - 1])
    return work_calendar().roll_forward(day).date


@dataclass(frozen=True)
class ProposedMeeting:
    rule: RegularSchedule
    day: date
    planned: Meeting | None


def proposed_meetings(actor: Actor, year: int, month: int, zone_id: int | None = None) -> list[ProposedMeeting]:
    """The regular meetings the zones' rules call for in this month, and the meeting already planned
    for each (a meeting of that kind in that zone in that month), if any."""
    rules = schedules_visible_to(actor).filter(is_active=True).select_related("zone")
    if zone_id:
        rules = rules.filter(zone_id=zone_id)
    start, end = month_bounds(year, month)
    planned = {
        (m.zone_id, m.kind): m
        for m in meetings_visible_to(actor)
        .filter(scheduled_at__range=(start, end))
        .exclude(state="cancelled")
        .order_by("-scheduled_at")
    }
    return [ProposedMeeting(r, rule_date(r, year, month), planned.get((r.zone_id, r.kind))) for r in rules]


def zones_for(actor: Actor) -> list[Zone]:
    """Zones whose calendar this actor reads."""
    if _excluded(actor):
        return []
    qs = Zone.objects.filter(commission_id__in=actor.commission_ids)
    if not reads_whole_commission(actor):
        qs = qs.filter(pk__in=zone_reader_zone_ids(actor))
    return list(qs.order_by("commission_id", "number"))
