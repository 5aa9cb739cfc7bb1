"""月度台账报送 — reading: who may see a submitted month, the rows a unit's month holds, the zone's pull.

A unit's month (its ledger rows): the clues it handles that were registered by the month's end and were
not closed before it began (a clue filed by the month's end is its case's row), and the cases filed on
its clues by the month's end and not archived or withdrawn (撤销) before it began. Each row carries its
most urgent open deadline — on the clue or case itself, its 初步核实, its reviews or its appeal — and
that deadline's colour by ``deadlines.urgency`` on the day the month is looked at (the month's last
day, or today within it; a deadline met after that day was still open on it).

Every row is read through the funnel (``clues_visible_to``, ``cases_visible_to``,
``deadlines_visible_to``); submitted months through the ``MonthlyLedger`` policy: the unit's own staff,
the readers of its zone (组长、副组长、纪检监察室) and the commission-wide readers; of a submitted month a
reader sees the rows whose clue or case it may see today (not those it is recused from or named in).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.access.registry import Policy, register
from xiezuoqu.accounts.roles import Role
from xiezuoqu.errors import NotFound, ValidationFailed
from xiezuoqu.org.models import Unit, Zone, memberships_on

from .models import MonthlyLedger, MonthlyLedgerRow

SUBMITTING_ROLES = (Role.TOWNSHIP_SECRETARY, Role.TOWNSHIP_STAFF)
MARK_ORDER = {"red": 0, "yellow": 1, "blue": 2, "": 3}


# --- months -------------------------------------------------------------------------------------------


def month_of(value: Any, today: date) -> date:
    """``2026-11`` → 2026-11-01; empty → this month; a bad or future month is a Chinese refusal."""
    text = str(value or "").strip()
    if not text:
        return today.replace(day=1)
    try:
        year, month = (int(part) for part in text.split("-")[:2])
        first = date(year, month, 1)
    except (TypeError, ValueError, OverflowError):
        raise ValidationFailed("月份格式应为“年-月”，例如 2026-11。", field_errors={"month": ["格式错误"]}) from None
    if first > today.replace(day=1) or year < 2000:
        raise ValidationFailed("只能查看或报送本月及以前月份的台账。", field_errors={"month": ["月份无效"]})
    return first


def is_month_text(text: str) -> bool:
    """``2026-11`` as the month picker sends it (safe to put back into a link)."""
    return len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit() and text.isascii()


def month_end(first: date) -> date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def as_of(first: date, today: date) -> date:
    """The day a month is looked at: its last day, or today while it runs."""
    return min(month_end(first), today)


def recent_months(today: date, count: int = 12) -> list[date]:
    months, first = [], today.replace(day=1)
    for _ in range(count):
        months.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    return months


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# --- who may do what ---------------------------------------------------------------------------------


def submitting_units(actor: Actor) -> list[Unit]:
    """The township committees whose month this actor submits (its 纪委书记 and 纪委干部)."""
    if not actor.is_staff_worker or actor.is_admin:
        return []
    ids: set[int] = set()
    for role in SUBMITTING_ROLES:
        ids |= set(actor.units_for_role(role))
    if not ids:
        return []
    return list(
        Unit.objects.filter(pk__in=ids, kind=Unit.Kind.TOWNSHIP_COMMITTEE, is_active=True).order_by("sort_order")
    )


def reader_zone_ids(actor: Actor) -> frozenset[int] | None:
    """The zones whose pull this actor reads; None: every zone of the commission."""
    from xiezuoqu.clues.selectors import reads_whole_commission
    from xiezuoqu.intake.selectors import zone_reader_zone_ids

    if reads_whole_commission(actor):
        return None
    return zone_reader_zone_ids(actor)


def may_open_ledgers(actor: Actor) -> bool:
    """The menu's test (from the actor and its units): a unit that submits, or a zone or the commission read."""
    if actor.is_admin or not actor.is_staff_worker or actor.commission_id is None:
        return False
    zones = reader_zone_ids(actor)
    if zones is None or zones:
        return True
    return any(actor.units_for_role(role) for role in SUBMITTING_ROLES)


def _ledger_rule(actor: Actor) -> Q | None:
    from xiezuoqu.intake.selectors import own_unit_ids

    if actor.is_admin or not actor.is_staff_worker:
        return None
    rule = Q(commission_id__in=actor.commission_ids)
    zones = reader_zone_ids(actor)
    if zones is None:
        return rule
    return rule & (Q(unit_id__in=own_unit_ids(actor)) | Q(zone_id__in=zones))


def ledgers_visible_to(actor: Actor) -> QuerySet[MonthlyLedger]:
    rule = _ledger_rule(actor)
    return MonthlyLedger.objects.none() if rule is None else MonthlyLedger.objects.filter(rule)


def can_view_ledger(actor: Actor, ledger: MonthlyLedger) -> bool:
    from xiezuoqu.intake.selectors import own_unit_ids

    if actor.is_admin or not actor.is_staff_worker or ledger.commission_id not in actor.commission_ids:
        return False
    zones = reader_zone_ids(actor)
    return zones is None or ledger.unit_id in own_unit_ids(actor) or ledger.zone_id in zones


def ledger_rows_visible_to(actor: Actor) -> QuerySet[MonthlyLedgerRow]:
    """The rows of the months this actor may open whose clue or case it may see today: a reader recused
    from a clue, or named in it, does not read its summary in a township's snapshot either."""
    from xiezuoqu.cases.selectors import cases_visible_to
    from xiezuoqu.clues.selectors import clues_visible_to

    targets = Q(kind=MonthlyLedgerRow.Kind.CLUE, target_id__in=clues_visible_to(actor).values("pk")) | Q(
        kind=MonthlyLedgerRow.Kind.CASE, target_id__in=cases_visible_to(actor).values("pk")
    )
    return MonthlyLedgerRow.objects.filter(targets, ledger__in=ledgers_visible_to(actor))


def can_view_ledger_row(actor: Actor, row: MonthlyLedgerRow) -> bool:
    if not can_view_ledger(actor, row.ledger):
        return False
    from xiezuoqu.cases.selectors import cases_visible_to
    from xiezuoqu.clues.selectors import clues_visible_to

    found = clues_visible_to(actor) if row.kind == MonthlyLedgerRow.Kind.CLUE else cases_visible_to(actor)
    return found.filter(pk=row.target_id).exists()


LEDGERS = register(Policy(MonthlyLedger, "月度台账报送", ledgers_visible_to, can_view_ledger, case_content=True))
LEDGER_ROWS = register(
    Policy(MonthlyLedgerRow, "月度台账行", ledger_rows_visible_to, can_view_ledger_row, case_content=True)
)


def get_ledger_for(actor: Actor, ledger_id: Any) -> MonthlyLedger:
    return LEDGERS.get_for(actor, ledger_id, queryset=ledgers_visible_to(actor).select_related("unit", "zone"))


# --- a unit's month ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerLine:
    kind: str
    target_id: int
    number: str
    summary: str
    subject_names: str
    state: str
    registered_on: date
    deadline_label: str
    due_on: date | None
    mark: str
    mark_text: str

    @property
    def mark_label(self) -> str:
        return MonthlyLedgerRow.Mark(self.mark).label


def _most_urgent(
    actor: Actor, day: date, clue_ids: set[int], case_ids: set[int], *, whole_unit: bool = False
) -> dict[tuple[str, int], Any]:
    """(``clue``|``case``, id) → (deadline, urgency) of its most urgent open deadline, seen on ``day``."""
    from xiezuoqu.cases.models import Appeal, Case, TrialReview
    from xiezuoqu.clues.models import Clue
    from xiezuoqu.deadlines.kinds import warn_days_for
    from xiezuoqu.deadlines.models import Deadline
    from xiezuoqu.deadlines.selectors import deadlines_visible_to
    from xiezuoqu.deadlines.urgency import urgency
    from xiezuoqu.verification.models import Verification
    from xiezuoqu.workdays.selectors import work_calendar

    types = ContentType.objects.get_for_models(Clue, Verification, Case, TrialReview, Appeal)
    owner: dict[tuple[int, int], tuple[str, int]] = {}
    owner.update({(types[Clue].pk, pk): ("clue", pk) for pk in clue_ids})
    owner.update({(types[Case].pk, pk): ("case", pk) for pk in case_ids})
    for pk, clue_id in Verification.objects.filter(clue_id__in=clue_ids).values_list("pk", "clue_id"):
        owner[(types[Verification].pk, pk)] = ("clue", clue_id)
    for model in (TrialReview, Appeal):
        for pk, case_id in model.objects.filter(case_id__in=case_ids).values_list("pk", "case_id"):
            owner[(types[model].pk, pk)] = ("case", case_id)
    if not owner:
        return {}
    targets = Q()
    for type_id in {t for t, _ in owner}:
        targets |= Q(target_type_id=type_id, target_id__in=[i for t, i in owner if t == type_id])
    calendar_ = work_calendar()
    best: dict[tuple[str, int], Any] = {}
    # Open on ``day``: still open, or met or cancelled after it (a past month is seen as it stood).
    open_then = Q(state="open") | Q(closed_at__gte=_start_of(day + timedelta(days=1)))
    # The ids are already the rows the caller may read (or the unit's whole snapshot): their deadlines.
    deadlines = Deadline.objects.all() if whole_unit else deadlines_visible_to(actor)
    for deadline in deadlines.filter(targets, open_then, start_date__lte=day):
        key = owner[(deadline.target_type_id, deadline.target_id)]
        found = urgency(
            today=day,
            start=deadline.start_date,
            due=deadline.due_date,
            calendar=calendar_,
            warn_days=warn_days_for(deadline.kind),
        )
        rank = (found.colour.rank, deadline.due_date)
        if key not in best or rank < best[key][0]:
            best[key] = (rank, deadline, found)
    return {key: (deadline, found) for key, (_, deadline, found) in best.items()}


def _short_label(label: str, number: str) -> str:
    """A deadline's label without the row's own number in front (``凤纪宝山线〔2026〕1号 处置`` → ``处置``)."""
    short = label[len(number) :].strip() if number and label.startswith(number) else label
    return (short or label)[:200]


def unit_month_lines(
    actor: Actor, unit: Unit, first: date, today: date, *, whole_unit: bool = False
) -> list[LedgerLine]:
    """The unit's ledger rows of the month, red first, then yellow, blue and those without a deadline.

    Read through the actor's funnels; ``whole_unit`` (the submission's snapshot only, for a unit the
    actor may submit for) takes every row of the unit: a secretary named in a clue, or withdrawn from
    it, may not read it, but the month the zone receives must not silently lack it. The zone's readers
    then see each snapshot row through their own funnels again (``ledger_rows_visible_to``)."""
    from xiezuoqu.cases.models import Case
    from xiezuoqu.cases.selectors import cases_visible_to
    from xiezuoqu.clues.models import Clue
    from xiezuoqu.clues.selectors import clues_visible_to

    day = as_of(first, today)
    last = month_end(first)
    began, ended = _start_of(first), _start_of(last + timedelta(days=1))
    # A clue filed by the month's end is its case's row; one filed later was still a clue that month.
    filed_by_then = Exists(Case.objects.filter(clue_id=OuterRef("pk"), filed_on__lte=last))
    clue_rows = Clue.objects.filter(commission_id=unit.commission_id) if whole_unit else clues_visible_to(actor)
    case_rows = Case.objects.filter(commission_id=unit.commission_id) if whole_unit else cases_visible_to(actor)
    clues = list(
        clue_rows.filter(handling_unit_id=unit.pk, created_at__lt=ended)
        .exclude(Q(state="filed") & filed_by_then)
        .exclude(state="closed", state_changed_at__lt=began)
        .prefetch_related("subject_links__subject")
        .order_by("created_at", "pk")
    )
    cases = list(
        case_rows.filter(clue__handling_unit_id=unit.pk, filed_on__lte=last)
        .exclude(state__in=("archived", "closed"), state_changed_at__lt=began)
        .select_related("subject", "clue")
        .order_by("filed_on", "pk")
    )
    marks = _most_urgent(actor, day, {c.pk for c in clues}, {c.pk for c in cases}, whole_unit=whole_unit)
    lines: list[LedgerLine] = []

    def line(kind: str, pk: int, number: str, summary: str, names: str, state: str, on: date) -> LedgerLine:
        found = marks.get((kind, pk))
        deadline, urgent = found if found else (None, None)
        return LedgerLine(
            kind=kind,
            target_id=pk,
            number=number,
            summary=summary[:200],
            subject_names=names[:200],
            state=state,
            registered_on=on,
            deadline_label=_short_label(deadline.label, number) if deadline else "",
            due_on=deadline.due_date if deadline else None,
            mark=urgent.colour.value if urgent else "",
            mark_text=urgent.text if urgent else "",
        )

    for clue in clues:
        names = "、".join(link.subject.name for link in clue.subject_links.all())
        registered = timezone.localtime(clue.created_at).date()
        lines.append(
            line("clue", clue.pk, clue.ledger_number, clue.summary, names, clue.get_state_display(), registered)
        )
    for case in cases:
        lines.append(
            line(
                "case",
                case.pk,
                case.case_number,
                case.clue.summary,
                case.subject.name,
                case.get_state_display(),
                case.filed_on,
            )
        )
    lines.sort(key=lambda x: (MARK_ORDER[x.mark], x.due_on or date.max, x.registered_on))
    return lines


# --- the zone's pull ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PullRow:
    unit: Unit
    zone: Zone | None
    ledger: MonthlyLedger | None


def zone_pull(actor: Actor, first: date, today: date) -> list[tuple[Zone, list[PullRow]]]:
    """Per zone this actor reads: its township committees on the month's day and each one's submission."""
    zones_q = Zone.objects.filter(commission_id__in=actor.commission_ids).order_by("number")
    zone_ids = reader_zone_ids(actor)
    if zone_ids is not None:
        zones_q = zones_q.filter(pk__in=zone_ids)
    zones = list(zones_q)
    if not zones:
        return []
    day = as_of(first, today)
    members = (
        memberships_on(day)
        .filter(zone__in=zones, unit__kind=Unit.Kind.TOWNSHIP_COMMITTEE)
        .select_related("unit")
        .order_by("unit__sort_order")
    )
    submitted = {
        ledger.unit_id: ledger
        for ledger in ledgers_visible_to(actor).filter(month=first, unit_id__in=[m.unit_id for m in members])
    }
    by_zone: dict[int, list[PullRow]] = {z.pk: [] for z in zones}
    zone_of = {z.pk: z for z in zones}
    for membership in members:
        by_zone[membership.zone_id].append(
            PullRow(membership.unit, zone_of[membership.zone_id], submitted.get(membership.unit_id))
        )
    return [(zone, by_zone[zone.pk]) for zone in zones]


def unit_for_submission(actor: Actor, unit_id: Any) -> Unit:
    for unit in submitting_units(actor):
        if str(unit.pk) == str(unit_id):
            return unit
    raise NotFound()


def zone_of_unit(unit: Unit, day: date) -> Zone | None:
    membership = memberships_on(day).filter(unit=unit).select_related("zone").first()
    return membership.zone if membership else None
