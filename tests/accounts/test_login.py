"""Login: Argon2 passwords, TOTP where the role requires it, lockout, idle timeout, audit of each step."""

from __future__ import annotations

import time

import pyotp
import pytest
import time_machine
from django.contrib.auth.hashers import identify_hasher
from django.urls import reverse

from tests.factories import make_commission, make_staff, make_unit, make_user
from xiezuoqu.accounts.models import User
from xiezuoqu.accounts.roles import Role
from xiezuoqu.accounts.sessions import LAST_SEEN
from xiezuoqu.audit.models import AuditEvent

PASSWORD = "correct horse battery"
pytestmark = pytest.mark.django_db


@pytest.fixture
def township_user():
    unit = make_unit(make_commission())
    return make_user(Role.TOWNSHIP_STAFF, unit=unit, staff=make_staff(unit), username="zhang")


def login(client, username="zhang", password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_passwords_are_hashed_with_argon2(township_user):
    assert identify_hasher(township_user.password).algorithm == "argon2"


def test_the_login_page_is_the_first_page(client):
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:login"))
    assert "登录" in response.content.decode()


def test_a_right_password_logs_in_and_is_audited(client, township_user):
    response = login(client)
    assert response.status_code == 302
    assert client.get(reverse("org:chart")).status_code == 200
    assert AuditEvent.objects.filter(action="account.logged_in", actor_id=township_user.pk).exists()


def test_a_wrong_password_is_refused_with_a_chinese_message_and_recorded(client, township_user):
    response = login(client, password="wrong password!")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    event = AuditEvent.objects.get(action="account.login_failed")
    assert event.outcome == "refused" and event.target_id == str(township_user.pk)


def test_repeated_failures_lock_the_account_even_against_the_right_password(client, township_user, settings):
    for _ in range(settings.XIEZUOQU["LOCKOUT_THRESHOLD"]):
        login(client, password="wrong password!")
    township_user.refresh_from_db()
    assert township_user.locked_until is not None
    response = login(client)
    assert "锁定" in response.content.decode()
    assert client.get(reverse("org:chart")).status_code == 302  # still not logged in


def test_the_lock_expires(client, township_user, settings):
    for _ in range(settings.XIEZUOQU["LOCKOUT_THRESHOLD"]):
        login(client, password="wrong password!")
    with time_machine.travel(time.time() + 60 * (settings.XIEZUOQU["LOCKOUT_MINUTES"] + 1)):
        assert login(client).status_code == 302


def test_an_unknown_user_gets_the_same_message(client, db):
    response = login(client, username="nobody")
    assert "用户名或密码不正确" in response.content.decode()


def test_totp_is_asked_after_the_password_when_enrolled(client, township_user):
    township_user.totp_secret = pyotp.random_base32()
    township_user.totp_confirmed = True
    township_user.save()
    response = login(client)
    assert response["Location"].startswith(reverse("accounts:totp"))
    assert client.get(reverse("org:chart")).status_code == 302  # password alone is not enough
    code = pyotp.TOTP(township_user.totp_secret).now()
    response = client.post(reverse("accounts:totp"), {"code": code})
    assert response.status_code == 302
    assert client.get(reverse("org:chart")).status_code == 200
    assert AuditEvent.objects.filter(action="account.logged_in", detail__totp=True).exists()


def test_a_totp_code_cannot_be_used_twice(client, township_user):
    township_user.totp_secret = pyotp.random_base32()
    township_user.totp_confirmed = True
    township_user.save()
    code = pyotp.TOTP(township_user.totp_secret).now()
    login(client)
    client.post(reverse("accounts:totp"), {"code": code})
    client.post(reverse("accounts:logout"))
    login(client)
    response = client.post(reverse("accounts:totp"), {"code": code})
    assert response.status_code == 200
    assert "验证码不正确或已使用" in response.content.decode()


def test_a_role_that_requires_totp_must_enrol_before_anything_else(client, township_user, settings):
    settings.XIEZUOQU = {**settings.XIEZUOQU, "TOTP_REQUIRED_ROLES": [Role.TOWNSHIP_STAFF]}
    response = login(client)
    assert response["Location"] == reverse("accounts:totp_setup")
    # every other page sends the user back to enrolment
    assert client.get(reverse("org:chart"))["Location"] == reverse("accounts:totp_setup")
    page = client.get(reverse("accounts:totp_setup"))
    assert "<svg" in page.content.decode()
    township_user.refresh_from_db()
    code = pyotp.TOTP(township_user.totp_secret).now()
    response = client.post(reverse("accounts:totp_setup"), {"code": code})
    assert response.status_code == 302
    assert client.get(reverse("org:chart")).status_code == 200
    township_user.refresh_from_db()
    assert township_user.totp_confirmed


def test_production_requires_totp_for_every_role_and_a_real_secret_key(monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.delenv("XIEZUOQU_TOTP_REQUIRED_ROLES", raising=False)
    monkeypatch.setenv("SECRET_KEY", "a-real-production-secret-key-0123456789-abcdefghijklmnop")
    production = importlib.import_module("xiezuoqu.settings.production")
    assert importlib.reload(production).XIEZUOQU["TOTP_REQUIRED_ROLES"] == ["all"]
    monkeypatch.delenv("SECRET_KEY")
    with pytest.raises(ImproperlyConfigured):
        importlib.reload(production)


def test_an_idle_session_ends(client, township_user, settings):
    login(client)
    assert client.get(reverse("org:chart")).status_code == 200
    session = client.session
    session[LAST_SEEN] = time.time() - settings.XIEZUOQU["IDLE_TIMEOUT"].total_seconds() - 5
    session.save()
    response = client.get(reverse("org:chart"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_logout_is_post_only_and_audited(client, township_user):
    login(client)
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert AuditEvent.objects.filter(action="account.logged_out").exists()
    assert client.get(reverse("org:chart")).status_code == 302


def test_an_external_next_url_is_ignored(client, township_user):
    response = client.post(
        reverse("accounts:login"), {"username": "zhang", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_inactive_users_cannot_log_in(client, township_user):
    User.objects.filter(pk=township_user.pk).update(is_active=False)
    assert login(client).status_code == 200


def test_attempts_on_a_locked_account_do_not_extend_the_lock(client, township_user, settings):
    for _ in range(settings.XIEZUOQU["LOCKOUT_THRESHOLD"]):
        login(client, password="wrong password!")
    township_user.refresh_from_db()
    until = township_user.locked_until
    for _ in range(3):
        login(client, password="wrong password!")
    township_user.refresh_from_db()
    assert township_user.locked_until == until
    assert AuditEvent.objects.filter(action="account.login_failed", detail__reason="locked").count() == 3
