"""What the OpenAPI fuzzer (test_api_fuzz.py) found, pinned one by one so it cannot come back."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from xiezuoqu.api import api

pytestmark = pytest.mark.django_db


@pytest.fixture
def head(demo) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(demo.user("shuji"))
    return client


@pytest.mark.parametrize("path", ["/api/v1/org/units", "/api/v1/org/staff", "/api/v1/org/villages"])
@pytest.mark.parametrize("query", [{"offset": -3}, {"limit": -10}])
def test_a_negative_offset_or_limit_is_a_422_not_a_500(head, path, query):
    """Found: a negative ``offset``/``limit`` reached the queryset slice and answered 500."""
    response = head.get(path, query)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    body = json.loads(response.content)
    assert body["status"] == 422 and next(iter(query)) in body["errors"]


@pytest.mark.parametrize("path", ["/api/v1/org/units", "/api/v1/org/staff", "/api/v1/org/villages"])
def test_the_paging_bounds_are_in_the_document(path):
    parameters = api.get_openapi_schema(path_prefix="/api/v1")["paths"][path]["get"]["parameters"]
    bounds = {p["name"]: p["schema"].get("minimum") for p in parameters if p["name"] in ("limit", "offset")}
    assert bounds == {"limit": 0, "offset": 0}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/archive/cases/{case_id}/build"),
        ("post", "/api/v1/archive/clues/{clue_id}/build"),
        ("get", "/api/v1/archive/packages/{package_id}/download"),
    ],
)
def test_the_archive_zip_answers_are_documented_as_zip(method, path):
    """Found: the build and download answers are a .zip, but the document promised an empty 200."""
    served = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1")))  # as /openapi.json serves it
    responses = served["paths"][path][method]["responses"]
    assert responses["200"]["content"] == {"application/zip": {"schema": {"type": "string", "format": "binary"}}}


@pytest.mark.parametrize("path", ["/api/v1/accounts/tokens", "/api/v1/clues/"])
def test_a_body_that_is_not_json_is_refused_in_chinese(head, path):
    """Found: a body that is not JSON was refused with ninja's English "Cannot parse request body"."""
    response = head.post(path, "{not json", content_type="application/json")
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    body = json.loads(response.content)
    assert body["status"] == 400 and "无法解析" in body["detail"]


# -- found by schemathesis (test_schemathesis.py) ------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/org/units", "/api/v1/org/staff", "/api/v1/org/villages"])
def test_an_offset_past_the_databases_integers_is_a_422_not_a_503(head, path):
    """Found: ``offset=2**63`` overflowed the SQL slice ("datatype mismatch") and answered 503."""
    response = head.get(path, {"offset": 2**63})
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert "offset" in json.loads(response.content)["errors"]


def test_every_operation_documents_its_refusals_as_problem_json():
    """Found: 403, 404 and 422 answers were undocumented (only the 2xx was), so no client knew their shape."""
    served = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1")))
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, operations in served["paths"].items():
        for method, operation in operations.items():
            assert operation["responses"]["4XX"]["content"] == problem, (method, path)
            assert operation["responses"]["503"]["content"] == problem, (method, path)
    assert served["components"]["schemas"]["Problem"]["required"] == ["type", "title", "status", "detail"]


def test_a_refusal_matches_the_documented_problem_schema(head):
    import jsonschema

    served = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1")))
    response = head.get("/api/v1/org/units/999999999")
    assert response.status_code == 404
    jsonschema.validate(json.loads(response.content), served["components"]["schemas"]["Problem"])


@pytest.mark.parametrize("path", ["/api/v1/training/zones/{zone}", "/api/v1/training/cadres/{staff}"])
@pytest.mark.parametrize("year", [-1671, 10000])
def test_a_training_year_no_date_can_hold_is_a_422_not_a_500(head, demo, path, year):
    """Found: ``year=-1671`` reached ``date(year, 1, 1)`` in the year lookup and answered 500."""
    from xiezuoqu.org.models import StaffMember, Zone

    url = path.format(zone=Zone.objects.order_by("pk").first().pk, staff=StaffMember.objects.order_by("pk").first().pk)
    response = head.get(url, {"year": year})
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert "year" in json.loads(response.content)["errors"]


@pytest.mark.parametrize("year", [-5, 10**20])
def test_a_budget_year_out_of_range_is_a_422_not_a_500(head, demo, year):
    """A year no budget can have (or past a 64-bit integer) is refused as problem JSON."""
    response = head.get("/api/v1/funds/budgets", {"year": year})
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"


def test_a_schedules_time_is_documented_as_the_local_clock_time_it_is_sent_as(head, demo):
    """Found: ``at`` was documented as JSON Schema ``format: time`` (which needs an offset) but sent "09:00:00"."""
    import re
    from datetime import time

    from xiezuoqu.meetings.models import RegularSchedule
    from xiezuoqu.org.models import Zone

    kind = RegularSchedule._meta.get_field("kind").choices[0][0]
    zone = Zone.objects.order_by("pk").first()
    RegularSchedule.objects.create(
        zone=zone, kind=kind, week=1, weekday=1, at=time(9, 0), place="会议室", set_by=demo.user("shuji")
    )

    served = api.get_openapi_schema(path_prefix="/api/v1")
    at = served["components"]["schemas"]["ScheduleOut"]["properties"]["at"]
    assert "format" not in at
    response = head.get("/api/v1/meetings/schedules")
    assert response.status_code == 200
    times = [row["at"] for row in json.loads(response.content)]
    assert times and all(re.fullmatch(at["pattern"], value) for value in times)


def test_a_schedule_time_with_an_offset_is_refused_in_chinese(head, demo):
    from xiezuoqu.org.models import Zone

    zone = Zone.objects.order_by("pk").first()
    body = {"zone_id": zone.pk, "kind": "x", "week": 1, "weekday": 1, "at": "09:00:00+08:00", "place": "会议室"}
    response = head.post("/api/v1/meetings/schedules", body, content_type="application/json")
    assert response.status_code == 422
    assert "不带时区" in str(json.loads(response.content)["errors"])
