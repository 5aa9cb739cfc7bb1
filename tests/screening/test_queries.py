"""The hit list page and API cost the same number of queries for one hit as for all of them (no N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.intake.conftest import login
from xiezuoqu.demo.screening import load_demo_screening
from xiezuoqu.screening.models import Hit

pytestmark = pytest.mark.django_db


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_hit_list_does_not_query_per_hit(demo):
    load_demo_screening()
    assert Hit.objects.count() >= 6
    page = login(Client(), "anguan")
    page.get("/screening/hits/")  # the session and the actor warm up
    one = _queries(page, "/screening/hits/?state=all&rule=over_standard")
    every = _queries(page, "/screening/hits/?state=all")
    assert one == every
    api_one = _queries(page, "/api/v1/screening/hits?rule=over_standard")
    api_every = _queries(page, "/api/v1/screening/hits")
    assert api_one == api_every
