"""The same flow through the pages and the API: the plan form, the campaign page, the team's page, the finding
page with its disposal actions; problem JSON for refusals; the 通报 and the two ledgers as files."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.inspections import services
from xiezuoqu.inspections.models import Campaign, CheckResult, Finding, FindingState

from .conftest import api_token, demo_actor, finding_input, login, under_way, unit_named, zone

pytestmark = pytest.mark.django_db

BAOSHAN = "宝山镇纪委"


def _team(campaign):
    return campaign.assignments.get(inspecting_unit=unit_named(BAOSHAN))


def _api(username, method, path, body=None):
    from xiezuoqu.accounts.models import User

    token = api_token(User.objects.get(username=username))
    client = Client()
    call = getattr(client, method)
    kwargs = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return call("/api/v1/inspections" + path, **kwargs)


def test_the_plan_form_creates_a_campaign_and_the_page_offers_to_submit_it(demo):
    client = login(Client(), "zuzhang1")
    assert client.get("/inspections/").status_code == 200
    page = client.get("/inspections/new/")
    assert page.status_code == 200 and "拟定专项检查" in page.content.decode()
    today = timezone.localdate()
    response = client.post(
        "/inspections/new/",
        {
            "title": "集体三资专项检查",
            "focus_area": "collective_assets",
            "zone_id": str(zone(1).pk),
            "zone_ids": [str(zone(1).pk)],
            "period_start": today.isoformat(),
            "period_end": (today + timedelta(days=30)).isoformat(),
            "forbid_two_cycles": ["off", "on"],
            "point_text": ["村集体资金是否收支入账", ""],
            "point_basis": ["村集体经济组织财务制度", ""],
            "point_evidence": ["账簿", ""],
        },
    )
    campaign = Campaign.objects.get(title="集体三资专项检查")
    assert response.status_code == 302 and response["Location"] == f"/inspections/{campaign.pk}/"
    assert campaign.forbid_two_cycles and campaign.points.count() == 1
    page = client.get(f"/inspections/{campaign.pk}/").content.decode()
    assert "报批检查方案" in page and "村集体资金是否收支入账" in page
    client.post(f"/inspections/{campaign.pk}/act/", {"action": "submit"})
    campaign.refresh_from_db()
    assert campaign.state == "submitted"
    assert AuditEvent.objects.filter(action="campaign.viewed", target_id=str(campaign.pk)).exists()


def test_a_bad_plan_on_the_form_shows_the_chinese_message(demo):
    client = login(Client(), "zuzhang1")
    page = client.post("/inspections/new/", {"title": "", "focus_area": "farm_subsidy"}, follow=True)
    assert "请填写检查名称" in page.content.decode()


def test_a_township_secretary_gets_no_plan_form(demo):
    assert login(Client(), "xzshuji").get("/inspections/new/").status_code == 404


def test_findings_through_the_pages_then_rectified_and_signed_off(demo):
    campaign = under_way()
    team = _team(campaign)
    leader = login(Client(), "xzshuji")
    page = leader.get(f"/inspections/team/{team.pk}/")
    assert page.status_code == 200 and "登记问题" in page.content.decode()
    leader.post(
        f"/inspections/team/{team.pk}/act/",
        {
            "action": "check",
            "point_id": campaign.points.first().pk,
            "result": CheckResult.PROBLEM,
            "note": "底稿：抽查",
        },
    )
    bad = leader.post(
        f"/inspections/team/{team.pk}/act/",
        {
            "action": "finding",
            "category": "funds",
            "description": "冒领补贴",
            "responsible_unit": "某村",
            "amount": "三千元",
        },
        follow=True,
    )
    assert "涉及金额应填写数字" in bad.content.decode()
    assert not Finding.objects.filter(campaign=campaign).exists()
    response = leader.post(
        f"/inspections/team/{team.pk}/act/",
        {
            "action": "finding",
            "category": "funds",
            "description": "冒领补贴",
            "responsible_unit": "某村",
            "amount": "3000",
        },
    )
    finding = Finding.objects.get(campaign=campaign)
    assert response["Location"] == f"/inspections/finding/{finding.pk}/"
    leader.post(f"/inspections/finding/{finding.pk}/act/", {"action": "rectify", "requirement": "退回资金"})
    finding.refresh_from_db()
    assert finding.state == FindingState.RECTIFYING

    inspected = login(Client(), "xzshuji_baiqi")
    page = inspected.get(f"/inspections/finding/{finding.pk}/").content.decode()
    assert "报送整改情况" in page and "冒领补贴" in page
    # The inspected unit never sees the team's working notes nor the team's page.
    assert inspected.get(f"/inspections/team/{team.pk}/").status_code == 404
    assert "底稿：抽查" not in inspected.get(f"/inspections/{campaign.pk}/").content.decode()
    r = finding.rectification
    inspected.post(
        f"/inspections/finding/{finding.pk}/act/",
        {"action": "report", "rectification_id": r.pk, "report": "已退回", "evidence_note": "凭证"},
    )
    leader.post(f"/inspections/finding/{finding.pk}/act/", {"action": "pass", "rectification_id": r.pk, "note": "到位"})
    login(Client(), "zuzhang1").post(f"/inspections/finding/{finding.pk}/act/", {"action": "close"})
    finding.refresh_from_db()
    assert finding.state == FindingState.CLOSED
    edit = leader.post(
        f"/inspections/finding/{finding.pk}/act/",
        {"action": "edit", "category": "funds", "description": "改", "responsible_unit": "某村", "amount": "1"},
        follow=True,
    )
    assert "已销号，不能再修改" in edit.content.decode()
    finding.refresh_from_db()
    assert finding.description == "冒领补贴"


def test_another_zone_sees_nothing_of_the_campaign(demo):
    campaign = under_way()
    team = _team(campaign)
    finding = services.add_finding(actor=demo_actor("xzshuji"), assignment_id=team.pk, data=finding_input())
    other = login(Client(), "xzshuji2")
    paths = (f"/inspections/{campaign.pk}/", f"/inspections/team/{team.pk}/", f"/inspections/finding/{finding.pk}/")
    for path in paths:
        assert other.get(path).status_code == 404
    assert _api("xzshuji2", "get", f"/findings/{finding.pk}").status_code == 404


def test_the_notice_and_the_ledgers_are_files_with_the_findings(demo):
    campaign = under_way()
    team = _team(campaign)
    finding = services.add_finding(actor=demo_actor("xzshuji"), assignment_id=team.pk, data=finding_input())
    services.order_rectification(actor=demo_actor("xzshuji"), finding_id=finding.pk, requirement="追回资金")
    client = login(Client(), "zuzhang1")
    docx = client.get(f"/inspections/{campaign.pk}/notice.docx")
    assert docx.status_code == 200
    with zipfile.ZipFile(io.BytesIO(docx.content)) as archive:
        xml = archive.read("word/document.xml").decode()
    assert "关于惠农补贴发放专项检查情况的通报" in xml and "12,500.50" in xml
    sheet = load_workbook(io.BytesIO(client.get(f"/inspections/{campaign.pk}/findings.xlsx").content)).active
    assert [c.value for c in sheet[2]][:6] == ["序号", "协作区", "被检查单位", "检查要点", "问题类别", "问题描述"]
    assert sheet.cell(row=3, column=8).value == 12500.5
    ledger = load_workbook(io.BytesIO(client.get(f"/inspections/{campaign.pk}/ledger.xlsx").content)).active
    headers = [c.value for c in ledger[2]]
    assert {"整改期限", "整改情况", "复核意见", "销号日期", "是否超期"} <= set(headers)
    assert ledger.cell(row=3, column=6).value == "追回资金"
    # An inspected unit gets no 通报 (it names every unit's problems).
    assert login(Client(), "xzshuji_baiqi").get(f"/inspections/{campaign.pk}/notice.docx").status_code == 404


def test_the_api_runs_the_flow_and_refuses_in_problem_json(demo):
    campaign = under_way()
    team = _team(campaign)
    body = {"category": "funds", "description": "优亲厚友", "responsible_unit": "某村", "amount": "abc"}
    bad = _api("xzshuji", "post", f"/assignments/{team.pk}/findings", body)
    assert bad.status_code == 422 and bad["Content-Type"].startswith("application/problem+json")
    assert "金额" in bad.json()["detail"]
    body["amount"] = "880.00"
    created = _api("xzshuji", "post", f"/assignments/{team.pk}/findings", body)
    assert created.status_code == 201
    finding_id = created.json()["id"]
    early = (timezone.localdate() - timedelta(days=1)).isoformat()
    refused = _api(
        "xzshuji", "post", f"/findings/{finding_id}/rectification", {"requirement": "退回", "due_date": early}
    )
    assert refused.status_code == 422 and "早于发现问题的日期" in refused.json()["detail"]
    ok = _api("xzshuji", "post", f"/findings/{finding_id}/rectification", {"requirement": "退回"})
    assert ok.status_code == 201 and ok.json()["state"] == "rectifying"
    moved = _api("zuzhang1", "post", f"/findings/{finding_id}/transfer", {})
    assert moved.status_code == 201 and moved.json()["clue_id"]
    detail = _api("zuzhang1", "get", f"/campaigns/{campaign.pk}").json()
    assert detail["transferred"] == 1 and len(detail["assignments"]) == 5
    # The inspected unit lists only its own findings; of the assignments it sees only the one its own unit
    # inspects (白旗 inspects the next unit of the ring), never the team sent to it.
    own = _api("xzshuji_baiqi", "get", f"/campaigns/{campaign.pk}")
    seen = own.json()["assignments"]
    assert own.status_code == 200 and [a["inspecting_unit"] for a in seen] == ["白旗镇纪委"]
    listed = _api("xzshuji_baiqi", "get", f"/campaigns/{campaign.pk}/findings").json()
    assert [f["id"] for f in listed] == [finding_id]
