"""Sessions end when they should: idle or too old, on pages and on the session API alike; a role that
requires TOTP applies mid-session; security actions end every open session of the account."""

from __future__ import annotations

import time

import pyotp
import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from tests.factories import make_commission, make_staff, make_unit, make_user
from xiezuoqu.access.actor import build_actor
from xiezuoqu.accounts import services
from xiezuoqu.accounts.models import ApiToken
from xiezuoqu.accounts.roles import Role
from xiezuoqu.accounts.sessions import LAST_SEEN, LOGIN_AT

PASSWORD = "correct horse battery"
pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    commission = make_commission()
    unit = make_unit(commission)
    user = make_user(Role.TOWNSHIP_STAFF, unit=unit, staff=make_staff(unit), username="li")
    security = make_user(Role.SECURITY_ADMIN, commission=commission, username="sec")
    return user, build_actor(security)


def logged_in(username="li") -> Client:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def age(client: Client, key: str, seconds: float) -> None:
    session = client.session
    session[key] = time.time() - seconds
    session.save()


def test_an_idle_session_is_refused_by_the_api_too(people, settings):
    client = logged_in()
    assert client.get("/api/v1/accounts/me").status_code == 200
    age(client, LAST_SEEN, settings.XIEZUOQU["IDLE_TIMEOUT"].total_seconds() + 5)
    assert client.get("/api/v1/accounts/me").status_code == 401
    assert client.get(reverse("org:chart")).status_code == 302  # and the session is gone


def test_a_session_ends_after_a_working_day_however_active(people, settings):
    client = logged_in()
    age(client, LOGIN_AT, settings.SESSION_COOKIE_AGE + 5)
    response = client.get(reverse("org:chart"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_a_role_that_requires_totp_applies_to_an_open_session(people, settings):
    user, security = people
    client = logged_in()
    assert client.get(reverse("org:chart")).status_code == 200
    settings.XIEZUOQU = {**settings.XIEZUOQU, "TOTP_REQUIRED_ROLES": [Role.TOWNSHIP_SECRETARY]}
    services.grant_role(actor=security, user_id=user.pk, role=Role.TOWNSHIP_SECRETARY, unit_id=user.staff.home_unit_id)
    # granting a role ends nothing by itself, but the next request must enrol first
    response = client.get(reverse("org:chart"))
    assert response["Location"] == reverse("accounts:totp_setup")
    assert client.get("/api/v1/accounts/me").status_code == 401


def test_an_enrolled_user_whose_role_now_requires_totp_must_log_in_again(people, settings):
    user, _ = people
    user.totp_secret, user.totp_confirmed = pyotp.random_base32(), True
    user.save()
    settings.XIEZUOQU = {**settings.XIEZUOQU, "TOTP_REQUIRED_ROLES": []}
    client = Client()
    client.force_login(user)
    settings.XIEZUOQU = {**settings.XIEZUOQU, "TOTP_REQUIRED_ROLES": ["all"]}
    assert client.get(reverse("org:chart"))["Location"].startswith(reverse("accounts:login"))


def test_resetting_totp_ends_every_open_session(people):
    user, security = people
    client = logged_in()
    services.reset_totp(actor=security, user_id=user.pk)
    assert client.get(reverse("org:chart")).status_code == 302


def test_revoking_a_role_ends_every_open_session(people):
    user, security = people
    client = logged_in()
    assignment = user.role_assignments.get()
    services.revoke_role(actor=security, assignment_id=assignment.pk)
    assert client.get(reverse("org:chart")).status_code == 302


def _session_writes_fail(execute, sql, params, many, context):
    if "django_session" in sql and sql.lstrip().upper().startswith(("UPDATE", "INSERT")):
        raise OperationalError("terminating connection due to administrator command")
    return execute(sql, params, many, context)


def test_an_activity_stamp_that_cannot_be_written_stops_the_request_before_the_view(people, settings):
    """The stamp is written before the view: a database lost at that moment is a true 503 (nothing
    was done), never a 400 "session deleted" after the view has already committed its work."""
    client = logged_in()
    client.raise_request_exception = False
    age(client, LAST_SEEN, 120)  # due for a new stamp
    before = ApiToken.objects.count()
    with connection.execute_wrapper(_session_writes_fail):
        response = client.post("/api/v1/accounts/tokens", {"name": "对接系统"}, content_type="application/json")
    assert response.status_code == 503 and response["Content-Type"] == "application/problem+json"
    assert "未保存" in response.json()["detail"]
    assert ApiToken.objects.count() == before


def test_a_session_write_after_the_view_that_meets_a_lost_database_is_a_503_not_a_400(people):
    client = Client(raise_request_exception=False)
    with connection.execute_wrapper(_session_writes_fail):
        response = client.post(reverse("accounts:login"), {"username": "li", "password": PASSWORD})
    assert response.status_code == 503
    assert "数据库暂时无法访问" in response.content.decode()
