"""Who sees a report: the petition office, 案管 and leadership see the commission; the zone's office
and leaders see their zone; a unit sees what it registered, was sent or handles; the accused and the
three administrators see nothing — the same through pages, the API and the predicate."""

from __future__ import annotations

import pytest

from tests.intake.conftest import api_get, api_post, demo_actor, login, register, report_input, unit_named
from xiezuoqu.access.registry import POLICIES
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.demo.data import DEMO_LOGINS
from xiezuoqu.intake import services
from xiezuoqu.intake.models import (
    IdentityGrant,
    Report,
    ReportAccused,
    ReporterIdentity,
    ReportMessage,
    RoutingDecision,
)
from xiezuoqu.intake.selectors import reports_visible_to

pytestmark = pytest.mark.django_db

LOGINS = [username for username, _, _ in DEMO_LOGINS]


@pytest.fixture
def reports(demo):
    """One report per kind of place: the 信访室's ledger, a zone-1 township, a zone-2 township's report
    forwarded down, one assigned across zones, one real-name one with an exchange."""
    from tests.intake.conftest import REAL_NAME

    petition = demo_actor("xinfang")
    city = register("dengji")
    township = register("xzdengji")
    down = register("dengji")
    services.forward_report_down(actor=petition, report_id=down.pk, unit_id=unit_named("东汤镇纪委").pk, reason="属地")
    assigned = register("xzdengji")
    services.accept_report(actor=petition, report_id=assigned.pk, handling_unit_id=unit_named("赛马镇纪委").pk)
    real = register("dengji", is_real_name=True, identity=REAL_NAME)
    services.accept_report(actor=petition, report_id=real.pk)
    services.ask_reporter(actor=petition, report_id=real.pk, text="请补充时间。")
    return {"city": city, "township": township, "down": down, "assigned": assigned, "real": real}


EXPECTED = {
    "shuji": {"city", "township", "down", "assigned", "real"},
    "fenguan": {"city", "township", "down", "assigned", "real"},
    "xinfang": {"city", "township", "down", "assigned", "real"},
    "dengji": {"city", "township", "down", "assigned", "real"},
    "anguan": {"city", "township", "down", "assigned", "real"},
    "zuzhang1": {"township", "assigned"},
    "fuzuzhang1": {"township", "assigned"},
    "jianchashi1": {"township", "assigned"},
    "jianchashi2": {"down"},
    "xzdengji": {"township", "assigned"},
    "xzshuji": set(),
    "xzganbu": set(),
    "xzshuji2": {"down"},
    "xzshuji3": {"assigned"},
    "xzshuji4": set(),
    # The other zones' leaders and offices: zone 2 (东汤) has the report sent down, zone 3 (赛马) the
    # one assigned across zones, zone 4 nothing; townships without a report see none.
    "zuzhang2": {"down"},
    "fuzuzhang2": {"down"},
    "zuzhang3": {"assigned"},
    "fuzuzhang3": {"assigned"},
    "jianchashi3": {"assigned"},
    "zuzhang4": set(),
    "fuzuzhang4": set(),
    "jianchashi4": set(),
    **{
        f"xzshuji_{town}": set()
        for town in ("fengshan", "baiqi", "bianmen", "aiyang", "shalizhai", "dapu", "dixiongshan", "jiguanshan")
    },
    "paizhu1": set(),
    "shenli": set(),
    "shenli2": set(),
    "jianduyuan": set(),
    "xitong": set(),
    "anquan": set(),
    "shenji": set(),
}


@pytest.mark.parametrize("username", LOGINS)
def test_each_demo_login_sees_exactly_its_reports(reports, username):
    visible = set(reports_visible_to(demo_actor(username)).values_list("pk", flat=True))
    assert visible == {reports[name].pk for name in EXPECTED[username]}


@pytest.mark.parametrize("username", LOGINS)
def test_scope_and_predicate_agree_for_every_intake_type(reports, username):
    actor = demo_actor(username)
    for model in (Report, ReportAccused, ReporterIdentity, ReportMessage, RoutingDecision, IdentityGrant):
        policy = POLICIES[model]
        scoped = set(policy.scope(actor).values_list("pk", flat=True))
        predicate = {obj.pk for obj in model._default_manager.all() if policy.can_view(actor, obj)}
        assert scoped == predicate, f"{username} × {model.__name__}"


def test_administrators_see_no_report_and_no_part_of_one(reports):
    for admin in ("xitong", "anquan", "shenji"):
        actor = demo_actor(admin)
        for model, policy in POLICIES.items():
            if policy.case_content and model.__module__.startswith("xiezuoqu.intake"):
                assert not policy.scope(actor).exists(), (admin, model)


@pytest.mark.parametrize("username", ["jianchashi2", "xzshuji", "paizhu1", "xitong", "jianduyuan"])
def test_outside_the_scope_every_page_and_api_call_is_not_found(reports, client, username):
    report = reports["township"]
    login(client, username)
    for url in (f"/intake/{report.pk}/", f"/intake/{report.pk}/identity/"):
        response = client.get(url) if url.endswith(f"{report.pk}/") else client.post(url)
        assert response.status_code == 404, url
    assert client.post(f"/intake/{report.pk}/route/", {"action": "accept"}).status_code in (302, 404)
    assert Report.objects.get(pk=report.pk).state == "registered"
    assert api_get(client, username, f"/reports/{report.pk}").status_code == 404
    assert api_post(client, username, f"/reports/{report.pk}/route", {"action": "accept"}).status_code == 404
    assert api_get(client, username, f"/reports/{report.pk}/duplicates").status_code == 404
    listed = api_get(client, username, "/reports")
    assert listed.status_code in (200, 404)
    if listed.status_code == 200:
        assert report.pk not in [item["id"] for item in listed.json()["items"]]


def test_a_refused_page_view_is_on_record(reports, client):
    login(client, "jianchashi2")
    client.get(f"/intake/{reports['township'].pk}/")
    assert AuditEvent.objects.filter(
        action="report.viewed", target_id=str(reports["township"].pk), outcome="refused"
    ).exists()


def test_every_report_page_view_is_on_record(reports, client):
    login(client, "zuzhang1")
    assert client.get(f"/intake/{reports['township'].pk}/").status_code == 200
    assert AuditEvent.objects.filter(
        action="report.viewed", target_id=str(reports["township"].pk), actor_name="zuzhang1", outcome="allowed"
    ).exists()


def test_the_ledger_lists_only_the_scope(reports, client):
    login(client, "jianchashi1")
    page = client.get("/intake/").content.decode()
    assert reports["township"].ledger_number in page
    assert reports["city"].ledger_number not in page
    assert reports["down"].ledger_number not in page


# --- 流程1 (受理归口): the zone concerned sees a registered report at once -------------------------------


ZONE_2_READERS = ("zuzhang2", "fuzuzhang2", "jianchashi2")


def test_a_report_the_petition_office_registers_about_a_township_reaches_that_zone_at_once(demo):
    """Registered by 信访室 with the township set: the township's zone (its leader, deputy and office
    cadre) sees it and is told at once — before anyone accepts or assigns it."""
    from xiezuoqu.intake.models import Notification

    township = unit_named("东汤镇纪委")
    report = register("dengji", township_id=township.pk)
    assert report.state == "registered" and report.zone is not None
    assert report.zone.memberships.filter(unit=township).exists()
    for username in ZONE_2_READERS:
        assert reports_visible_to(demo_actor(username)).filter(pk=report.pk).exists(), username
        assert POLICIES[Report].can_view(demo_actor(username), report), username
    told = set(Notification.objects.filter(report=report).values_list("recipient__username", flat=True))
    assert {"zuzhang2", "jianchashi2"} <= told
    # Another zone's office does not see it, nor the township itself before it is sent there.
    for username in ("jianchashi1", "zuzhang1", "xzshuji2"):
        assert not reports_visible_to(demo_actor(username)).filter(pk=report.pk).exists(), username


def test_a_received_report_registered_with_its_township_reaches_that_zone(demo):
    """The public site's report, registered by 信访室 naming the township: the same rule."""
    received, _ = services.submit_public_report(
        commission=unit_named("东汤镇纪委").commission,
        summary="反映东汤镇某站所负责人吃拿卡要",
        content="该站所负责人在办理审批时多次收受办事群众的购物卡。",
        category=report_input().category,
    )
    township = unit_named("东汤镇纪委")
    report = services.register_received_report(
        actor=demo_actor("dengji"), report_id=received.pk, township_id=township.pk
    )
    assert report.state == "registered"
    for username in ZONE_2_READERS:
        assert reports_visible_to(demo_actor(username)).filter(pk=report.pk).exists(), username
    assert not reports_visible_to(demo_actor("jianchashi1")).filter(pk=report.pk).exists()
