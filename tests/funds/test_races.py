"""Racing writes on PostgreSQL, each in its own thread and connection: two claims for the last of a line,
two bookings of the same vehicle (or driver) for overlapping times. Whatever order the database lets
them in, exactly one wins and the other is refused with its Chinese message; nothing else changes.

The claims take turns on the budget line's row lock (SELECT … FOR UPDATE), the bookings on the vehicle
and driver rows and, underneath, the exclusion constraints. SQLite serialises every writer on its
write lock, so the race cannot be run there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from tests.funds.conftest import booking_input, budget, clue, draft, driver, line, vehicle
from tests.intake.conftest import demo_actor
from xiezuoqu.errors import DomainError
from xiezuoqu.funds import selectors, services
from xiezuoqu.funds.models import Booking, Claim
from xiezuoqu.funds.workflow import ClaimState

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="two real connections race only on PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def race(*calls: Callable[[], Any]) -> tuple[list[Any], list[BaseException]]:
    """Run the calls at once, each in its own thread (and so its own database connection)."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            value = call()
            with lock:
                results.append(value)
        except BaseException as exc:  # collected and asserted on by the test
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results, errors


def test_two_claims_racing_for_the_last_of_a_line_cannot_both_pass(demo):
    transport = line(budget(), "transport")  # 3000.00
    matter = clue()
    first, second = draft(transport, matter, "2000.00"), draft(transport, matter, "1500.00")
    actor = demo_actor("xzshuji")
    results, errors = race(
        lambda: services.submit_claim(actor=actor, claim_id=first.pk),
        lambda: services.submit_claim(actor=actor, claim_id=second.pk),
    )
    assert len(results) == 1 and len(errors) == 1, (results, errors)
    assert isinstance(errors[0], DomainError) and "科目余额只有" in errors[0].message
    states = sorted(Claim.objects.filter(pk__in=[first.pk, second.pk]).values_list("state", flat=True))
    assert states == sorted([ClaimState.DRAFT, ClaimState.SUBMITTED])
    figures = {f.line.pk: f for f in selectors.figures_for(transport.budget)}[transport.pk]
    assert figures.committed in (Decimal("2000.00"), Decimal("1500.00")) and figures.remaining >= 0


def test_two_bookings_racing_for_the_same_vehicle_cannot_both_pass(demo):
    budget()
    car = vehicle()
    matter = clue()
    actor = demo_actor("xzshuji")
    results, errors = race(
        lambda: services.book_vehicle(actor=actor, data=booking_input(car, matter, 1, 4, driver_id=driver(0).pk)),
        lambda: services.book_vehicle(actor=actor, data=booking_input(car, matter, 3, 6, driver_id=driver(1).pk)),
    )
    assert len(results) == 1 and len(errors) == 1, (results, errors)
    assert isinstance(errors[0], DomainError) and "已有预约" in errors[0].message
    assert Booking.objects.filter(vehicle=car).count() == 1


def test_two_bookings_racing_for_the_same_driver_cannot_both_pass(demo):
    budget()
    one, two = vehicle(), vehicle("辽F·J0002")
    matter = clue()
    actor = demo_actor("xzshuji")
    results, errors = race(
        lambda: services.book_vehicle(actor=actor, data=booking_input(one, matter, 1, 4)),
        lambda: services.book_vehicle(actor=actor, data=booking_input(two, matter, 2, 3)),
    )
    assert len(results) == 1 and len(errors) == 1, (results, errors)
    assert isinstance(errors[0], DomainError)
    assert Booking.objects.filter(driver=driver(0)).count() == 1
