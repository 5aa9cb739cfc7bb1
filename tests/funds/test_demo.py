"""The demo loader: four zone budgets, claims in every state, six vehicles with a month of bookings and
trips; a second run does nothing."""

from __future__ import annotations

import pytest

from tests.funds.conftest import clue
from xiezuoqu.demo.funds import load_demo_funds
from xiezuoqu.funds.models import Booking, Claim, Trip, Vehicle, ZoneBudget
from xiezuoqu.funds.workflow import ClaimState

pytestmark = pytest.mark.django_db


def test_the_demo_loads_budgets_claims_in_every_state_vehicles_bookings_and_trips_once(demo):
    clue()  # a zone 1 matter the zone's office sees
    summary = load_demo_funds()
    assert summary.loaded and summary.budgets == 4 and summary.vehicles == 6
    assert ZoneBudget.objects.count() == 4 and Vehicle.objects.count() == 6
    assert set(Claim.objects.values_list("state", flat=True)) == set(ClaimState.values)
    assert Claim.objects.filter(reverses__isnull=False).exists()
    assert Booking.objects.filter(confidential=True).exists() and Trip.objects.count() == summary.trips > 10
    assert Claim.objects.filter(trip__isnull=False).exists()
    again = load_demo_funds()
    assert not again.loaded and Claim.objects.count() == summary.claims
