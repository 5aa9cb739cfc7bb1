"""The whole /statistics/ page (session, menu, figures, month table, charts, template) is a fixed number of
queries: it does not grow with the zones or townships shown nor with the months of the table (DESIGN §5b:
figures from GROUP BY queries, not per cell)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.intake.conftest import login
from tests.statistics.conftest import Q3

pytestmark = pytest.mark.django_db


def page_queries(username: str, params: dict[str, str]) -> tuple[int, str]:
    client = login(Client(), username)
    client.get("/statistics/", params)  # the session and the content types are warm after this one
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/statistics/", params)
    assert response.status_code == 200, response.status_code
    return len(captured.captured_queries), response.content.decode()


PAGE_QUERIES = 21  # the page as it is; a query per zone, township or month would raise the commission's count


def test_the_page_is_a_fixed_number_of_queries_for_the_commission_its_zones_and_any_period(dataset):
    counts = {}
    for username, params in [
        ("anguan", Q3),  # the commission: 4 zones, 20 townships in its parts
        ("anguan", {"from": "2025-01", "to": "2026-12"}),  # 24 months, two table years
        ("anguan", {"year": "2026", "table_year": "2025"}),
        ("zuzhang1", Q3),  # a zone: its townships as the parts
        ("zuzhang1", {"year": "2026"}),
    ]:
        counts[(username, tuple(params.items()))], html = page_queries(username, params)
        assert "成案率" in html
    assert set(counts.values()) == {PAGE_QUERIES}, counts


def test_a_townships_page_is_no_more_queries_than_the_commissions(dataset):
    township, _ = page_queries("xzshuji", Q3)
    year, _ = page_queries("xzshuji", {"year": "2026"})
    assert township == year <= PAGE_QUERIES
