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
