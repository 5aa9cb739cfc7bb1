"""The case-funds and vehicles API (办案经费 / 办案车辆): the same scope and services as the pages.

Money travels as a string with two decimals ("1234.50"), never as a JSON float.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.errors import NotFound

from . import selectors, services
from .models import Booking, Claim, Vehicle, ZoneBudget

router = Router(tags=["funds"])


def _actor(request: HttpRequest) -> Actor:
    actor = actor_for(request.user)
    if not actor.is_staff_worker or actor.is_admin:
        raise NotFound()
    return actor


class LineOut(Schema):
    id: int
    kind: str
    amount: str
    spent: str
    committed: str
    remaining: str
    warning: bool


class BudgetOut(Schema):
    id: int
    zone_id: int
    zone: str
    year: int
    lines: list[LineOut]


class BudgetIn(Schema):
    zone_id: int
    year: int
    amounts: dict[str, str]
    note: str = ""


class AdjustmentIn(Schema):
    line_id: int
    kind: str
    amount: str
    reason: str


class AdjustmentOut(Schema):
    id: int
    line_id: int
    kind: str
    amount: str
    state: str
    approval_id: int | None


class ClaimIn(Schema):
    line_id: int
    matter_kind: str
    matter_id: int
    amount: str
    purpose: str
    people: str = ""


class ClaimOut(Schema):
    id: int
    zone_id: int
    line_id: int
    line: str
    matter_kind: str
    matter_id: int
    matter: str
    amount: str
    purpose: str
    state: str
    approval_id: int | None
    reverses_id: int | None


class ReverseIn(Schema):
    reason: str


class VehicleIn(Schema):
    plate: str
    seats: int
    zone_id: int | None = None
    model_name: str = ""
    odometer_km: int = 0


class VehicleOut(Schema):
    id: int
    plate: str
    seats: int
    status: str
    zone_id: int | None
    odometer_km: int


class BookingIn(Schema):
    vehicle_id: int
    driver_id: int
    matter_kind: str
    matter_id: int
    starts_at: datetime
    ends_at: datetime
    destination: str
    passengers: str = ""
    confidential: bool = False


class BookingOut(Schema):
    id: int
    vehicle_id: int
    plate: str
    driver_id: int
    starts_at: datetime
    ends_at: datetime
    state: str
    confidential: bool
    matter: str
    destination: str
    passengers: str


class TripIn(Schema):
    odometer_start: int
    odometer_end: int
    cost: str = "0"
    note: str = ""


class TripOut(Schema):
    id: int
    booking_id: int
    vehicle_id: int
    odometer_start: int
    odometer_end: int
    cost: str


def _budget_out(budget: ZoneBudget) -> BudgetOut:
    ratio = selectors.policy_of(budget.commission_id).warning_ratio
    return BudgetOut(
        id=budget.pk,
        zone_id=budget.zone_id,
        zone=budget.zone.name,
        year=budget.year,
        lines=[
            LineOut(
                id=f.line.pk,
                kind=f.line.kind.name,
                amount=str(f.amount),
                spent=str(f.spent),
                committed=str(f.committed),
                remaining=str(f.remaining),
                warning=f.warning(ratio),
            )
            for f in selectors.figures_for(budget)
        ],
    )


def _claim_out(c: Claim) -> ClaimOut:
    return ClaimOut(
        id=c.pk,
        zone_id=c.zone_id,
        line_id=c.line_id,
        line=c.line.kind.name,
        matter_kind=c.matter_kind,
        matter_id=c.matter_id,
        matter=c.matter_label,
        amount=str(c.amount),
        purpose=c.purpose,
        state=c.state,
        approval_id=c.approval_id,
        reverses_id=c.reverses_id,
    )


def _vehicle_out(v: Vehicle) -> VehicleOut:
    return VehicleOut(
        id=v.pk, plate=v.plate, seats=v.seats, status=v.status, zone_id=v.zone_id, odometer_km=v.odometer_km
    )


def _booking_out(actor: Actor, b: Booking) -> BookingOut:
    view = selectors.booking_view(actor, b)
    return BookingOut(
        id=b.pk,
        vehicle_id=b.vehicle_id,
        plate=b.vehicle.plate,
        driver_id=b.driver_id,
        starts_at=b.starts_at,
        ends_at=b.ends_at,
        state=b.state,
        confidential=b.confidential,
        matter=view.matter_label,
        destination=view.destination,
        passengers=view.passengers,
    )


@router.get("/budgets", response=list[BudgetOut])
def list_budgets(
    request: HttpRequest, year: int | None = Query(None, ge=1900, le=2100, description="年度（1900–2100）")
) -> list[BudgetOut]:
    return [_budget_out(b) for b in selectors.budget_list(_actor(request), year)]


@router.post("/budgets", response={201: BudgetOut})
def create_budget(request: HttpRequest, payload: BudgetIn) -> Status:
    actor = _actor(request)
    kinds = {k.code: k.pk for k in selectors.line_kinds(actor.commission_id or 0)}
    amounts = {kinds[code]: value for code, value in payload.amounts.items() if code in kinds}
    budget = services.set_budget(
        actor=actor, zone_id=payload.zone_id, year=payload.year, amounts=amounts, note=payload.note, request=request
    )
    return Status(201, _budget_out(selectors.get_budget_for(actor, budget.pk)))


@router.get("/budgets/{budget_id}", response=BudgetOut)
def get_budget(request: HttpRequest, budget_id: int) -> BudgetOut:
    return _budget_out(selectors.get_budget_for(_actor(request), budget_id))


@router.post("/budgets/{budget_id}/adjustments", response={201: AdjustmentOut})
def adjust(request: HttpRequest, budget_id: int, payload: AdjustmentIn) -> Status:
    actor = _actor(request)
    budget = selectors.get_budget_for(actor, budget_id)
    if not selectors.lines_visible_to(actor).filter(budget=budget, pk=payload.line_id).exists():
        raise NotFound("请选择本预算的科目。")
    adjustment = services.request_adjustment(
        actor=actor,
        line_id=payload.line_id,
        kind=payload.kind,
        amount=payload.amount,
        reason=payload.reason,
        request=request,
    )
    return Status(
        201,
        AdjustmentOut(
            id=adjustment.pk,
            line_id=adjustment.line_id,
            kind=adjustment.kind,
            amount=str(adjustment.amount),
            state=adjustment.state,
            approval_id=adjustment.approval_id,
        ),
    )


@router.get("/claims", response=list[ClaimOut])
def list_claims(request: HttpRequest) -> list[ClaimOut]:
    return [_claim_out(c) for c in selectors.claim_list(_actor(request))]


@router.post("/claims", response={201: ClaimOut})
def create_claim(request: HttpRequest, payload: ClaimIn) -> Status:
    actor = _actor(request)
    created = services.create_claim(actor=actor, data=services.ClaimInput(**payload.dict()), request=request)
    return Status(201, _claim_out(selectors.get_claim_for(actor, created.pk)))


@router.get("/claims/{claim_id}", response=ClaimOut)
def get_claim(request: HttpRequest, claim_id: int) -> ClaimOut:
    return _claim_out(selectors.get_claim_for(_actor(request), claim_id))


@router.post("/claims/{claim_id}/submit", response=ClaimOut)
def submit_claim(request: HttpRequest, claim_id: int) -> ClaimOut:
    actor = _actor(request)
    found = selectors.get_claim_for(actor, claim_id)
    services.submit_claim(actor=actor, claim_id=found.pk, request=request)
    return _claim_out(selectors.get_claim_for(actor, found.pk))


@router.post("/claims/{claim_id}/withdraw", response=ClaimOut)
def withdraw_claim(request: HttpRequest, claim_id: int) -> ClaimOut:
    actor = _actor(request)
    found = selectors.get_claim_for(actor, claim_id)
    services.withdraw_claim(actor=actor, claim_id=found.pk, request=request)
    return _claim_out(selectors.get_claim_for(actor, found.pk))


@router.post("/claims/{claim_id}/pay", response=ClaimOut)
def pay_claim(request: HttpRequest, claim_id: int) -> ClaimOut:
    actor = _actor(request)
    found = selectors.get_claim_for(actor, claim_id)
    services.pay_claim(actor=actor, claim_id=found.pk, request=request)
    return _claim_out(selectors.get_claim_for(actor, found.pk))


@router.post("/claims/{claim_id}/reverse", response={201: ClaimOut})
def reverse_claim(request: HttpRequest, claim_id: int, payload: ReverseIn) -> Status:
    actor = _actor(request)
    found = selectors.get_claim_for(actor, claim_id)
    reversal = services.reverse_claim(actor=actor, claim_id=found.pk, reason=payload.reason, request=request)
    return Status(201, _claim_out(selectors.get_claim_for(actor, reversal.pk)))


@router.get("/vehicles", response=list[VehicleOut])
def list_vehicles(request: HttpRequest) -> list[VehicleOut]:
    return [_vehicle_out(v) for v in selectors.vehicle_list(_actor(request))]


@router.post("/vehicles", response={201: VehicleOut})
def add_vehicle(request: HttpRequest, payload: VehicleIn) -> Status:
    created = services.add_vehicle(actor=_actor(request), data=services.VehicleInput(**payload.dict()), request=request)
    return Status(201, _vehicle_out(created))


@router.get("/bookings", response=list[BookingOut])
def list_bookings(request: HttpRequest) -> list[BookingOut]:
    actor = _actor(request)
    return [_booking_out(actor, b) for b in selectors.booking_list(actor)]


@router.post("/bookings", response={201: BookingOut})
def create_booking(request: HttpRequest, payload: BookingIn) -> Status:
    actor = _actor(request)
    created = services.book_vehicle(actor=actor, data=services.BookingInput(**payload.dict()), request=request)
    return Status(201, _booking_out(actor, selectors.get_booking_for(actor, created.pk)))


@router.get("/bookings/{booking_id}", response=BookingOut)
def get_booking(request: HttpRequest, booking_id: int) -> BookingOut:
    actor = _actor(request)
    return _booking_out(actor, selectors.get_booking_for(actor, booking_id))


@router.post("/bookings/{booking_id}/cancel", response=BookingOut)
def cancel_booking(request: HttpRequest, booking_id: int) -> BookingOut:
    actor = _actor(request)
    found = selectors.get_booking_for(actor, booking_id)
    services.cancel_booking(actor=actor, booking_id=found.pk, request=request)
    return _booking_out(actor, selectors.get_booking_for(actor, found.pk))


@router.post("/bookings/{booking_id}/trip", response={201: TripOut})
def record_trip(request: HttpRequest, booking_id: int, payload: TripIn) -> Status:
    actor = _actor(request)
    found = selectors.get_booking_for(actor, booking_id)
    trip = services.record_trip(actor=actor, booking_id=found.pk, request=request, **payload.dict())
    return Status(
        201,
        TripOut(
            id=trip.pk,
            booking_id=trip.booking_id,
            vehicle_id=trip.vehicle_id,
            odometer_start=trip.odometer_start,
            odometer_end=trip.odometer_end,
            cost=str(trip.cost),
        ),
    )


@router.post("/bookings/{booking_id}/claim", response={201: ClaimOut})
def claim_trip(request: HttpRequest, booking_id: int) -> Status:
    actor = _actor(request)
    found = selectors.get_booking_for(actor, booking_id)
    trip = selectors.trips_visible_to(actor).filter(booking=found).first()
    if trip is None:
        raise NotFound("该预约还没有出车记录。")
    created = services.claim_trip(actor=actor, trip_id=trip.pk, request=request)
    return Status(201, _claim_out(selectors.get_claim_for(actor, created.pk)))
