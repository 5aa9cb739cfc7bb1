"""The intake API mirrors the pages: list, detail, register, route — with the same scope and rules."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.intake.conftest import REAL_NAME, api_get, api_post, register, unit_named
from xiezuoqu.intake.models import Report

pytestmark = pytest.mark.django_db


def body(**kw):
    data = {
        "channel": "phone",
        "received_on": timezone.localdate().isoformat(),
        "summary": "反映村会计挪用集体资金",
        "content": "村会计将集体资金三万元借给他人使用。",
        "category": "collective_assets",
        "accused": [{"name": "郑某", "unit_text": "大营子村", "position": "会计"}],
    }
    data.update(kw)
    return data


def test_a_registrar_registers_through_the_api(demo, client):
    response = api_post(client, "xzdengji", "/reports", body())
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["ledger_number"].startswith("凤纪凤凰城信〔") and data["state"] == "registered"
    assert data["reporter"] == "匿名" and data["accused"][0]["name"] == "郑某"


def test_registration_errors_are_problem_json_with_field_errors(demo, client):
    response = api_post(client, "xzdengji", "/reports", body(summary="", is_real_name=True, identity={"name": "李"}))
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert {"summary", "identity_phone"} <= set(response.json()["errors"])
    assert api_post(client, "xzshuji", "/reports", body()).status_code == 403


def test_the_list_is_scoped_filtered_and_keyset_paginated(demo, client):
    reports = [register("xzdengji") for _ in range(3)]
    register("dengji")
    first = api_get(client, "jianchashi1", "/reports", {"limit": 2}).json()
    assert [i["id"] for i in first["items"]] == [reports[2].pk, reports[1].pk]
    second = api_get(client, "jianchashi1", "/reports", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [i["id"] for i in second["items"]] == [reports[0].pk] and second["next_cursor"] is None
    assert api_get(client, "jianchashi1", "/reports", {"state": "nonsense"}).status_code == 422


def test_routing_through_the_api_follows_the_same_rules(demo, client):
    report = register(is_real_name=True, identity=REAL_NAME)
    refused = api_post(client, "xinfang", f"/reports/{report.pk}/route", {"action": "not_accept", "reason": "x"})
    assert refused.status_code == 422
    accepted = api_post(
        client,
        "xinfang",
        f"/reports/{report.pk}/route",
        {"action": "accept", "unit_id": unit_named("宝山镇纪委").pk},
    )
    assert accepted.status_code == 200 and accepted.json()["state"] == "assigned"
    again = api_post(client, "xinfang", f"/reports/{report.pk}/route", {"action": "accept"})
    assert again.status_code == 409
    notice = api_post(
        client,
        "xinfang",
        f"/reports/{report.pk}/messages",
        {"kind": "acceptance_notice", "text": "已受理", "method": "phone"},
    )
    assert notice.status_code == 201
    detail = api_get(client, "xzshuji", f"/reports/{report.pk}").json()
    assert [d["kind"] for d in detail["decisions"]] == ["accept", "assign"]
    assert REAL_NAME.name not in str(detail)
    concluded = api_post(
        client, "xzshuji", f"/reports/{report.pk}/route", {"action": "conclude", "result": "经查属实，已处理。"}
    )
    assert concluded.json()["state"] == "concluded"
    assert Report.objects.get(pk=report.pk).result == "经查属实，已处理。"


def test_village_supervisors_submit_through_the_api_and_staff_endpoints_are_not_theirs(demo, client):
    response = api_post(
        client, "jianduyuan", "/village-reports", {"content": "村里低保名单有问题。", "category": "farm_subsidy"}
    )
    assert response.status_code == 201 and response.json()["status"] == "已收到，等待登记"
    assert api_get(client, "jianduyuan", "/reports").status_code == 404
    assert api_get(client, "dengji", "/received").json()[0]["id"] == response.json()["id"]
