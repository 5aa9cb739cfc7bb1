"""Vehicles, bookings and trips: no double booking of a vehicle or a driver, odometer only going up,
a trip's cost claimed against 交通, and a confidential booking masked for those who may not see the matter."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from tests.funds.conftest import at, booking_input, budget, clue, driver, vehicle
from tests.intake.conftest import demo_actor
from xiezuoqu.errors import NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.funds import selectors, services
from xiezuoqu.funds.models import Booking, BookingState, Trip, Vehicle
from xiezuoqu.funds.workflow import ClaimState

pytestmark = pytest.mark.django_db


def test_a_vehicle_is_booked_driven_and_its_cost_claimed_against_transport(demo):
    found_budget = budget()
    car = vehicle()
    matter = clue()
    booking = services.book_vehicle(actor=demo_actor("xzshuji"), data=booking_input(car, matter, 1, 5))
    assert booking.state == BookingState.BOOKED and booking.zone_id == found_budget.zone_id
    trip = services.record_trip(
        actor=demo_actor("xzshuji"), booking_id=booking.pk, odometer_start=1000, odometer_end=1086, cost="180.50"
    )
    car.refresh_from_db()
    booking.refresh_from_db()
    assert (car.odometer_km, booking.state, trip.distance_km) == (1086, BookingState.DONE, 86)
    claim = services.claim_trip(actor=demo_actor("xzshuji"), trip_id=trip.pk)
    assert claim.line.kind.is_transport and claim.amount == Decimal("180.50") and claim.trip_id == trip.pk
    assert claim.state == ClaimState.DRAFT and claim.matter_id == matter.pk
    with pytest.raises(RuleViolation, match="已经申请过"):
        services.claim_trip(actor=demo_actor("xzshuji"), trip_id=trip.pk)


def test_an_overlapping_booking_of_the_vehicle_or_the_driver_is_refused_and_nothing_changes(demo):
    budget()
    car = vehicle()
    other_car = vehicle("辽F·J0002")
    matter = clue()
    first = services.book_vehicle(actor=demo_actor("xzshuji"), data=booking_input(car, matter, 1, 5))
    before = Booking.objects.count()
    with pytest.raises(RuleViolation, match=r"车辆 辽F·J0001 在 .* 已有预约"):
        services.book_vehicle(
            actor=demo_actor("xzshuji"), data=booking_input(car, matter, 4, 8, driver_id=driver(1).pk)
        )
    with pytest.raises(RuleViolation, match="已有出车任务"):
        services.book_vehicle(actor=demo_actor("xzshuji"), data=booking_input(other_car, matter, 2, 3))
    assert Booking.objects.count() == before
    # Back to back is not an overlap; a cancelled booking frees its time.
    services.book_vehicle(actor=demo_actor("xzshuji"), data=booking_input(car, matter, 5, 6))
    services.cancel_booking(actor=demo_actor("xzshuji"), booking_id=first.pk)
    services.book_vehicle(actor=demo_actor("xzshuji"), data=booking_input(car, matter, 1, 5, driver_id=driver(2).pk))
    with pytest.raises(ValidationFailed):
        services.book_vehicle(actor=demo_actor("xzshuji"), data=booking_input(car, matter, 20, 19))
    with pytest.raises(ValidationFailed, match="最长 7 天"):
        services.book_vehicle(actor=demo_actor("xzshuji"), data=booking_input(car, matter, 30, 30 + 24 * 8))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the exclusion constraints are PostgreSQL's")
def test_the_database_itself_refuses_an_overlapping_booking_on_postgresql(demo):
    budget()
    car = vehicle()
    matter = clue()
    first = services.book_vehicle(actor=demo_actor("xzshuji"), data=booking_input(car, matter, 1, 5))
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            commission_id=first.commission_id,
            vehicle=car,
            driver=driver(3),
            matter_kind="clue",
            matter_id=matter.pk,
            matter_label="x",
            starts_at=at(2),
            ends_at=at(3),
            destination="x",
            booked_by_id=first.booked_by_id,
        )


def test_an_odometer_reading_that_goes_down_is_refused_and_nothing_changes(demo):
    budget()
    car = vehicle(odometer=5000)
    matter = clue()
    booking = services.book_vehicle(actor=demo_actor("xzshuji"), data=booking_input(car, matter, 1, 5))
    with pytest.raises(RuleViolation, match="已登记的里程为 5000 公里"):
        services.record_trip(actor=demo_actor("xzshuji"), booking_id=booking.pk, odometer_start=4990, odometer_end=5050)
    with pytest.raises(RuleViolation, match="不能小于出车里程"):
        services.record_trip(actor=demo_actor("xzshuji"), booking_id=booking.pk, odometer_start=5010, odometer_end=5005)
    car.refresh_from_db()
    booking.refresh_from_db()
    assert car.odometer_km == 5000 and booking.state == BookingState.BOOKED and not Trip.objects.exists()
    with pytest.raises(NotPermitted):
        services.record_trip(
            actor=demo_actor("xzshuji2"), booking_id=booking.pk, odometer_start=5000, odometer_end=5001
        )


def test_a_confidential_booking_shows_only_time_and_vehicle_to_those_who_may_not_see_the_matter(demo):
    budget()
    car = vehicle()
    matter = clue()
    booking = services.book_vehicle(
        actor=demo_actor("xzshuji"), data=booking_input(car, matter, 1, 5, confidential=True)
    )
    outsider = demo_actor("xzshuji2")  # zone 2: may not see the zone 1 clue
    assert selectors.can_view_booking(outsider, booking)
    view = selectors.booking_view(outsider, booking)
    assert view.masked and view.matter_label == "（保密事项）" and view.destination == "（保密事项）"
    assert view.booking.vehicle.plate == car.plate and view.booking.starts_at == booking.starts_at
    assert not selectors.booking_view(demo_actor("zuzhang1"), booking).masked
    assert not selectors.booking_view(demo_actor("xzshuji"), booking).masked
    open_one = services.book_vehicle(actor=demo_actor("xzshuji"), data=booking_input(car, matter, 6, 7))
    assert not selectors.booking_view(outsider, open_one).masked


def test_only_the_fleet_manager_keeps_the_pool_and_a_vehicle_out_of_service_cannot_be_booked(demo):
    budget()
    with pytest.raises(NotPermitted):
        services.add_vehicle(actor=demo_actor("xzshuji"), data=services.VehicleInput(plate="辽F·X1", seats=5))
    car = vehicle()
    with pytest.raises(RuleViolation, match="已在车辆库"):
        vehicle()
    services.set_vehicle_status(actor=demo_actor("anguan"), vehicle_id=car.pk, status="maintenance")
    with pytest.raises(RuleViolation, match="维修保养"):
        services.book_vehicle(actor=demo_actor("xzshuji"), data=booking_input(car, clue(), 1, 2))
    assert Vehicle.objects.get(pk=car.pk).status == "maintenance"
