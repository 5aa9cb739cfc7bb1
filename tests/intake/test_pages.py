"""A report's page offers the routing actions its state and the viewer's role allow, and runs them."""

from __future__ import annotations

import pytest

from tests.intake.conftest import REAL_NAME, login, register, unit_named
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.intake.models import Report
from xiezuoqu.intake.workflow import State

pytestmark = pytest.mark.django_db


def test_the_petition_office_sees_the_routing_actions_a_zone_leader_does_not(demo, client):
    report = register("xzdengji")
    login(client, "xinfang")
    page = client.get(f"/intake/{report.pk}/").content.decode()
    for label in ("受理", "不予受理", "报送上级", "转下级办理", "转其他机关", "作为重复件"):
        assert f"<h3>{label}</h3>" in page
    login(client, "zuzhang1")
    page = client.get(f"/intake/{report.pk}/").content.decode()
    assert "<h3>受理</h3>" not in page and "<h3>不予受理</h3>" not in page


def test_routing_from_the_page_and_a_refusal_shown_as_a_message(demo, client):
    report = register()
    login(client, "xinfang")
    response = client.post(f"/intake/{report.pk}/route/", {"action": "not_accept", "reason": "无具体事实"}, follow=True)
    assert "不予受理的情形" in response.content.decode()
    assert Report.objects.get(pk=report.pk).state == State.REGISTERED
    client.post(f"/intake/{report.pk}/route/", {"action": "accept", "unit": unit_named("宝山镇纪委").pk})
    assert Report.objects.get(pk=report.pk).state == State.ASSIGNED
    login(client, "xzshuji")
    page = client.get(f"/intake/{report.pk}/").content.decode()
    assert "<h3>办结</h3>" in page
    client.post(f"/intake/{report.pk}/route/", {"action": "conclude", "result": "经核实不属实。"})
    assert Report.objects.get(pk=report.pk).state == State.CONCLUDED


def test_a_refused_routing_attempt_is_on_record(demo, client):
    report = register("xzdengji")
    login(client, "jianchashi1")
    client.post(f"/intake/{report.pk}/route/", {"action": "accept"})
    assert Report.objects.get(pk=report.pk).state == State.REGISTERED
    assert AuditEvent.objects.filter(action="report.accept", outcome="refused", actor_name="jianchashi1").exists()


def test_messages_with_the_reporter_from_the_page(demo, client):
    report = register(is_real_name=True, identity=REAL_NAME)
    login(client, "xinfang")
    client.post(f"/intake/{report.pk}/route/", {"action": "accept"})
    client.post(f"/intake/{report.pk}/message/", {"kind": "acceptance_notice", "text": "已受理。", "method": "phone"})
    client.post(f"/intake/{report.pk}/message/", {"kind": "question", "text": "请提供具体时间。"})
    question = report.messages.get(kind="question")
    client.post(f"/intake/{report.pk}/message/", {"kind": "answer", "text": "三月初。", "reply_to": question.pk})
    kinds = list(report.messages.values_list("kind", flat=True))
    assert kinds == ["acceptance_notice", "question", "answer"]
    page = client.get(f"/intake/{report.pk}/").content.decode()
    assert "三月初。" in page and "实名举报受理情况告知" in page


def test_the_forward_sent_form_appears_until_the_sending_is_recorded(demo, client):
    report = register()
    login(client, "xinfang")
    client.post(f"/intake/{report.pk}/route/", {"action": "forward_up", "reason": "属上级管辖"})
    assert "<h3>登记报送情况</h3>" in client.get(f"/intake/{report.pk}/").content.decode()
    client.post(f"/intake/{report.pk}/route/", {"action": "forward_sent", "sent_via": "机要交换", "document_no": "1号"})
    assert "<h3>登记报送情况</h3>" not in client.get(f"/intake/{report.pk}/").content.decode()


def test_the_ledger_formats_page(demo, client):
    login(client, "xitong")
    page = client.get("/intake/formats/").content.decode()
    assert "凤纪信〔" in page
    response = client.post(
        "/intake/formats/", {"unit": unit_named("信访室").pk, "pattern": "{commission}信访〔{year}〕{seq}号"}
    )
    assert response.status_code == 302
    login(client, "xzdengji")
    assert (
        client.post("/intake/formats/", {"unit": unit_named("信访室").pk, "pattern": "{year}{seq}"}).status_code == 404
    )
