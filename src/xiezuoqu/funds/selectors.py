"""Scoped reads of budgets, claims, vehicles and bookings, and the figures of a zone's budget.

Who sees what (DESIGN §5 funnel; issue 12):
- the commission's 案管 and its leaders (纪委书记, 委领导) see every budget, claim and adjustment;
- a zone leader or deputy sees the budget, adjustments and claims of their zone;
- a claimant sees their own claims;
- every cadre of the commission sees the vehicle pool and the booking calendar (time and vehicle), but
  a booking for a confidential measure shows its matter, destination and passengers only to those who
  may see the matter (``booking_view``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import BooleanField, Count, DecimalField, ExpressionWrapper, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from xiezuoqu.access.actor import Actor
from xiezuoqu.access.registry import Policy, register
from xiezuoqu.accounts.roles import Role
from xiezuoqu.org.selectors import memberships_on

from .models import (
    Booking,
    BookingState,
    BudgetAdjustment,
    BudgetLine,
    Claim,
    FundsPolicy,
    LineKind,
    MatterKind,
    Receipt,
    Trip,
    Vehicle,
    ZoneBudget,
)
from .workflow import COMMITTED_STATES, SPENT_STATES

ZERO = Decimal("0.00")
OVERSEER_ROLES = (Role.COMMISSION_HEAD, Role.COMMISSION_LEADER, Role.CASE_MANAGER)
# 案件监督管理室 keeps the pool and the calendar (the fleet manager) and registers payments.
FLEET_ROLES = (Role.CASE_MANAGER,)
CONFIDENTIAL_TEXT = "（保密事项）"


# --- matters a claim or booking serves ---------------------------------------------------------------


@dataclass(frozen=True)
class MatterSpec:
    kind: str
    label: str
    load: Callable[[int], Any]
    can_view: Callable[[Actor, Any], bool]
    zone_id: Callable[[Any], int | None]
    commission_id: Callable[[Any], int | None]
    url: Callable[[Any], str]


MATTERS: dict[str, MatterSpec] = {}


def register_matter(spec: MatterSpec) -> MatterSpec:
    """Other apps plug their matter in here (from their ``AppConfig.ready``); a kind adds to the others."""
    MATTERS[spec.kind] = spec
    return spec


def register_builtin_matters() -> None:
    """The four built-in kinds, registered once the apps are loaded (``FundsConfig.ready``). A kind another
    app registered under the same name first is kept; every other built-in kind is added beside it."""
    for spec in _builtin_specs():
        MATTERS.setdefault(spec.kind, spec)


def _builtin_specs() -> list[MatterSpec]:
    from django.urls import reverse

    from xiezuoqu.cases.models import Case
    from xiezuoqu.cases.selectors import can_view_case
    from xiezuoqu.clues.models import Clue
    from xiezuoqu.clues.selectors import can_view_clue
    from xiezuoqu.inspections.models import Campaign
    from xiezuoqu.inspections.selectors import can_view_campaign
    from xiezuoqu.verification.models import Verification
    from xiezuoqu.verification.selectors import can_view_verification

    specs = [
        MatterSpec(
            MatterKind.CLUE,
            "问题线索",
            lambda pk: Clue.objects.filter(pk=pk).first(),
            can_view_clue,
            lambda clue: clue.zone_id,
            lambda clue: clue.commission_id,
            lambda clue: reverse("clues:detail", args=[clue.pk]),
        ),
        MatterSpec(
            MatterKind.VERIFICATION,
            "初步核实",
            lambda pk: Verification.objects.select_related("clue").filter(pk=pk).first(),
            can_view_verification,
            lambda item: item.clue.zone_id,
            lambda item: item.commission_id,
            lambda item: reverse("verification:detail", args=[item.pk]),
        ),
        MatterSpec(
            MatterKind.CASE,
            "案件",
            lambda pk: Case.objects.select_related("clue").filter(pk=pk).first(),
            can_view_case,
            lambda case: case.zone_id if case.zone_id else case.clue.zone_id,
            lambda case: case.commission_id,
            lambda case: reverse("cases:detail", args=[case.pk]),
        ),
        MatterSpec(
            MatterKind.INSPECTION,
            "专项检查",
            lambda pk: Campaign.objects.filter(pk=pk).first(),
            can_view_campaign,
            # A zone's own campaign is paid from that zone; one across zones from any zone it covers.
            lambda campaign: campaign.zone_id,
            lambda campaign: campaign.commission_id,
            lambda campaign: reverse("inspections:campaign", args=[campaign.pk]),
        ),
    ]
    return specs


def matter_for(actor: Actor, kind: str, matter_id: Any) -> Any | None:
    """The matter if it exists and the actor may see it, else ``None``."""
    spec = MATTERS.get(kind)
    try:
        pk = int(matter_id)
    except (TypeError, ValueError):
        return None
    if spec is None:
        return None
    obj = spec.load(pk)
    if obj is None or not spec.can_view(actor, obj):
        return None
    return obj


def matter_spec(kind: str) -> MatterSpec | None:
    return MATTERS.get(kind)


def matter_kinds() -> list[tuple[str, str]]:
    return [(spec.kind, spec.label) for spec in MATTERS.values()]


def may_see_matter(actor: Actor, kind: str, matter_id: int) -> bool:
    return matter_for(actor, kind, matter_id) is not None


# --- roles ---------------------------------------------------------------------------------------


def is_overseer(actor: Actor, commission_id: int | None = None) -> bool:
    if actor.user_id is None or actor.is_admin or not actor.has(*OVERSEER_ROLES):
        return False
    return commission_id is None or commission_id == actor.commission_id


def is_fleet_manager(actor: Actor, commission_id: int | None = None) -> bool:
    if actor.user_id is None or actor.is_admin or not actor.has(*FLEET_ROLES):
        return False
    return commission_id is None or commission_id == actor.commission_id


def _staff(actor: Actor) -> bool:
    return actor.user_id is not None and not actor.is_admin and actor.is_staff_worker


def actor_zone_ids(actor: Actor) -> set[int]:
    """The zones an actor works in: their zone roles' zones, and the zones of their own units."""
    zones = set(actor.zone_ids)
    units = set(actor.role_unit_ids) | ({actor.home_unit_id} if actor.home_unit_id else set())
    if units:
        zones |= set(memberships_on().filter(unit_id__in=units).values_list("zone_id", flat=True))
    return zones


# --- scopes --------------------------------------------------------------------------------------


def budgets_visible_to(actor: Actor) -> QuerySet[ZoneBudget]:
    if not _staff(actor):
        return ZoneBudget.objects.none()
    rule = Q(zone_id__in=actor.leadership_zone_ids)
    if is_overseer(actor):
        rule |= Q(commission_id=actor.commission_id)
    return ZoneBudget.objects.filter(rule)


def can_view_budget(actor: Actor, budget: ZoneBudget) -> bool:
    if not _staff(actor):
        return False
    return budget.zone_id in actor.leadership_zone_ids or is_overseer(actor, budget.commission_id)


def lines_visible_to(actor: Actor) -> QuerySet[BudgetLine]:
    return BudgetLine.objects.filter(budget__in=budgets_visible_to(actor))


def can_view_line(actor: Actor, line: BudgetLine) -> bool:
    return can_view_budget(actor, line.budget)


def adjustments_visible_to(actor: Actor) -> QuerySet[BudgetAdjustment]:
    return BudgetAdjustment.objects.filter(line__budget__in=budgets_visible_to(actor))


def can_view_adjustment(actor: Actor, adjustment: BudgetAdjustment) -> bool:
    return can_view_budget(actor, adjustment.line.budget)


def claims_visible_to(actor: Actor) -> QuerySet[Claim]:
    if not _staff(actor):
        return Claim.objects.none()
    rule = Q(claimant_id=actor.user_id) | Q(zone_id__in=actor.leadership_zone_ids)
    if is_overseer(actor):
        rule |= Q(commission_id=actor.commission_id)
    return Claim.objects.filter(rule)


def can_view_claim(actor: Actor, claim: Claim) -> bool:
    if not _staff(actor):
        return False
    return (
        claim.claimant_id == actor.user_id
        or claim.zone_id in actor.leadership_zone_ids
        or is_overseer(actor, claim.commission_id)
    )


def receipts_visible_to(actor: Actor) -> QuerySet[Receipt]:
    return Receipt.objects.filter(claim__in=claims_visible_to(actor))


def can_view_receipt(actor: Actor, receipt: Receipt) -> bool:
    return can_view_claim(actor, receipt.claim)


def vehicles_visible_to(actor: Actor) -> QuerySet[Vehicle]:
    if not _staff(actor):
        return Vehicle.objects.none()
    return Vehicle.objects.filter(commission_id=actor.commission_id)


def can_view_vehicle(actor: Actor, vehicle: Vehicle) -> bool:
    return _staff(actor) and vehicle.commission_id == actor.commission_id


def bookings_visible_to(actor: Actor) -> QuerySet[Booking]:
    if not _staff(actor):
        return Booking.objects.none()
    return Booking.objects.filter(commission_id=actor.commission_id)


def can_view_booking(actor: Actor, booking: Booking) -> bool:
    return _staff(actor) and booking.commission_id == actor.commission_id


def trips_visible_to(actor: Actor) -> QuerySet[Trip]:
    return Trip.objects.filter(booking__in=bookings_visible_to(actor))


def can_view_trip(actor: Actor, trip: Trip) -> bool:
    return can_view_booking(actor, trip.booking)


BUDGETS = register(Policy(ZoneBudget, "协作区经费预算", budgets_visible_to, can_view_budget))
LINES = register(Policy(BudgetLine, "预算科目", lines_visible_to, can_view_line))
ADJUSTMENTS = register(Policy(BudgetAdjustment, "预算调整", adjustments_visible_to, can_view_adjustment))
CLAIMS = register(Policy(Claim, "经费申请", claims_visible_to, can_view_claim, case_content=True))
RECEIPTS = register(Policy(Receipt, "票据", receipts_visible_to, can_view_receipt, case_content=True))
VEHICLES = register(Policy(Vehicle, "办案车辆", vehicles_visible_to, can_view_vehicle))
BOOKINGS = register(Policy(Booking, "用车预约", bookings_visible_to, can_view_booking, case_content=True))
TRIPS = register(Policy(Trip, "出车记录", trips_visible_to, can_view_trip, case_content=True))


def get_budget_for(actor: Actor, budget_id: Any) -> ZoneBudget:
    return BUDGETS.get_for(actor, budget_id, queryset=budgets_visible_to(actor).select_related("zone", "commission"))


def get_claim_for(actor: Actor, claim_id: Any) -> Claim:
    return CLAIMS.get_for(
        actor,
        claim_id,
        queryset=claims_visible_to(actor).select_related(
            "line__kind", "line__budget", "zone", "claimant", "approval", "reverses", "paid_by", "trip"
        ),
    )


def get_adjustment_for(actor: Actor, adjustment_id: Any) -> BudgetAdjustment:
    return ADJUSTMENTS.get_for(
        actor,
        adjustment_id,
        queryset=adjustments_visible_to(actor).select_related("line__kind", "line__budget__zone", "approval"),
    )


def get_vehicle_for(actor: Actor, vehicle_id: Any) -> Vehicle:
    return VEHICLES.get_for(actor, vehicle_id, queryset=vehicles_visible_to(actor).select_related("zone"))


def get_booking_for(actor: Actor, booking_id: Any) -> Booking:
    return BOOKINGS.get_for(
        actor, booking_id, queryset=bookings_visible_to(actor).select_related("vehicle", "driver", "booked_by")
    )


def get_receipt_for(actor: Actor, receipt_id: Any) -> Receipt:
    return RECEIPTS.get_for(actor, receipt_id, queryset=receipts_visible_to(actor).select_related("claim"))


# --- figures -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineFigures:
    line: BudgetLine
    amount: Decimal
    spent: Decimal
    committed: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.spent - self.committed

    @property
    def used_ratio(self) -> Decimal:
        if self.amount <= 0:
            return Decimal("1") if self.spent + self.committed > 0 else Decimal("0")
        return (self.spent + self.committed) / self.amount

    @property
    def used_percent(self) -> int:
        return int((self.used_ratio * 100).to_integral_value())

    def warning(self, ratio: Decimal) -> bool:
        return self.used_ratio >= ratio


def _money_sum(states: Iterable[str]) -> Any:
    return Coalesce(
        Sum("claims__amount", filter=Q(claims__state__in=list(states))),
        Value(ZERO),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def _cents(value: Any) -> Decimal:
    """A summed amount as yuan with two places (SQLite hands back a sum of none as a bare 0)."""
    return Decimal(value or 0).quantize(ZERO)


def line_totals(line_id: int) -> tuple[Decimal, Decimal]:
    """(spent, committed) of one line, read inside the caller's transaction (after its row lock)."""
    row = (
        BudgetLine.objects.filter(pk=line_id)
        .annotate(spent=_money_sum(SPENT_STATES), committed=_money_sum(COMMITTED_STATES))
        .values("spent", "committed")
        .get()
    )
    return _cents(row["spent"]), _cents(row["committed"])


def figures_for(budget: ZoneBudget) -> list[LineFigures]:
    rows = (
        BudgetLine.objects.filter(budget=budget)
        .select_related("kind")
        .annotate(spent=_money_sum(SPENT_STATES), committed=_money_sum(COMMITTED_STATES))
        .order_by("kind__order", "kind_id")
    )
    return [LineFigures(row, row.amount, _cents(row.spent), _cents(row.committed)) for row in rows]  # type: ignore[attr-defined]


CLOSED_CASE_STATES = ("executed", "archived", "closed")


def closed_case_count(budget: ZoneBudget) -> int:
    """Cases of the zone that reached their end (执行、归档 or 撤销) in the budget's year."""
    from xiezuoqu.cases.models import Case

    return (
        Case.objects.filter(
            zone_id=budget.zone_id, state__in=CLOSED_CASE_STATES, state_changed_at__year=budget.year
        ).aggregate(n=Count("id"))["n"]
        or 0
    )


def policy_of(commission_id: int) -> FundsPolicy:
    found = FundsPolicy.objects.filter(commission_id=commission_id).first()
    return found if found is not None else FundsPolicy(commission_id=commission_id)


def line_kinds(commission_id: int) -> list[LineKind]:
    return list(LineKind.objects.filter(commission_id=commission_id, is_active=True).order_by("order", "id"))


def claimable_lines(actor: Actor, year: int) -> list[BudgetLine]:
    """The lines a cadre may claim against this year: those of the zones they work in (all zones for
    the commission's overseers). The line's figures are not shown to them, only its name."""
    if not _staff(actor) or actor.commission_id is None:
        return []
    qs = BudgetLine.objects.filter(budget__commission_id=actor.commission_id, budget__year=year)
    if not is_overseer(actor):
        qs = qs.filter(budget__zone_id__in=actor_zone_ids(actor))
    return list(qs.select_related("kind", "budget__zone").order_by("budget__zone_id", "kind__order"))


@dataclass(frozen=True)
class MatterFunds:
    """The 办案经费与用车 block of a matter's page.

    The page has already checked that the viewer may see the matter, so nothing here re-checks it: the
    totals (已支付, 审批中) count every claim of the matter, as the funds rules show the funds of a matter
    to whoever may see it; the claim rows are those ``claims_visible_to`` lets the viewer open (their
    own, their zone's as its leader, all for the 案管 and the commission's leaders), and the others are
    only counted. Bookings are those of ``bookings_visible_to``; since the viewer may see the matter, a
    confidential booking of it shows its destination (``booking_view`` masks only for those who may not).
    """

    kind: str
    matter_id: int
    claims: list[Claim]
    bookings: list[Booking]
    paid: Decimal
    committed: Decimal
    hidden_claims: int
    may_apply: bool

    @property
    def empty(self) -> bool:
        return not self.claims and not self.bookings and not self.hidden_claims

    @property
    def shown(self) -> bool:
        """An empty block still shows (saying so) to those who may apply for the matter."""
        return self.may_apply or not self.empty


def matter_funds(actor: Actor, kind: str, matter: Any) -> MatterFunds:
    """Two queries: the matter's claims with whether the viewer may open each, and its live bookings."""
    spec = MATTERS.get(kind)
    visible: Any = (
        ExpressionWrapper(
            Q(pk__in=claims_visible_to(actor).filter(matter_kind=kind, matter_id=matter.pk).values("pk")),
            output_field=BooleanField(),
        )
        if _staff(actor)
        else Value(False)
    )
    rows: list[Any] = list(
        Claim.objects.filter(matter_kind=kind, matter_id=matter.pk)
        .annotate(viewer_may_open=visible)
        .select_related("line__kind")
        .order_by("-id")
    )
    paid = sum((c.amount for c in rows if c.state in SPENT_STATES), ZERO)
    committed = sum((c.amount for c in rows if c.state in COMMITTED_STATES), ZERO)
    shown: list[Claim] = [c for c in rows if c.viewer_may_open]
    bookings = list(
        bookings_visible_to(actor)
        .filter(matter_kind=kind, matter_id=matter.pk)
        .exclude(state=BookingState.CANCELLED)
        .select_related("vehicle", "driver")
        .order_by("starts_at", "id")
    )
    may_apply = _staff(actor) and spec is not None and spec.commission_id(matter) == actor.commission_id
    return MatterFunds(
        kind=kind,
        matter_id=matter.pk,
        claims=shown,
        bookings=bookings,
        paid=_cents(paid),
        committed=_cents(committed),
        hidden_claims=len(rows) - len(shown),
        may_apply=may_apply,
    )


def claim_list(actor: Actor, *, zone_id: int | None = None, year: int | None = None, limit: int = 300) -> list[Claim]:
    qs = claims_visible_to(actor).select_related("line__kind", "zone", "claimant")
    if zone_id:
        qs = qs.filter(zone_id=zone_id)
    if year:
        qs = qs.filter(line__budget__year=year)
    return list(qs.order_by("-id")[:limit])


def budget_list(actor: Actor, year: int | None = None) -> list[ZoneBudget]:
    qs = budgets_visible_to(actor).select_related("zone")
    if year:
        qs = qs.filter(year=year)
    return list(qs.order_by("-year", "zone_id"))


def vehicle_list(actor: Actor) -> list[Vehicle]:
    return list(vehicles_visible_to(actor).select_related("zone").order_by("plate"))


def booking_list(actor: Actor, *, start: Any = None, end: Any = None, limit: int = 500) -> list[Booking]:
    qs = bookings_visible_to(actor).select_related("vehicle", "driver").exclude(state=BookingState.CANCELLED)
    if start is not None:
        qs = qs.filter(ends_at__gt=start)
    if end is not None:
        qs = qs.filter(starts_at__lt=end)
    return list(qs.order_by("starts_at", "id")[:limit])


def trip_list(actor: Actor, vehicle: Vehicle | None = None, limit: int = 300) -> list[Trip]:
    qs = trips_visible_to(actor).select_related("vehicle", "booking")
    if vehicle is not None:
        qs = qs.filter(vehicle=vehicle)
    return list(qs.order_by("-id")[:limit])


@dataclass(frozen=True)
class BookingView:
    """What a viewer may read of a booking: a confidential one shows only time and vehicle."""

    booking: Booking
    masked: bool

    @property
    def matter_label(self) -> str:
        return CONFIDENTIAL_TEXT if self.masked else self.booking.matter_label

    @property
    def destination(self) -> str:
        return CONFIDENTIAL_TEXT if self.masked else self.booking.destination

    @property
    def passengers(self) -> str:
        return CONFIDENTIAL_TEXT if self.masked else self.booking.passengers


def booking_view(actor: Actor, booking: Booking) -> BookingView:
    masked = booking.confidential and not (
        booking.booked_by_id == actor.user_id or may_see_matter(actor, booking.matter_kind, booking.matter_id)
    )
    return BookingView(booking, masked)


def booking_views(actor: Actor, bookings: Iterable[Booking]) -> list[BookingView]:
    return [booking_view(actor, b) for b in bookings]


def overlapping(qs: QuerySet[Booking], starts_at: Any, ends_at: Any, longest: Any) -> QuerySet[Booking]:
    """Live bookings of ``qs`` overlapping [starts_at, ends_at); ``longest`` bounds the index range."""
    return qs.filter(starts_at__lt=ends_at, starts_at__gt=starts_at - longest, ends_at__gt=starts_at).exclude(
        state=BookingState.CANCELLED
    )


def ledger_claims(actor: Actor, budget: ZoneBudget) -> list[Claim]:
    """经费台账 rows: every claim of the budget the actor may see that counts (paid, approved, submitted)."""
    return list(
        claims_visible_to(actor)
        .filter(line__budget=budget, state__in=[*SPENT_STATES, *COMMITTED_STATES])
        .select_related("line__kind", "claimant")
        .order_by("paid_at", "submitted_at", "id")
    )


def ledger_trips(actor: Actor, zone_id: int, year: int) -> list[Trip]:
    """车辆使用台账 rows: the trips of the zone's bookings (or of its vehicles) in the year."""
    return list(
        trips_visible_to(actor)
        .filter(Q(booking__zone_id=zone_id) | Q(booking__zone__isnull=True, vehicle__zone_id=zone_id))
        .filter(booking__starts_at__year=year)
        .select_related("vehicle", "booking__driver")
        .order_by("booking__starts_at", "id")
    )
