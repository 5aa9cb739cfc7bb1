"""/api/v1/statistics/: the page's figures and month table as JSON, through the same scope; bad query
parameters are problem JSON with a Chinese detail, a level out of reach is 404, never a 500."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from tests.intake.conftest import api_token
from tests.statistics.conftest import Q3, drill_count
from xiezuoqu.accounts.models import User
from xiezuoqu.meetings.summary import Period
from xiezuoqu.statistics import figures, present

pytestmark = pytest.mark.django_db


def get(username: str, path: str, params: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    user = User.objects.get(username=username)
    return Client().get("/api/v1/statistics" + path, params or {}, HTTP_AUTHORIZATION=f"Bearer {api_token(user)}")


def test_the_api_gives_the_figures_the_drill_down_counts(dataset):
    response = get("anguan", "/figures", {**Q3, "zone": str(dataset.zone.pk)})
    assert response.status_code == 200
    body = response.json()
    fig = body["figures"]
    assert (body["start"], body["end"]) == ("2026-07-01", "2026-09-30")
    assert fig["cases_filed"] == 2 and fig["disposed_by_method"]["preliminary_verification"] == 2
    assert fig["filing_rate"] == 100.0 and fig["cross_joint_share"] == 66.7
    zone = figures.Level("zone", dataset.zone.pk, dataset.zone.name)
    period = Period(date(2026, 7, 1), date(2026, 9, 30))
    assert drill_count("anguan", present.drill_url(zone, period, "cases")) == fig["cases_filed"]
    assert drill_count("anguan", present.drill_url(zone, period, "teams", "cross,joint")) == 2


def test_the_month_table_over_the_api(dataset):
    response = get("zuzhang1", "/months", {"table_year": "2026"})
    assert response.status_code == 200
    rows = response.json()["rows"]
    assert rows[0]["level"]["kind"] == "zone" and rows[0]["level"]["id"] == dataset.zone.pk
    assert rows[0]["verified"][6] >= 2 and len(rows[0]["last_year"]["rates"]) == 12


@pytest.mark.parametrize(
    "params",
    [{"year": "abc"}, {"from": "2026-13", "to": "2026-12"}, {"quarter": "9", "year": "2026"}, {"zone": "x"}],
)
def test_bad_parameters_are_problem_json(demo, params):
    response = get("anguan", "/figures", params)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["detail"])


def test_a_level_out_of_reach_is_404_problem_json(dataset):
    response = get("zuzhang1", "/figures", {"zone": str(dataset.other_zone.pk)})
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    assert get("xzganbu", "/months").status_code == 404
