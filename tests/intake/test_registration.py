"""Registration (受理归口): only a unit's designated registrar registers; each report gets the next number
of its unit's ledger in the unit's format, reaches the 信访室 and the zone's 纪检监察室 at once, and
a report about the commission's own head goes straight up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.intake.conftest import REAL_NAME, demo_actor, login, register, report_input, unit_named
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.deadlines.services import deadline_for
from xiezuoqu.errors import NotPermitted, ValidationFailed
from xiezuoqu.intake import rules, services
from xiezuoqu.intake.models import Notification, Report
from xiezuoqu.intake.selectors import reports_visible_to
from xiezuoqu.intake.workflow import State
from xiezuoqu.workdays.selectors import add_working_days

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", ["xinfang", "xzshuji", "xzganbu", "zuzhang1", "jianchashi1", "anguan", "shuji"])
def test_only_a_designated_registrar_registers(demo, username):
    with pytest.raises(NotPermitted):
        services.register_report(actor=demo_actor(username), data=report_input())


def test_a_registrar_registers_into_their_own_unit_only(demo):
    township_registrar = demo_actor("xzdengji")
    with pytest.raises(NotPermitted):
        services.register_report(actor=township_registrar, data=report_input(), unit_id=unit_named("信访室").pk)
    report = services.register_report(actor=township_registrar, data=report_input())
    assert report.ledger_unit == unit_named("凤凰城街道纪工委")
    assert report.state == State.REGISTERED
    assert report.registered_by == demo.user("xzdengji")


def test_ledger_numbers_follow_the_units_format_and_count_per_unit_and_year(demo):
    year = timezone.localdate().year
    first = register("dengji")
    second = register("dengji")
    township = register("xzdengji")
    assert first.ledger_number == f"凤纪信〔{year}〕1号"
    assert second.ledger_number == f"凤纪信〔{year}〕2号"
    assert township.ledger_number == f"凤纪凤凰城信〔{year}〕1号"
    assert (second.ledger_year, second.ledger_seq) == (year, 2)


def test_a_configured_format_is_used_for_the_next_number(demo):
    office = unit_named("信访室")
    services.set_ledger_format(
        actor=demo_actor("xinfang"), unit_id=office.pk, pattern="{commission}信访〔{year}〕{seq:03d}号"
    )
    report = register("dengji")
    assert report.ledger_number == f"凤纪信访〔{timezone.localdate().year}〕001号"


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("{commission}信〔{year}〕号", "{seq}"),
        ("{commission}{place}〔{year}〕{seq}号", "占位符"),
        ("{commission}信〔{year}〕{seq:x}号", "位数"),
        ("{commission}信〔{year〕{seq}号", "花括号"),
    ],
)
def test_a_format_without_year_and_sequence_or_with_unknown_parts_is_refused(demo, pattern, problem):
    with pytest.raises(ValidationFailed) as caught:
        services.set_ledger_format(actor=demo_actor("xinfang"), unit_id=unit_named("信访室").pk, pattern=pattern)
    assert problem in " ".join(caught.value.field_errors["pattern"])


def test_a_format_that_would_repeat_another_units_numbers_is_refused(demo):
    """凤凰城 without {unit} would number exactly like the 信访室 (凤纪信〔2026〕1号)."""
    with pytest.raises(ValidationFailed, match="信访室"):
        services.set_ledger_format(
            actor=demo_actor("xitong"),
            unit_id=unit_named("凤凰城街道纪工委").pk,
            pattern="{commission}信〔{year}〕{seq}号",
        )


def test_only_the_system_administrator_or_the_petition_office_set_formats(demo):
    with pytest.raises(NotPermitted):
        services.set_ledger_format(
            actor=demo_actor("xzdengji"), unit_id=unit_named("信访室").pk, pattern="{year}-{seq}"
        )


def test_a_registered_report_reaches_the_petition_office_and_the_zones_inspection_office_at_once(demo):
    report = register("xzdengji")
    recipients = set(Notification.objects.filter(report=report).values_list("recipient__username", flat=True))
    assert {"xinfang", "dengji", "jianchashi1", "zuzhang1"} <= recipients
    assert "xzdengji" not in recipients  # not the registrar who registered it
    assert "jianchashi2" not in recipients  # another zone's office
    assert "xzshuji2" not in recipients
    for username in ("xinfang", "dengji", "jianchashi1", "zuzhang1", "fuzuzhang1"):
        assert reports_visible_to(demo_actor(username)).filter(pk=report.pk).exists(), username
    assert report.zone is not None and report.zone.name == "第一协作区"


def test_the_bell_counts_unread_notifications_and_reading_clears_them(demo, client):
    register("xzdengji")
    login(client, "xinfang")
    assert "1" in client.get("/intake/notifications/bell/").content.decode()
    client.post("/intake/notifications/read/")
    assert "tag red" not in client.get("/intake/notifications/bell/").content.decode()


def test_registration_is_on_record_without_the_reporters_identity(demo):
    report = register(is_real_name=True, identity=REAL_NAME)
    event = AuditEvent.objects.get(action="report.registered", target_id=str(report.pk))
    assert event.changes["ledger_number"] == [None, report.ledger_number]
    assert event.detail["real_name"] is True
    assert REAL_NAME.name not in str(event.detail) and REAL_NAME.phone not in str(event.detail)


def test_a_real_name_report_starts_the_15_working_day_acceptance_notice(demo):
    received = timezone.localdate() - timedelta(days=3)
    report = register(is_real_name=True, identity=REAL_NAME, received_on=received)
    deadline = deadline_for(report, rules.ACCEPTANCE_NOTICE.kind)
    assert deadline is not None and deadline.state == "open"
    assert deadline.start_date == received
    assert deadline.due_date == add_working_days(received, 15).date
    anonymous = register()
    assert deadline_for(anonymous, rules.ACCEPTANCE_NOTICE.kind) is None


@pytest.mark.parametrize(
    ("identity", "field"),
    [
        (services.IdentityInput(name="李某"), "identity_phone"),
        (services.IdentityInput(phone="13900001111"), "identity_name"),
        (services.IdentityInput(name="李某", phone="13900001111", id_number="12345"), "identity_id_number"),
    ],
)
def test_a_real_name_report_needs_a_name_or_unit_and_a_real_contact(demo, identity, field):
    with pytest.raises(ValidationFailed) as caught:
        register(is_real_name=True, identity=identity)
    assert field in caught.value.field_errors
    assert not Report.objects.exists()


def test_missing_content_and_a_future_receipt_date_are_refused_with_field_errors(demo):
    with pytest.raises(ValidationFailed) as caught:
        register(summary="", content=" ", received_on=timezone.localdate() + timedelta(days=1), category="x")
    assert {"summary", "content", "received_on", "category"} <= set(caught.value.field_errors)


def test_a_report_about_the_commissions_head_goes_straight_up_and_the_head_never_sees_it(demo):
    head = demo.user("shuji").staff
    report = register(
        accused=[services.AccusedInput(head.name, "凤城市纪委监委", "书记")],
        summary="反映市纪委书记问题",
    )
    report.refresh_from_db()
    assert report.concerns_head is True
    assert report.state == State.FORWARDED_UP
    decision = report.decisions.get(kind="forward_up")
    assert decision.rule == rules.HEAD_STRAIGHT_UP
    assert decision.due_on == add_working_days(report.received_on, 5).date
    assert deadline_for(report, rules.FORWARD_UP.kind).state == "open"
    assert not reports_visible_to(demo_actor("shuji")).filter(pk=report.pk).exists()
    assert reports_visible_to(demo_actor("xinfang")).filter(pk=report.pk).exists()
    assert not Notification.objects.filter(report=report, recipient__username="shuji").exists()


def test_the_registrar_can_also_flag_a_head_report_by_hand(demo):
    report = register(concerns_head=True)
    report.refresh_from_db()
    assert report.state == State.FORWARDED_UP


def test_an_accused_staff_member_never_sees_the_report(demo):
    secretary = demo.user("xzshuji").staff
    report = register("xzdengji", accused=[services.AccusedInput(secretary.name, secretary.home_unit.name, "纪委书记")])
    assert report.accused.get().staff == secretary
    assert not reports_visible_to(demo_actor("xzshuji")).filter(pk=report.pk).exists()
    assert not Notification.objects.filter(report=report, recipient__username="xzshuji").exists()
    assert reports_visible_to(demo_actor("zuzhang1")).filter(pk=report.pk).exists()


def test_the_registration_page_registers_and_shows_the_result(demo, client):
    login(client, "xzdengji")
    township = unit_named("凤凰城街道纪工委")
    response = client.post(
        "/intake/register/",
        {
            "unit": township.pk,
            "channel": "visit",
            "received_on": timezone.localdate().isoformat(),
            "category": "collective_assets",
            "summary": "反映社区主任挪用集体资金",
            "content": "社区主任将集体厂房租金收入转入个人账户，约五万元。",
            "township": township.pk,
            "is_real_name": "on",
            "identity_name": "赵实名",
            "identity_phone": "13800002222",
            "accused-TOTAL_FORMS": "3",
            "accused-INITIAL_FORMS": "0",
            "accused-MIN_NUM_FORMS": "0",
            "accused-MAX_NUM_FORMS": "20",
            "accused-0-name": "钱某",
            "accused-0-unit_text": "凤鸣社区居委会",
            "accused-0-position": "主任",
        },
    )
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/intake/{report.pk}/"
    assert report.is_real_name and report.accused.get().name == "钱某"
    page = client.get(response["Location"]).content.decode()
    assert report.ledger_number in page and "疑似重复件" in page


def test_the_registration_page_is_not_found_for_anyone_but_a_registrar(demo, client):
    login(client, "xzshuji")
    assert client.get("/intake/register/").status_code == 404


def test_the_registration_page_shows_a_missing_contact_on_the_form(demo, client):
    login(client, "dengji")
    response = client.post(
        "/intake/register/",
        {
            "channel": "letter",
            "received_on": timezone.localdate().isoformat(),
            "category": "other",
            "summary": "摘要",
            "content": "内容",
            "is_real_name": "on",
            "identity_name": "赵实名",
            "accused-TOTAL_FORMS": "0",
            "accused-INITIAL_FORMS": "0",
            "accused-MIN_NUM_FORMS": "0",
            "accused-MAX_NUM_FORMS": "20",
        },
    )
    assert response.status_code == 200
    assert "真实的联系电话或通讯地址" in response.content.decode()
    assert not Report.objects.exists()
