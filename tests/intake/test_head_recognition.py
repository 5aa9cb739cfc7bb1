"""直接报送上一级: a report about the commission's head is recognised however the letter spells the
commission, and when the head cannot be told for certain the registrar must say which."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.intake.conftest import api_post, demo_actor, login, register, unit_named
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.errors import ValidationFailed
from xiezuoqu.intake import head, services
from xiezuoqu.intake.models import Report
from xiezuoqu.intake.selectors import reports_visible_to
from xiezuoqu.intake.workflow import State

pytestmark = pytest.mark.django_db

COMMISSION = "凤城市纪委监委"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("凤城市纪委监委", "body"),
        ("市纪委监委", "body"),
        ("市纪委", "body"),
        ("凤城市监委", "body"),
        ("中共凤城市纪律检查委员会", "body"),
        ("凤城市监察委员会", "body"),
        ("凤城纪委", "body"),
        ("辽宁省丹东市凤城市纪委", "body"),
        ("市纪委书记", "principal"),
        ("凤城市纪委监委主要负责人", "principal"),
        ("市纪委副书记", "member"),
        ("市纪委常委", "member"),
        ("市纪委第一纪检监察室", "office"),
        ("市纪委第一纪检监察室主任", "office"),
        ("市纪委监委派驻第三纪检监察组", "office"),
        ("宝山镇纪委", None),
        ("丹东市纪委", None),
        ("凤城市人民政府", None),
        ("", None),
    ],
)
def test_the_commission_is_recognised_in_its_usual_spellings_and_not_in_others(text, expected):
    assert head.refers_to_commission(text, COMMISSION, "凤纪") == expected


@pytest.mark.parametrize("unit_text", ["市纪委监委", "市纪委", "凤城市监委", "中共凤城市纪律检查委员会"])
def test_a_report_naming_the_head_with_a_short_form_of_the_commission_goes_straight_up(demo, unit_text):
    chief = demo.user("shuji").staff
    report = register(accused=[services.AccusedInput(chief.name, unit_text, "书记")], summary="反映有关领导问题")
    report.refresh_from_db()
    assert report.accused.get().staff == chief
    assert report.concerns_head is True
    assert report.state == State.FORWARDED_UP
    assert not reports_visible_to(demo_actor("shuji")).filter(pk=report.pk).exists()


def test_the_heads_name_with_the_commission_and_title_in_the_position_goes_straight_up(demo):
    chief = demo.user("shuji").staff
    report = register(accused=[services.AccusedInput(chief.name, "", "市纪委书记")])
    report.refresh_from_db()
    assert report.concerns_head is True and report.state == State.FORWARDED_UP


@pytest.mark.parametrize(
    ("name", "unit_text", "position"),
    [
        ("{head}", "", "书记"),  # the head's name and a title, no unit
        ("{head}", "", ""),  # the head's name alone
        ("不详", "市纪委", "书记"),  # the commission's 书记, name unknown
        ("某某某", "凤城市监委", "主任"),  # the commission's 主任 under another name
    ],
)
def test_when_the_head_cannot_be_told_for_certain_the_registrar_must_confirm(demo, name, unit_text, position):
    name = name.format(head=demo.user("shuji").staff.name)
    accused = [services.AccusedInput(name, unit_text, position)]
    with pytest.raises(ValidationFailed) as caught:
        register(accused=accused)
    assert "concerns_head" in caught.value.field_errors
    assert "已核实" in caught.value.field_errors["concerns_head"][0]
    assert not Report.objects.exists()
    # Either answer is accepted: it is the head (straight up), or it is checked not to be.
    up = register(accused=accused, concerns_head=True)
    assert Report.objects.get(pk=up.pk).state == State.FORWARDED_UP
    ordinary = register(accused=accused, not_head_confirmed=True)
    assert Report.objects.get(pk=ordinary.pk).state == State.REGISTERED
    event = AuditEvent.objects.get(action="report.registered", target_id=str(ordinary.pk))
    assert event.detail["head_checked"] == services.HEAD_CHECK_TICK


@pytest.mark.parametrize(
    ("name", "unit_text", "position"),
    [
        ("王某某", "双山子村党支部", "书记"),  # a village secretary
        ("{head}", "宝山镇人民政府", "科员"),  # the head's namesake elsewhere
        ("李某", "市纪委第一纪检监察室", "主任"),  # an office director of the commission
    ],
)
def test_ordinary_reports_are_not_held_up(demo, name, unit_text, position):
    name = name.format(head=demo.user("shuji").staff.name)
    report = register(accused=[services.AccusedInput(name, unit_text, position)])
    assert Report.objects.get(pk=report.pk).state == State.REGISTERED


def test_the_registration_page_asks_for_the_tick_and_keeps_what_was_typed(demo, client):
    chief = demo.user("shuji").staff
    login(client, "dengji")
    form = {
        "channel": "letter",
        "received_on": timezone.localdate().isoformat(),
        "category": "eight_rules",
        "summary": "反映某领导违规接受宴请",
        "content": "其多次在私人会所接受宴请。",
        "accused-TOTAL_FORMS": "1",
        "accused-INITIAL_FORMS": "0",
        "accused-0-name": chief.name,
        "accused-0-unit_text": "",
        "accused-0-position": "书记",
    }
    page = client.post("/intake/register/", form)
    assert page.status_code == 200
    text = page.content.decode()
    assert "请核实" in text and services.HEAD_CHECK_TICK in text and "其多次在私人会所接受宴请。" in text
    assert not Report.objects.exists()
    done = client.post("/intake/register/", {**form, "not_head_confirmed": "on"})
    assert done.status_code == 302
    assert Report.objects.get().state == State.REGISTERED


def test_the_api_answers_a_doubt_with_a_problem_and_takes_the_tick(demo, client):
    chief = demo.user("shuji").staff
    body = {
        "channel": "letter",
        "received_on": timezone.localdate().isoformat(),
        "summary": "反映某领导违规接受宴请",
        "content": "其多次在私人会所接受宴请。",
        "category": "eight_rules",
        "accused": [{"name": chief.name, "unit_text": "", "position": "书记"}],
    }
    refused = api_post(client, "dengji", "/reports", body)
    assert refused.status_code == 422
    assert "concerns_head" in str(refused.json())
    assert api_post(client, "dengji", "/reports", {**body, "not_head_confirmed": True}).status_code == 201


def test_a_received_report_naming_the_head_vaguely_waits_for_the_registrars_answer(demo):
    chief = demo.user("shuji").staff
    received, _ = services.submit_public_report(
        commission=unit_named("东汤镇纪委").commission,
        summary="反映领导问题",
        content="其多次在私人会所接受宴请。",
        category="eight_rules",
        accused=[services.AccusedInput(chief.name, "", "书记")],
    )
    with pytest.raises(ValidationFailed):
        services.register_received_report(actor=demo_actor("dengji"), report_id=received.pk)
    assert Report.objects.get(pk=received.pk).state == State.RECEIVED
    report = services.register_received_report(actor=demo_actor("dengji"), report_id=received.pk, concerns_head=True)
    assert Report.objects.get(pk=report.pk).state == State.FORWARDED_UP
