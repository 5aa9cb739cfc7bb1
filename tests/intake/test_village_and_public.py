"""Village supervisors submit through a simple form that lands with their township's registrar; the
public site's submission lands with the 信访室 and gives a receipt that finds the report again."""

from __future__ import annotations

import pytest

from tests.intake.conftest import demo_actor, login, unit_named
from xiezuoqu.errors import NotPermitted, RuleViolation
from xiezuoqu.intake import services
from xiezuoqu.intake.models import Category, Channel, MessageKind, Notification, Report
from xiezuoqu.intake.selectors import received_queue, reports_visible_to
from xiezuoqu.intake.workflow import State
from xiezuoqu.org.models import Commission

pytestmark = pytest.mark.django_db

CONTENT = "村委会主任把今年的扶贫互助资金借给自己的亲戚，没有经过村民代表会议。"


def submit(client):
    login(client, "jianduyuan")
    return client.post(
        "/intake/village/",
        {"accused_name": "孙某", "accused_position": "村委会主任", "category": Category.POVERTY, "content": CONTENT},
    )


def test_a_village_supervisor_submits_from_the_simple_form(demo, client):
    response = submit(client)
    assert response.status_code == 302
    report = Report.objects.get()
    supervisor = demo.user("jianduyuan").village_supervisor
    assert report.state == State.RECEIVED and report.channel == Channel.VILLAGE_SUPERVISOR
    assert report.ledger_unit == supervisor.village.township == unit_named("宝山镇纪委")
    assert report.village == supervisor.village and report.submitted_by == demo.user("jianduyuan")
    assert report.accused.get().name == "孙某"
    page = client.get("/intake/village/").content.decode()
    assert "已收到，等待登记" in page and 'name="viewport"' in page


def test_the_supervisor_sees_only_plain_status_never_a_staff_page(demo, client):
    submit(client)
    report = Report.objects.get()
    for url in ("/intake/", f"/intake/{report.pk}/", "/intake/register/", "/intake/received/", "/intake/quarterly/"):
        assert client.get(url).status_code == 404, url
    assert not reports_visible_to(demo_actor("xzshuji2")).filter(pk=report.pk).exists()


def test_only_village_supervisors_use_the_form(demo, client):
    with pytest.raises(NotPermitted):
        services.submit_village_report(actor=demo_actor("xzganbu"), content=CONTENT, category=Category.POVERTY)
    login(client, "xzganbu")
    assert client.get("/intake/village/").status_code == 404


def test_an_ended_appointment_cannot_submit(demo):
    from datetime import timedelta

    from django.utils import timezone

    supervisor = demo.user("jianduyuan").village_supervisor
    supervisor.end_date = timezone.localdate() - timedelta(days=1)
    supervisor.save(update_fields=["end_date"])
    with pytest.raises(RuleViolation):
        services.submit_village_report(actor=demo_actor("jianduyuan"), content=CONTENT, category=Category.POVERTY)


def test_the_township_without_a_registrar_hands_it_to_the_petition_offices_registrar(demo, client):
    """宝山 has no registrar in the demo county: the 信访室's registrar is told and registers it."""
    submit(client)
    report = Report.objects.get()
    assert Notification.objects.filter(report=report, recipient__username="dengji").exists()
    assert report in received_queue(demo_actor("dengji"))
    assert report not in received_queue(demo_actor("xzdengji"))
    login(client, "dengji")
    assert client.get("/intake/received/").status_code == 200
    response = client.post(
        f"/intake/received/{report.pk}/",
        {"summary": "反映双山子村主任出借扶贫互助资金", "category": Category.POVERTY},
    )
    report.refresh_from_db()
    assert response.status_code == 302
    assert report.state == State.REGISTERED and report.ledger_unit == unit_named("信访室")
    assert report.ledger_number.startswith("凤纪信〔")


def test_a_township_with_a_registrar_registers_its_own_village_reports(demo):
    from xiezuoqu.accounts.models import RoleAssignment

    township = unit_named("宝山镇纪委")
    RoleAssignment.objects.create(user=demo.user("xzganbu"), role="registrar", unit=township)
    report = services.submit_village_report(actor=demo_actor("jianduyuan"), content=CONTENT, category=Category.POVERTY)
    assert Notification.objects.filter(report=report, recipient__username="xzganbu").exists()
    with pytest.raises(NotPermitted):
        services.register_received_report(actor=demo_actor("dengji"), report_id=report.pk)
    registered = services.register_received_report(actor=demo_actor("xzganbu"), report_id=report.pk)
    assert registered.ledger_unit == township and registered.ledger_number.startswith("凤纪宝山信〔")
    assert registered.zone is not None and registered.zone.name == "第一协作区"


def test_a_public_report_gets_a_receipt_that_only_its_hash_remembers(demo):
    commission = Commission.objects.get(is_demo=True)
    report, code = services.submit_public_report(
        commission=commission,
        content="反映某局干部收受红包。",
        category=Category.EIGHT_RULES,
        accused=[services.AccusedInput("周某", "某局", "科长")],
    )
    assert len(code) == 16 and code.isdigit()
    assert report.state == State.RECEIVED and report.source_public and report.ledger_unit == unit_named("信访室")
    assert code not in report.receipt_digest and report.receipt_digest.startswith("argon2")
    assert report.receipt_prefix == code[:6]
    assert services.find_report_by_receipt(code) == report
    assert services.find_report_by_receipt(f"{code[:4]} {code[4:8]}-{code[8:]}") == report
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    assert services.find_report_by_receipt(wrong) is None
    assert services.find_report_by_receipt("123") is None


def test_the_public_reporter_answers_and_objects_through_the_service(demo):
    commission = Commission.objects.get(is_demo=True)
    report, _ = services.submit_public_report(commission=commission, content="反映问题。", category=Category.OTHER)
    registered = services.register_received_report(actor=demo_actor("dengji"), report_id=report.pk)
    question = services.ask_reporter(actor=demo_actor("xinfang"), report_id=registered.pk, text="请说明时间。")
    answer = services.record_reporter_message(
        report=registered, kind=MessageKind.ANSWER, text="今年三月。", reply_to=question
    )
    assert answer.author is None and answer.reply_to == question
    with pytest.raises(RuleViolation):
        services.record_reporter_message(report=registered, kind=MessageKind.OBJECTION, text="不服")
