"""Scoped reads of deadlines, extensions and 督办单. Every page, API call and document goes through here.

Who sees a deadline (``deadlines_visible_to`` / ``can_view_deadline``, one rule written twice):
- commission-wide roles (书记, 委领导, 信访室, 案管, 审理室): every deadline of their commission(s);
- other staff roles: deadlines whose responsible unit is within their work units
  (``Actor.work_unit_ids``: own unit for township roles, the zone's member units for zone roles),
  and deadlines of a zone they work in (a zone-led office is not a member unit of its zone);
- administrators and village supervisors: none (deadlines label case matters: 三员分立).

The overdue list (超期督办) is for the zone's leadership and the commission-wide roles; the 督办单
itself is downloaded by the zone leader who signs it, commission leadership and 案管.

Lists are keyset-paginated on (due date, id) — the order of the partial indexes on open deadlines —
so a page costs the same at a million rows as at a hundred, and no page counts rows (DESIGN §5b).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.access.registry import Policy, register
from xiezuoqu.accounts.roles import Role
from xiezuoqu.errors import NotPermitted, ValidationFailed
from xiezuoqu.org.models import Unit, Zone
from xiezuoqu.workdays.calendar import WorkCalendar
from xiezuoqu.workdays.selectors import work_calendar

from .kinds import DEADLINE_KINDS, kind_label, warn_days_for
from .models import Deadline, DeadlineExtension, DeadlineState, SupervisionSlip
from .urgency import Urgency, urgency

PAGE_SIZE = 50
NOTHING = Q(pk__in=[])
# Who may issue and download 督办单 commission-wide (the zone leader does for the zones they lead).
SLIP_OVERSEERS = frozenset({Role.COMMISSION_HEAD, Role.COMMISSION_LEADER, Role.CASE_MANAGER})


# --- deadlines -------------------------------------------------------------------------------------


def _deadline_rule(actor: Actor, prefix: str = "") -> Q:
    if not actor.is_staff_worker or actor.is_admin:
        return NOTHING
    units = actor.work_unit_ids()
    if units is None:
        return Q(**{f"{prefix}commission_id__in": actor.commission_ids})
    rule = Q(**{f"{prefix}responsible_unit_id__in": units})
    if actor.zone_ids:
        rule |= Q(**{f"{prefix}zone_id__in": actor.zone_ids})
    return rule


def deadlines_visible_to(actor: Actor) -> QuerySet[Deadline]:
    return Deadline.objects.filter(_deadline_rule(actor))


def can_view_deadline(actor: Actor, deadline: Deadline) -> bool:
    if not actor.is_staff_worker or actor.is_admin:
        return False
    units = actor.work_unit_ids()
    if units is None:
        return deadline.commission_id in actor.commission_ids
    return deadline.responsible_unit_id in units or deadline.zone_id in actor.zone_ids


def extensions_visible_to(actor: Actor) -> QuerySet[DeadlineExtension]:
    return DeadlineExtension.objects.filter(_deadline_rule(actor, "deadline__"))


def can_view_extension(actor: Actor, extension: DeadlineExtension) -> bool:
    return can_view_deadline(actor, extension.deadline)


# --- supervision slips -----------------------------------------------------------------------------


def may_see_overdue_list(actor: Actor) -> bool:
    """超期督办: the zone's leader and deputies, and the commission-wide roles."""
    if actor.is_admin or not actor.is_staff_worker:
        return False
    return actor.is_commission_wide or bool(actor.led_zone_ids or actor.deputy_zone_ids)


def slips_visible_to(actor: Actor) -> QuerySet[SupervisionSlip]:
    if actor.is_admin or not actor.is_staff_worker:
        return SupervisionSlip.objects.none()
    rule = NOTHING
    if actor.roles & SLIP_OVERSEERS:
        rule |= Q(commission_id__in=actor.commission_ids)
    if actor.led_zone_ids:
        rule |= Q(zone_id__in=actor.led_zone_ids)
    return SupervisionSlip.objects.filter(rule)


def can_view_slip(actor: Actor, slip: SupervisionSlip) -> bool:
    if actor.is_admin or not actor.is_staff_worker:
        return False
    if actor.roles & SLIP_OVERSEERS and slip.commission_id in actor.commission_ids:
        return True
    return slip.zone_id in actor.led_zone_ids


DEADLINES = register(Policy(Deadline, "办理时限", deadlines_visible_to, can_view_deadline, case_content=True))
EXTENSIONS = register(
    Policy(DeadlineExtension, "时限延期", extensions_visible_to, can_view_extension, case_content=True)
)
SLIPS = register(Policy(SupervisionSlip, "督办单", slips_visible_to, can_view_slip, case_content=True))


def get_deadline_for(actor: Actor, deadline_id: Any) -> Deadline:
    """The funnel for one deadline (404 for missing and forbidden alike)."""
    return DEADLINES.get_for(actor, deadline_id, queryset=deadlines_visible_to(actor).select_related("zone"))


def get_slip_for(actor: Actor, slip_id: Any) -> SupervisionSlip:
    queryset = slips_visible_to(actor).select_related(
        "commission", "zone", "zone_leader", "deadline", "deadline__responsible_unit"
    )
    return SLIPS.get_for(actor, slip_id, queryset=queryset)


# --- keyset pages ----------------------------------------------------------------------------------


def parse_cursor(cursor: str | None) -> tuple[date, int] | None:
    """``"2026-10-10.123"`` → (due date, id) of the last row of the previous page."""
    if not cursor:
        return None
    try:
        day, _, pk = cursor.partition(".")
        return date.fromisoformat(day), int(pk)
    except ValueError:
        raise ValidationFailed("翻页参数无效，请从第一页重新浏览。", field_errors={"after": ["无效。"]}) from None


def make_cursor(deadline: Deadline) -> str:
    return f"{deadline.due_date.isoformat()}.{deadline.pk}"


@dataclass
class Row:
    """A deadline as a list shows it: the row, its colour today, and where its target lives."""

    deadline: Deadline
    urgency: Urgency
    kind_label: str
    target_url: str = ""
    slip: SupervisionSlip | None = None


@dataclass
class Page:
    rows: list[Row]
    next_cursor: str | None
    today: date
    filters: dict[str, Any] = field(default_factory=dict)


# A list row needs the deadline and the names of its unit and zone, not their whole rows.
LIST_RELATED = ("responsible_unit", "zone")
LIST_RELATED_FIELDS = ("responsible_unit__name", "zone__name")


def _for_list(qs: QuerySet[Deadline]) -> QuerySet[Deadline]:
    fields = [f.name for f in Deadline._meta.concrete_fields]
    return qs.select_related(*LIST_RELATED).only(*fields, *LIST_RELATED_FIELDS)


def _after(qs: QuerySet[Deadline], cursor: tuple[date, int] | None) -> QuerySet[Deadline]:
    if cursor is None:
        return qs
    due, pk = cursor
    return qs.filter(Q(due_date__gt=due) | Q(due_date=due, id__gt=pk))


def _target_urls(actor: Actor, deadlines: Iterable[Deadline]) -> dict[int, str]:
    """Links to the targets this actor may open: through the target type's scope policy (one query per
    content type), so a row never links to a page that would answer 404. A deadline is listed by its
    responsible unit or zone; its matter may still be out of reach (a recusal, the trial office's
    deadline on a clue it does not hold): such a row shows the stored ``target_label`` without a link.
    """
    from xiezuoqu.access.registry import POLICIES

    by_type: dict[int, list[Deadline]] = {}
    for deadline in deadlines:
        by_type.setdefault(deadline.target_type_id, []).append(deadline)
    urls: dict[int, str] = {}
    for type_id, rows in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        policy = POLICIES.get(model) if model is not None else None
        if policy is None or not hasattr(model, "get_absolute_url"):
            continue
        targets = policy.scope(actor).in_bulk([d.target_id for d in rows])
        for deadline in rows:
            target = targets.get(deadline.target_id)
            if target is not None:
                urls[deadline.pk] = str(target.get_absolute_url())
    return urls


def _rows(
    actor: Actor,
    deadlines: list[Deadline],
    today: date,
    calendar: WorkCalendar,
    slips: dict[int, SupervisionSlip] | None = None,
) -> list[Row]:
    urls = _target_urls(actor, deadlines)
    # Rows of a page share a handful of (start, due, kind) triples: colour each triple once.
    colours: dict[tuple[date, date, str], Urgency] = {}
    rows = []
    for d in deadlines:
        key = (d.start_date, d.due_date, d.kind)
        found = colours.get(key)
        if found is None:
            found = colours[key] = urgency(
                today=today, start=d.start_date, due=d.due_date, calendar=calendar, warn_days=warn_days_for(d.kind)
            )
        rows.append(
            Row(
                deadline=d,
                urgency=found,
                kind_label=kind_label(d.kind),
                target_url=urls.get(d.pk, ""),
                slip=(slips or {}).get(d.pk),
            )
        )
    return rows


def _page(qs: QuerySet[Deadline], after: str | None, limit: int) -> tuple[list[Deadline], str | None]:
    limit = max(1, min(limit, PAGE_SIZE))
    found = list(_after(qs, parse_cursor(after)).order_by("due_date", "id")[: limit + 1])
    more = len(found) > limit
    found = found[:limit]
    return found, (make_cursor(found[-1]) if more and found else None)


def work_queue(actor: Actor, *, after: str | None = None, limit: int = PAGE_SIZE, today: date | None = None) -> Page:
    """我的待办时限: open deadlines of the actor's work units, most urgent first.

    Ordered by due date then id: an overdue (red) deadline is due before today and every other is
    due today or later, so this order is "red first, then by due date" and matches the index.
    """
    if actor.is_admin or not actor.is_staff_worker:
        raise NotPermitted("待办时限仅供办案干部查看。")
    today = today or timezone.localdate()
    qs = _for_list(deadlines_visible_to(actor).filter(state=DeadlineState.OPEN))
    found, cursor = _page(qs, after, limit)
    return Page(_rows(actor, found, today, work_calendar()), cursor, today)


def urgent_count(actor: Actor, *, today: date | None = None) -> int:
    """How many of the actor's open deadlines are red or yellow today — exact, in one GROUP BY: the
    colour depends only on (start, due, kind), so each distinct triple is coloured once and its rows
    counted together (the work queue's page shows only the earliest 50)."""
    from django.db.models import Count

    if actor.is_admin or not actor.is_staff_worker:
        return 0
    today = today or timezone.localdate()
    calendar = work_calendar()
    triples = (
        deadlines_visible_to(actor)
        .filter(state=DeadlineState.OPEN)
        .values_list("start_date", "due_date", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    total = 0
    for start, due, kind, n in triples:
        found = urgency(today=today, start=start, due=due, calendar=calendar, warn_days=warn_days_for(kind))
        if found.colour.value in ("red", "yellow"):
            total += n
    return total


def overdue_scope(actor: Actor) -> QuerySet[Deadline]:
    """The deadlines the overdue list may show this actor (within the deadline scope)."""
    if not may_see_overdue_list(actor):
        raise NotPermitted("超期督办清单仅供协作区组长、副组长和委领导、案管等查看。")
    qs = deadlines_visible_to(actor)
    if not actor.is_commission_wide:
        zones = actor.led_zone_ids | actor.deputy_zone_ids
        qs = qs.filter(zone_id__in=zones)
    return qs


def overdue_list(
    actor: Actor,
    *,
    zone_id: int | None = None,
    kind: str | None = None,
    unit_id: int | None = None,
    after: str | None = None,
    limit: int = PAGE_SIZE,
    today: date | None = None,
) -> Page:
    """超期督办: open deadlines past their due date, longest overdue first, with their latest 督办单."""
    today = today or timezone.localdate()
    qs = overdue_scope(actor).filter(state=DeadlineState.OPEN, due_date__lt=today)
    if zone_id:
        qs = qs.filter(zone_id=zone_id)
    if kind:
        qs = qs.filter(kind=kind)
    if unit_id:
        qs = qs.filter(responsible_unit_id=unit_id)
    qs = _for_list(qs)
    found, cursor = _page(qs, after, limit)
    slips: dict[int, SupervisionSlip] = {}
    if found:
        for slip in slips_visible_to(actor).filter(deadline_id__in=[d.pk for d in found]).order_by("id"):
            slips[slip.deadline_id] = slip
    filters = {"zone": zone_id, "kind": kind or "", "unit": unit_id}
    return Page(_rows(actor, found, today, work_calendar(), slips), cursor, today, filters)


def overdue_filter_choices(actor: Actor) -> dict[str, list[tuple[Any, str]]]:
    """Zones, kinds and units the overdue list's filters offer this actor."""
    zones = Zone.objects.filter(commission_id__in=actor.commission_ids)
    if not actor.is_commission_wide:
        zones = zones.filter(pk__in=actor.led_zone_ids | actor.deputy_zone_ids)
    units = Unit.objects.filter(commission_id__in=actor.commission_ids, is_active=True)
    work_units = actor.work_unit_ids()
    if work_units is not None:
        units = units.filter(pk__in=work_units)
    return {
        "zones": [(z.pk, z.name) for z in zones.order_by("number")],
        "kinds": sorted(((k.slug, k.label) for k in DEADLINE_KINDS.values()), key=lambda pair: pair[1]),
        "units": [(u.pk, u.name) for u in units.order_by("sort_order", "id")],
    }


def extensions_of(actor: Actor, deadline: Deadline) -> list[DeadlineExtension]:
    return list(
        extensions_visible_to(actor).filter(deadline_id=deadline.pk).select_related("requested_by").order_by("id")
    )


def deadline_detail_for(actor: Actor, deadline_id: Any, *, today: date | None = None) -> Row:
    deadline = DEADLINES.get_for(
        actor, deadline_id, queryset=deadlines_visible_to(actor).select_related("responsible_unit", "zone")
    )
    today = today or timezone.localdate()
    return _rows(actor, [deadline], today, work_calendar())[0]
