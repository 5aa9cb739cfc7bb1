"""The demo loader: four zone budgets, claims in every state, six vehicles with a month of bookings and
trips; a second run does nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.funds.conftest import clue
from xiezuoqu.clues.models import Clue
from xiezuoqu.demo.clock import story_clock
from xiezuoqu.demo.funds import load_demo_funds
from xiezuoqu.funds.models import Booking, Claim, Trip, Vehicle, ZoneBudget
from xiezuoqu.funds.workflow import ClaimState

pytestmark = pytest.mark.django_db


def test_the_demo_loads_budgets_claims_in_every_state_vehicles_bookings_and_trips_once(demo):
    with story_clock() as clock:  # a zone 1 matter the zone's office sees, opened three months ago
        clock.set(timezone.now() - timedelta(days=90))
        clue()
    summary = load_demo_funds()
    assert summary.loaded and summary.budgets == 4 and summary.vehicles == 6
    assert ZoneBudget.objects.count() == 4 and Vehicle.objects.count() == 6
    assert set(Claim.objects.values_list("state", flat=True)) == set(ClaimState.values)
    assert Claim.objects.filter(reverses__isnull=False).exists()
    assert Booking.objects.filter(confidential=True).exists() and Trip.objects.count() == summary.trips > 10
    assert Claim.objects.filter(trip__isnull=False).exists()
    # The year as it went: budgets in January, claims spread over the months, bookings before their trips.
    assert {timezone.localtime(b.created_at).month for b in ZoneBudget.objects.all()} == {1}
    submitted = Claim.objects.exclude(submitted_at=None)
    assert len({timezone.localtime(c.submitted_at).month for c in submitted}) >= 3
    opened = dict(Clue.objects.values_list("pk", "created_at"))
    assert all(c.submitted_at >= opened[c.matter_id] for c in submitted if c.matter_kind == "clue")
    for claim in Claim.objects.filter(state=ClaimState.PAID, reverses__isnull=True):
        assert claim.submitted_at is not None and claim.paid_at is not None and claim.submitted_at < claim.paid_at
    for booking in Booking.objects.all():
        assert booking.booked_at < booking.starts_at
    for trip in Trip.objects.select_related("booking"):
        assert trip.recorded_at >= trip.booking.ends_at
    assert max(c.created_at for c in Claim.objects.all()) <= timezone.now()
    again = load_demo_funds()
    assert not again.loaded and Claim.objects.count() == summary.claims
