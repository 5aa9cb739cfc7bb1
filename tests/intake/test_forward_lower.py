"""转下级纪委监委办理: a higher commission sends a report to a lower one. On the platform the lower
commission's petition office receives a copy at once (accused copied, the reporter's identity
re-sealed for the copy), with 5 WD to accept or re-forward it, met by its first routing decision;
the sending report leaves its ledger as *forwarded_lower*. Not on the platform, it is a recorded
letter. Only children of the report's commission can receive; scopes never cross."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from typing import Any

import docx
import pytest
from django.utils import timezone

from tests.factories import make_commission, make_staff, make_unit, make_user
from tests.intake.conftest import REAL_NAME, api_get, api_post, demo_actor, login, report_input
from xiezuoqu.access.actor import build_actor
from xiezuoqu.accounts.roles import Role
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.audit.verify import verify_chain
from xiezuoqu.deadlines.services import deadline_for
from xiezuoqu.errors import InvalidTransition, NotFound, RuleViolation, ValidationFailed
from xiezuoqu.intake import rules, services
from xiezuoqu.intake.models import Notification, Report
from xiezuoqu.intake.selectors import reports_visible_to
from xiezuoqu.intake.workflow import State
from xiezuoqu.org.models import Commission, Unit
from xiezuoqu.workdays.selectors import add_working_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(demo: Any) -> dict[str, Any]:
    """丹东市纪委监委 above the demo county 凤城市, with its own petition office, registrar and staff."""
    city = make_commission(name="丹东市纪委监委", short_name="丹纪", level=Commission.Level.CITY)
    Commission.objects.filter(is_demo=True).update(parent=city)
    office = make_unit(city, Unit.Kind.PETITION_OFFICE, name="丹东市纪委监委信访室", short_name="信访室")
    registrar = make_user(Role.REGISTRAR, unit=office, staff=make_staff(office), username="ddengji")
    petition = make_user(Role.PETITION_STAFF, unit=office, staff=make_staff(office), username="dxinfang")
    return {"commission": city, "office": office, "registrar": registrar, "petition": petition}


def _register_at_city(city: dict[str, Any], **kw: Any) -> Report:
    return services.register_report(actor=build_actor(city["registrar"]), data=report_input(**kw))


def _county() -> Commission:
    return Commission.objects.get(is_demo=True)


def test_in_system_the_lower_commissions_petition_office_receives_a_copy_with_5_working_days(city):
    report = _register_at_city(city, is_real_name=True, identity=REAL_NAME)
    county = _county()
    services.forward_report_to_lower_commission(
        actor=build_actor(city["petition"]), report_id=report.pk, commission_id=county.pk, reason="属县级管辖"
    )
    report.refresh_from_db()
    assert report.state == State.FORWARDED_LOWER
    decision = report.decisions.get(kind="forward_lower")
    today = timezone.localdate()
    due = add_working_days(today, 5).date
    assert decision.target_commission == county and decision.sent_on == today and decision.due_on == due
    copy = decision.forwarded_report
    assert copy is not None and copy.commission == county and copy.forwarded_from == report
    assert copy.state == State.RECEIVED and copy.ledger_unit.kind == Unit.Kind.PETITION_OFFICE
    assert copy.identity.opened()["name"] == REAL_NAME.name  # re-sealed for the copy
    assert copy.identity.name_sealed != report.identity.name_sealed
    assert [a.name for a in copy.accused.all()] == [a.name for a in report.accused.all()]
    deadline = deadline_for(copy, rules.FORWARD_DOWN.kind)
    assert (deadline.state, deadline.due_date, deadline.commission_id) == ("open", due, county.pk)
    assert deadline.responsible_unit == copy.ledger_unit
    # The county sees its copy, not the city's report (the city oversees the county: DESIGN §5a).
    assert reports_visible_to(demo_actor("xinfang")).filter(pk=copy.pk).exists()
    assert not reports_visible_to(demo_actor("xinfang")).filter(pk=report.pk).exists()
    # The county's registrars are told.
    assert Notification.objects.filter(report=copy, recipient__username="dengji").exists()
    event = AuditEvent.objects.get(action="report.forwarded_lower", target_id=str(report.pk))
    assert event.commission_id == city["commission"].pk
    assert event.detail["in_system"] is True and event.detail["copy"] == copy.pk
    assert AuditEvent.objects.filter(action="report.received", target_id=str(copy.pk), commission_id=county.pk).exists()
    assert verify_chain().ok


def test_the_lower_level_meets_the_timer_by_accepting_after_registering(city):
    report = _register_at_city(city)
    county = _county()
    services.forward_report_to_lower_commission(
        actor=build_actor(city["petition"]), report_id=report.pk, commission_id=county.pk, reason="属县级管辖"
    )
    copy = report.decisions.get(kind="forward_lower").forwarded_report
    services.register_received_report(actor=demo_actor("dengji"), report_id=copy.pk)
    assert deadline_for(copy, rules.FORWARD_DOWN.kind).state == "open"  # registering is not deciding
    services.accept_report(actor=demo_actor("xinfang"), report_id=copy.pk, reason="属本级管辖")
    copy.refresh_from_db()
    assert copy.state == State.ACCEPTED
    assert deadline_for(copy, rules.FORWARD_DOWN.kind).state == "met"


def test_the_lower_level_may_reforward_within_its_commission_and_that_meets_the_timer(city):
    report = _register_at_city(city)
    services.forward_report_to_lower_commission(
        actor=build_actor(city["petition"]), report_id=report.pk, commission_id=_county().pk, reason="属县级管辖"
    )
    copy = report.decisions.get(kind="forward_lower").forwarded_report
    services.register_received_report(actor=demo_actor("dengji"), report_id=copy.pk)
    township = Unit.objects.get(name="宝山镇纪委", commission__is_demo=True)
    services.forward_report_down(actor=demo_actor("xinfang"), report_id=copy.pk, unit_id=township.pk, reason="属乡镇")
    copy.refresh_from_db()
    assert copy.state == State.FORWARDED_DOWN
    timer = deadline_for(copy, rules.FORWARD_DOWN.kind)
    assert timer.state == "open" and timer.responsible_unit == township  # the township's own 5 WD now


def test_only_a_child_of_the_reports_commission_can_receive(city):
    report = _register_at_city(city)
    stranger = make_commission(name="别处县纪委监委")
    make_unit(stranger, Unit.Kind.PETITION_OFFICE)
    actor = build_actor(city["petition"])
    for target in (stranger.pk, city["commission"].pk, "x", 0):
        with pytest.raises(ValidationFailed):
            services.forward_report_to_lower_commission(
                actor=actor, report_id=report.pk, commission_id=target, reason="属县级管辖"
            )
    with pytest.raises(ValidationFailed):
        services.forward_report_to_lower_commission(actor=actor, report_id=report.pk, reason="属县级管辖")
    with pytest.raises(ValidationFailed):
        services.forward_report_to_lower_commission(
            actor=actor, report_id=report.pk, commission_id=_county().pk, reason=""
        )
    report.refresh_from_db()
    assert report.state == State.REGISTERED and not report.decisions.exists()


def test_a_lower_commission_without_a_petition_office_on_the_platform_is_refused(city):
    report = _register_at_city(city)
    empty = make_commission(name="宽甸县纪委监委", parent=city["commission"])
    with pytest.raises(RuleViolation, match="书面转送"):
        services.forward_report_to_lower_commission(
            actor=build_actor(city["petition"]), report_id=report.pk, commission_id=empty.pk, reason="属县级管辖"
        )
    report.refresh_from_db()
    assert report.state == State.REGISTERED and not report.decisions.exists()
    assert not Report.objects.filter(forwarded_from=report).exists()


def test_not_on_the_platform_it_is_a_recorded_letter(city):
    report = _register_at_city(city)
    actor = build_actor(city["petition"])
    with pytest.raises(ValidationFailed, match="转送方式"):
        services.forward_report_to_lower_commission(
            actor=actor, report_id=report.pk, agency="宽甸满族自治县纪委监委", reason="属县级管辖"
        )
    services.forward_report_to_lower_commission(
        actor=actor,
        report_id=report.pk,
        agency="宽甸满族自治县纪委监委",
        sent_via="机要交换",
        document_no="丹纪转〔2026〕3号",
        reason="属县级管辖",
    )
    report.refresh_from_db()
    assert report.state == State.FORWARDED_LOWER
    decision = report.decisions.get(kind="forward_lower")
    assert decision.target_commission is None and decision.forwarded_report is None
    assert (decision.target_agency, decision.sent_via, decision.document_no) == (
        "宽甸满族自治县纪委监委",
        "机要交换",
        "丹纪转〔2026〕3号",
    )
    assert (
        AuditEvent.objects.get(action="report.forwarded_lower", target_id=str(report.pk)).detail["in_system"] is False
    )
    services.archive_report(actor=actor, report_id=report.pk)
    report.refresh_from_db()
    assert report.state == State.ARCHIVED


def test_only_routers_of_the_sending_commission_may_forward_and_only_from_routable_states(city):
    report = _register_at_city(city)
    county = _county()
    with pytest.raises(NotFound):  # the county cannot even see the city's report
        services.forward_report_to_lower_commission(
            actor=demo_actor("xinfang"), report_id=report.pk, commission_id=county.pk, reason="属县级管辖"
        )
    actor = build_actor(city["petition"])
    services.forward_report_to_lower_commission(
        actor=actor, report_id=report.pk, commission_id=county.pk, reason="属县级管辖"
    )
    with pytest.raises(InvalidTransition):
        services.forward_report_to_lower_commission(
            actor=actor, report_id=report.pk, commission_id=county.pk, reason="再转一次"
        )
    assert Report.objects.filter(forwarded_from=report).count() == 1


def test_the_page_offers_the_lower_commissions_and_forwards(city, client):
    report = _register_at_city(city)
    county = _county()
    login(client, "dxinfang")
    page = client.get(f"/intake/{report.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "转下级纪委监委办理" in html and county.name in html
    response = client.post(
        f"/intake/{report.pk}/route/",
        {"action": "forward_lower", "commission": str(county.pk), "reason": "属县级管辖"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == State.FORWARDED_LOWER
    # A refusal is shown on the page, never a 500.
    other = _register_at_city(city)
    response = client.post(
        f"/intake/{other.pk}/route/", {"action": "forward_lower", "reason": "属县级管辖"}, follow=True
    )
    assert response.status_code == 200 and "请选择下级纪委监委" in response.content.decode()


def test_the_api_forwards_to_a_lower_commission(city, client):
    report = _register_at_city(city)
    county = _county()
    response = api_post(
        client,
        "dxinfang",
        f"/reports/{report.pk}/route",
        {"action": "forward_lower", "commission_id": county.pk, "reason": "属县级管辖"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == State.FORWARDED_LOWER
    decision = next(d for d in body["decisions"] if d["kind"] == "forward_lower")
    assert decision["target_commission_id"] == county.pk and decision["forwarded_report_id"] is not None
    bad = api_post(
        client,
        "dxinfang",
        f"/reports/{report.pk}/route",
        {"action": "forward_lower", "commission_id": 999999, "reason": "x"},
    )
    assert bad.status_code in (400, 409, 422)


def _letter(city: dict[str, Any], **kw: Any) -> Report:
    report = _register_at_city(city, **kw)
    services.forward_report_to_lower_commission(
        actor=build_actor(city["petition"]),
        report_id=report.pk,
        agency="宽甸满族自治县纪委监委",
        sent_via="机要交换",
        document_no="丹纪转〔2026〕3号",
        reason="属县级管辖",
    )
    return report


def test_the_package_holds_the_letter_and_the_text_never_the_identity_and_is_on_record(city, client):
    report = _letter(city, is_real_name=True, identity=REAL_NAME)
    login(client, "dxinfang")
    response = client.get(f"/intake/{report.pk}/forward-package.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert set(archive.namelist()) == {"转办函.docx", "检举控告件.txt", "manifest.json"}
    letter = docx.Document(io.BytesIO(archive.read("转办函.docx")))
    text = "\n".join(p.text for p in letter.paragraphs) + "\n".join(
        c.text for t in letter.tables for r in t.rows for c in r.cells
    )
    assert "转 办 函" in text and "丹纪转〔2026〕3号" in text and "宽甸满族自治县纪委监委：" in text
    assert "5个工作日内受理或者再转办" in text and str(report) in text
    body = archive.read("检举控告件.txt").decode()
    assert report.content in body and "王某某" in body
    everything = text + body + archive.read("manifest.json").decode()
    for secret in (REAL_NAME.name, REAL_NAME.phone, REAL_NAME.id_number):
        assert secret not in everything
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["files"]["检举控告件.txt"] == hashlib.sha256(body.encode()).hexdigest()
    event = AuditEvent.objects.get(action="report.forward_package_exported", target_id=str(report.pk))
    assert event.detail["sha256"] == hashlib.sha256(response.content).hexdigest()


def test_the_package_is_only_for_a_letter_and_only_for_the_routers(city, client):
    in_system = _register_at_city(city)
    services.forward_report_to_lower_commission(
        actor=build_actor(city["petition"]), report_id=in_system.pk, commission_id=_county().pk, reason="属县级管辖"
    )
    login(client, "dxinfang")
    assert client.get(f"/intake/{in_system.pk}/forward-package.zip").status_code == 404
    letter = _letter(city)
    login(client, "xinfang")  # the county does not see the city's report
    assert client.get(f"/intake/{letter.pk}/forward-package.zip").status_code == 404
    response = api_get(client, "dxinfang", f"/reports/{letter.pk}/forward-package")
    assert response.status_code == 200 and response.content[:2] == b"PK"
