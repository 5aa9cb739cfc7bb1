"""工作台: what waits for the viewer now, kind by kind, each row one click from where the work is done.

Every kind reads through its app's scope (``*_visible_to``) and, where the app has one, the predicate
that says who acts (``may_route``, ``may_decide_as_body``, ``may_trial``), so a row is only there for
someone who can open it and do the work. A kind lists at most ``LIMIT`` rows, the oldest or most
urgent first, with the count of all and a link to the full list when the app has one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from xiezuoqu.access.actor import Actor

LIMIT = 8
# How many candidate rows a kind with a Python predicate reads at most (the count says "200+" past it).
SCAN = 200


@dataclass(frozen=True)
class Row:
    title: str
    url: str
    note: str = ""
    when: date | datetime | None = None
    colour: str = ""  # red / yellow: urgent


@dataclass(frozen=True)
class Work:
    key: str
    label: str
    rows: list[Row]
    count: int
    more_url: str = ""
    capped: bool = False  # the count stopped at SCAN
    quiet: bool = False  # work that comes now and then: its tile shows only when something waits

    @property
    def shown(self) -> bool:
        return bool(self.count) or not self.quiet

    @property
    def count_text(self) -> str:
        return f"{self.count}+" if self.capped else str(self.count)


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    applies: Callable[[Actor], bool]
    fetch: Callable[[Actor], tuple[list[Row], int, bool]]
    more: str = ""  # url name of the full list
    more_if: Callable[[Actor], bool] | None = None  # when the full list is not every viewer's
    quiet: bool = False


def _day(value: date | datetime | None) -> date | datetime | None:
    return timezone.localtime(value) if isinstance(value, datetime) else value


def _listed(
    objects: Iterable[Any], row: Callable[[Any], Row], *, count: int | None = None
) -> tuple[list[Row], int, bool]:
    items = list(objects)
    total = len(items) if count is None else count
    return [row(o) for o in items[:LIMIT]], total, count is None and len(items) >= SCAN


def _counted(qs: Any, row: Callable[[Any], Row]) -> tuple[list[Row], int, bool]:
    """The first ``LIMIT`` rows of a scoped queryset and the count of all of it (two queries)."""
    return _listed(qs[:LIMIT], row, count=qs.count())


# --- the kinds ------------------------------------------------------------------------------------------


def _staff(actor: Actor) -> bool:
    return actor.is_staff_worker and not actor.is_admin


def _received(actor: Actor) -> tuple[list[Row], int, bool]:
    from xiezuoqu.intake.selectors import received_queue

    qs = received_queue(actor).select_related("ledger_unit")
    return _counted(
        qs,
        lambda r: Row(
            f"{r.get_channel_display()}：{r.summary}",
            reverse("intake:register_received", args=[r.pk]),
            r.ledger_unit.name,
            r.received_on,
        ),
    )


def _to_route(actor: Actor) -> tuple[list[Row], int, bool]:
    from xiezuoqu.intake.selectors import may_route, staff_reports
    from xiezuoqu.intake.workflow import State

    qs = (
        staff_reports(actor)
        .filter(state__in=[State.REGISTERED, State.FORWARDED_DOWN], commission_id=actor.commission_id)
        .select_related("routing_unit")
        .order_by("received_on", "id")
    )
    mine = [r for r in qs[:SCAN] if may_route(actor, r)]
    return _listed(
        mine,
        lambda r: Row(
            f"{r.ledger_number or r.pk}：{r.summary}",
            r.get_absolute_url(),
            f"{r.get_state_display()} · {r.routing_unit.name if r.routing_unit else ''}",
            r.received_on,
        ),
    )


def _approvals(actor: Actor) -> tuple[list[Row], int, bool]:
    from xiezuoqu.approvals.selectors import requests_to_decide

    qs = requests_to_decide(actor).order_by("submitted_at", "id")
    return _counted(
        qs,
        lambda a: Row(a.title, reverse("approvals:detail", args=[a.pk]), a.chain_name, _day(a.submitted_at)),
    )


def _recusal_demands(actor: Actor) -> tuple[list[Row], int, bool]:
    from xiezuoqu.recusal.selectors import pending_demands_for_head

    qs = pending_demands_for_head(actor).select_related("staff")
    return _counted(
        qs,
        lambda d: Row(
            f"申请{d.staff.name}回避：{d.get_ground_display()}",
            reverse("recusal:matter", args=[d.clue_id]),
            d.get_demanded_by_display(),
            d.received_on,
        ),
    )


def _handling_requests(actor: Actor) -> tuple[list[Row], int, bool]:
    from xiezuoqu.teams.models import RequestState
    from xiezuoqu.teams.selectors import handling_requests_visible_to

    qs = (
        handling_requests_visible_to(actor)
        .filter(state=RequestState.PENDING, clue__zone_id__in=actor.led_zone_ids)
        .select_related("clue", "requesting_unit")
        .order_by("requested_at", "id")
    )
    return _counted(
        qs,
        lambda h: Row(
            f"{h.requesting_unit.name}申请{h.get_requested_mode_display()}：{h.clue}",
            reverse("teams:clue", args=[h.clue_id]),
            "",
            _day(h.requested_at),
        ),
    )


def _filing_for_agenda(actor: Actor) -> tuple[list[Row], int, bool]:
    from xiezuoqu.filing.selectors import proposals_visible_to
    from xiezuoqu.filing.workflow import State

    qs = (
        proposals_visible_to(actor)
        .filter(state=State.SUBMITTED_TO_ZONE, zone_id__in=actor.led_zone_ids)
        .select_related("clue")
        .order_by("submitted_at", "id")
    )
    return _counted(
        qs,
        lambda p: Row(str(p), p.get_absolute_url(), "待安排协作区会议研究", _day(p.submitted_at)),
    )


def _filing_for_body(actor: Actor) -> tuple[list[Row], int, bool]:
    from xiezuoqu.filing.selectors import may_decide_as_body, proposals_visible_to
    from xiezuoqu.filing.workflow import State

    qs = proposals_visible_to(actor).filter(state=State.ZONE_AGREED).select_related("clue").order_by("id")
    mine = [p for p in qs[:SCAN] if may_decide_as_body(actor, p)]
    return _listed(mine, lambda p: Row(str(p), p.get_absolute_url(), p.body_name, None))


def _meetings(actor: Actor) -> tuple[list[Row], int, bool]:
    from xiezuoqu.meetings.selectors import meetings_visible_to
    from xiezuoqu.meetings.workflow import State

    qs = (
        meetings_visible_to(actor)
        .filter(state=State.PLANNED, attendances__staff_id=actor.staff_id)
        .select_related("zone")
        .order_by("scheduled_at", "id")
        .distinct()
    )
    return _counted(
        qs,
        lambda m: Row(str(m), m.get_absolute_url(), m.place, _day(m.scheduled_at)),
    )


def _follow_ups(actor: Actor) -> tuple[list[Row], int, bool]:
    from xiezuoqu.intake.selectors import own_unit_ids
    from xiezuoqu.meetings.models import FollowUpState
    from xiezuoqu.meetings.selectors import follow_ups_visible_to

    mine = Q(unit_id__in=own_unit_ids(actor))
    if actor.staff_id is not None:
        mine |= Q(assignee_id=actor.staff_id)
    qs = follow_ups_visible_to(actor).filter(mine, state=FollowUpState.OPEN).order_by("due_on", "id")
    today = timezone.localdate()
    return _counted(
        qs,
        lambda f: Row(f.task[:60], f.get_absolute_url(), "", f.due_on, "red" if f.due_on < today else ""),
    )


def _verifications(actor: Actor) -> tuple[list[Row], int, bool]:
    from xiezuoqu.teams.models import Purpose, TeamMember, TeamState
    from xiezuoqu.verification.selectors import verifications_visible_to
    from xiezuoqu.verification.workflow import State

    seats = TeamMember.objects.filter(
        staff_id=actor.staff_id,
        left_on__isnull=True,
        team__state=TeamState.CONFIRMED,
        team__purpose=Purpose.VERIFICATION,
    ).values("team__clue_id")
    qs = (
        verifications_visible_to(actor)
        .exclude(state=State.CONCLUDED)
        .filter(clue_id__in=seats)
        .select_related("clue")
        .order_by("last_progress_at", "id")
    )
    return _counted(
        qs,
        lambda v: Row(str(v.clue), v.get_absolute_url(), v.get_state_display(), _day(v.last_progress_at)),
    )


def _trials(actor: Actor) -> tuple[list[Row], int, bool]:
    from xiezuoqu.cases.selectors import cases_visible_to, may_trial
    from xiezuoqu.cases.workflow import State

    qs = (
        cases_visible_to(actor)
        .filter(state__in=[State.INVESTIGATION_REPORTED, State.SECOND_REVIEW, State.TRIAL])
        .order_by("state_changed_at", "id")
    )
    mine = [c for c in qs[:SCAN] if may_trial(actor, c)]
    return _listed(mine, lambda c: Row(str(c), c.get_absolute_url(), c.get_state_display(), _day(c.state_changed_at)))


def _sanction_changes(actor: Actor) -> tuple[list[Row], int, bool]:
    from xiezuoqu.sanctions.selectors import pending_changes

    changes = pending_changes(actor, limit=SCAN)
    return _listed(
        changes,
        lambda c: Row(
            f"{c.case}：申诉决定变更处理，待登记变更后的处分", c.case.get_absolute_url(), "", _day(c.created_at)
        ),
    )


def _measures(actor: Actor) -> tuple[list[Row], int, bool]:
    from xiezuoqu.verification.models import MeasureState
    from xiezuoqu.verification.selectors import measures_visible_to

    qs = measures_visible_to(actor).filter(state=MeasureState.RECORDED).order_by("starts_at", "id")
    return _counted(
        qs,
        lambda m: Row(str(m), m.get_absolute_url(), m.get_state_display(), _day(m.starts_at)),
    )


def _deadlines(actor: Actor) -> tuple[list[Row], int, bool]:
    from xiezuoqu.deadlines.selectors import PAGE_SIZE, urgent_count, work_queue

    page = work_queue(actor, limit=PAGE_SIZE)
    urgent = [r for r in page.rows if r.urgency.colour.value in ("red", "yellow")]
    rows = [
        Row(
            f"{r.deadline.label}",
            reverse("deadlines:detail", args=[r.deadline.pk]),
            f"{r.kind_label} · {r.urgency.text}",
            r.deadline.due_date,
            r.urgency.colour.value,
        )
        for r in urgent[:LIMIT]
    ]
    return rows, urgent_count(actor, today=page.today), False


def _slips(actor: Actor) -> tuple[list[Row], int, bool]:
    from xiezuoqu.deadlines.models import SlipState
    from xiezuoqu.deadlines.selectors import slips_visible_to

    qs = slips_visible_to(actor).filter(state=SlipState.OPEN).select_related("deadline").order_by("due_date", "id")
    today = timezone.localdate()
    return _counted(
        qs,
        lambda s: Row(
            f"{s.number}：{s.deadline.label}",
            reverse("deadlines:detail", args=[s.deadline_id]),
            "督办单待回复",
            s.due_date,
            "red" if s.due_date < today else "yellow",
        ),
    )


def _has(*roles: str) -> Callable[[Actor], bool]:
    return lambda actor: _staff(actor) and bool(actor.roles & set(roles))


def _leads_zone(actor: Actor) -> bool:
    return _staff(actor) and bool(actor.led_zone_ids)


def _on_teams(actor: Actor) -> bool:
    return _staff(actor) and actor.staff_id is not None


def _trial_staff(actor: Actor) -> bool:
    from xiezuoqu.accounts.roles import Role

    return _staff(actor) and actor.has(Role.TRIAL_STAFF)


def _reviews_measures(actor: Actor) -> bool:
    from xiezuoqu.verification.selectors import may_review_measures

    return _staff(actor) and may_review_measures(actor)


def _sees_overdue(actor: Actor) -> bool:
    from xiezuoqu.deadlines.selectors import may_see_overdue_list

    return may_see_overdue_list(actor)


def _kinds() -> list[Kind]:
    from xiezuoqu.accounts.roles import Role

    routers = (
        Role.PETITION_STAFF,
        Role.REGISTRAR,
        Role.TOWNSHIP_SECRETARY,
        Role.INSPECTION_STAFF,
        Role.DISPATCHED_STAFF,
    )
    bodies = (Role.COMMISSION_HEAD, Role.COMMISSION_LEADER, Role.TOWNSHIP_SECRETARY, Role.DISPATCHED_STAFF)
    return [
        Kind("received", "待登记", _has(Role.REGISTRAR), _received, "intake:received"),
        Kind("route", "待受理归口", _has(*routers), _to_route, "intake:ledger"),
        Kind("deadlines", "时限预警（红、黄）", _staff, _deadlines, "deadlines:queue"),
        Kind("slips", "督办单", _staff, _slips, "deadlines:overdue", _sees_overdue, quiet=True),
        Kind("approvals", "待我审批", _staff, _approvals, "approvals:inbox"),
        Kind("recusal", "回避申请待决定", _has(Role.COMMISSION_HEAD), _recusal_demands, "recusal:index"),
        Kind("handling", "办理方式申请待决定", _leads_zone, _handling_requests, ""),
        Kind("agenda", "立案呈批待上会", _leads_zone, _filing_for_agenda, "filing:index"),
        Kind("body", "立案待有权机关决定", _has(*bodies), _filing_for_body, "filing:index"),
        Kind("meetings", "待参加的会议", _on_teams, _meetings, "meetings:calendar", quiet=True),
        Kind("follow_ups", "会议交办事项", _on_teams, _follow_ups, "", quiet=True),
        Kind("verifications", "我参加的初步核实", _on_teams, _verifications, "verification:list", quiet=True),
        Kind("trials", "待审理案件", _trial_staff, _trials, "cases:ledger"),
        Kind("sanction_changes", "处分变更待登记", _trial_staff, _sanction_changes, ""),
        Kind("measures", "措施使用待审核", _reviews_measures, _measures, "verification:measures"),
    ]


def work_for(actor: Actor) -> list[Work]:
    """The viewer's work, kind by kind: kinds with something waiting first (most first), then the
    empty ones the role has (so a clear desk says so)."""
    found = []
    for kind in _kinds():
        if not kind.applies(actor):
            continue
        rows, count, capped = kind.fetch(actor)
        more = reverse(kind.more) if kind.more and (kind.more_if is None or kind.more_if(actor)) else ""
        found.append(Work(kind.key, kind.label, rows, count, more, capped, kind.quiet))
    return sorted(found, key=lambda w: w.count == 0)
