"""Every role opens the org chart; detail pages and API answer 404 outside the role's scope."""

from __future__ import annotations

import pytest
from django.urls import reverse

from xiezuoqu.access.registry import POLICIES
from xiezuoqu.accounts.models import User
from xiezuoqu.demo.data import DEMO_LOGINS
from xiezuoqu.org.models import DeclaredRelationship, StaffMember, Zone

pytestmark = pytest.mark.django_db
LOGINS = [username for username, _, _ in DEMO_LOGINS]


@pytest.mark.parametrize("username", LOGINS)
def test_every_role_logs_in_and_reaches_its_first_page(client, demo, username):
    response = client.post(reverse("accounts:login"), {"username": username, "password": "Fengcheng#2026"}, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    if username == "shenji":
        assert "审计" in body
    elif username == "jianduyuan":
        assert "监督员" in body and "第一协作区" not in body  # straight to the submission form
    else:  # the work queue (工作台), not the org chart
        assert "<h1>工作台" in body and "常用" in body
        assert "第一协作区" not in body.split("<main>")[1][:300]


@pytest.mark.parametrize(
    "url_name",
    ["org:chart", "org:unit_list", "org:staff_list", "org:mentoring_list", "org:supervisor_list", "accounts:profile"],
)
def test_the_org_pages_render_for_a_zone_leader(client, demo, url_name):
    client.force_login(demo.user("zuzhang1"))
    assert client.get(reverse(url_name)).status_code == 200


def test_the_org_chart_shows_four_zones_with_their_townships(client, demo, django_assert_max_num_queries):
    client.force_login(demo.user("xzganbu"))
    with django_assert_max_num_queries(25):
        body = client.get(reverse("org:chart")).content.decode()
    for zone in Zone.objects.all():
        assert zone.name in body
    assert "凤凰城街道纪工委" in body and "大堡蒙古族乡纪委" in body


def test_staff_detail_is_404_for_a_village_supervisor_and_the_refusal_is_audited(client, demo):
    from xiezuoqu.audit.models import AuditEvent

    client.force_login(demo.user("jianduyuan"))
    staff = StaffMember.objects.first()
    assert client.get(reverse("org:staff_detail", args=[staff.pk])).status_code == 404
    assert client.get(reverse("org:staff_detail", args=[999999])).status_code == 404
    assert AuditEvent.objects.filter(action="staffmember.viewed", outcome="refused", target_id=str(staff.pk)).exists()


def test_viewing_declared_relationships_is_audited(client, demo):
    from xiezuoqu.audit.models import AuditEvent

    rel = DeclaredRelationship.objects.first()
    client.force_login(demo.user("shuji"))
    body = client.get(reverse("org:staff_detail", args=[rel.staff_id])).content.decode()
    assert "利害关系申报" in body
    assert AuditEvent.objects.filter(action="relationship.viewed", target_id=str(rel.staff_id)).exists()


def test_the_openapi_document_is_served(client, demo):
    client.force_login(demo.user("shuji"))
    doc = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/org/zones" in doc["paths"]


def test_the_api_needs_authentication_and_answers_problem_json(client, db):
    response = client.get("/api/v1/org/zones")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_a_bearer_token_reads_with_its_owners_scope(client, demo):
    from xiezuoqu.accounts import services

    user = demo.user("xzganbu")
    issued = services.issue_api_token(actor=demo.actor("xzganbu"), user=user, name="测试对接")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {issued.raw}"}
    assert client.get("/api/v1/org/staff", **auth).status_code == 200
    assert client.get("/api/v1/org/staff", HTTP_AUTHORIZATION="Bearer xzq_wrong").status_code == 401
    services.revoke_api_token(actor=demo.actor("xzganbu"), token_id=issued.token.pk)
    assert client.get("/api/v1/org/staff", **auth).status_code == 401


@pytest.mark.parametrize("username", LOGINS)
def test_the_api_lists_exactly_the_scope_of_the_pages(client, demo, username):
    client.force_login(User.objects.get(username=username))
    actor = demo.actor(username)
    staff_ids = {row["id"] for row in client.get("/api/v1/org/staff?limit=500").json()}
    assert staff_ids == set(POLICIES[StaffMember].scope(actor).values_list("pk", flat=True))
    outside = StaffMember.objects.exclude(pk__in=staff_ids).first()
    if outside is not None:
        response = client.get(f"/api/v1/org/staff/{outside.pk}")
        assert response.status_code == 404
        assert response.json()["status"] == 404
    rel = DeclaredRelationship.objects.exclude(
        pk__in=POLICIES[DeclaredRelationship].scope(actor).values_list("pk", flat=True)
    ).first()
    if rel is not None and rel.staff_id in staff_ids:
        assert client.get(f"/api/v1/org/staff/{rel.staff_id}/relationships").json() == [
            r for r in client.get(f"/api/v1/org/staff/{rel.staff_id}/relationships").json() if r["id"] != rel.pk
        ]


def test_session_api_writes_need_csrf(demo):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(demo.user("xzganbu"))
    response = client.post("/api/v1/accounts/tokens", {"name": "x"}, content_type="application/json")
    assert response.status_code in (401, 403)


def test_a_village_supervisor_sees_the_zones_but_no_names(client, demo):
    client.force_login(demo.user("jianduyuan"))
    leader = Zone.objects.get(number=1).leader
    body = client.get(reverse("org:chart")).content.decode()
    assert "第一协作区" in body and leader.name not in body
    zones = client.get("/api/v1/org/zones").json()
    assert all(z["leader"] is None and z["deputies"] == [] for z in zones)


def test_a_refused_write_on_a_page_is_on_record(client, demo):
    from xiezuoqu.audit.models import AuditEvent

    client.force_login(demo.user("xzganbu"))
    response = client.post(
        reverse("org:staff_list"),
        {
            "name": "冒名",
            "home_unit": demo.actor("xzganbu").home_unit_id,
            "position": "干部",
            "experience": 2,
            "capacity": 3,
        },
    )
    assert "只有系统管理员" in response.content.decode()
    assert AuditEvent.objects.filter(action="org.maintain", outcome="refused").exists()


@pytest.mark.parametrize(
    "payload", [{"action": "end"}, {"action": "end", "pair": "x"}, {"action": "end", "pair": "9999"}]
)
def test_broken_ids_in_a_form_get_a_clear_message_not_a_500(client, demo, payload):
    client.force_login(demo.user("zuzhang1"))
    response = client.post(reverse("org:mentoring_list"), payload)
    assert response.status_code == 200
    assert "未找到" in response.content.decode()


@pytest.mark.parametrize("username", LOGINS)
def test_every_role_logs_in_with_totp_when_production_requires_it(client, demo, settings, username):
    import pyotp

    settings.XIEZUOQU = {**settings.XIEZUOQU, "TOTP_REQUIRED_ROLES": ["all"]}
    response = client.post(reverse("accounts:login"), {"username": username, "password": "Fengcheng#2026"})
    assert response["Location"] == reverse("accounts:totp_setup")
    client.get(reverse("accounts:totp_setup"))
    secret = User.objects.get(username=username).totp_secret
    client.post(reverse("accounts:totp_setup"), {"code": pyotp.TOTP(secret).now()})
    assert client.get("/", follow=True).status_code == 200
    client.post(reverse("accounts:logout"))
    # the next login asks for the code after the password
    response = client.post(reverse("accounts:login"), {"username": username, "password": "Fengcheng#2026"})
    assert response["Location"].startswith(reverse("accounts:totp"))


def test_a_village_supervisor_reaches_their_appointment_page_from_the_form(client, demo):
    client.force_login(demo.user("jianduyuan"))
    form = client.get(reverse("intake:village")).content.decode()
    assert reverse("org:my_village") in form
    body = client.get(reverse("org:my_village")).content.decode()
    assert demo.user("jianduyuan").village_supervisor.village.name in body
    client.force_login(demo.user("xzganbu"))
    assert client.get(reverse("org:my_village")).status_code == 404
