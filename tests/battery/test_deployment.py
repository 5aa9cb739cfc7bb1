"""Deployment hygiene with the production settings (issue 16).

- ``check --deploy`` is clean with ``xiezuoqu.settings.production`` (run in a child process, as an operator
  would, since those settings refuse to load without a real secret key);
- the security headers — HSTS over HTTPS, nosniff, Referrer-Policy, X-Frame-Options and the CSP's
  ``frame-ancestors``, Cross-Origin-Opener-Policy — are on a page, an error page and an API answer, the
  session and CSRF cookies are ``__Host-`` and Secure, and plain HTTP is redirected to HTTPS;
- session fixation: the session key changes at login (with and without the second factor), the key held
  before login is dead, and the key of a logged-in session is dead after logout, for pages and the API.

The lockout after repeated failures and the idle timeout are tested in tests/accounts/test_login.py and
tests/accounts/test_sessions.py; they are not repeated here.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from typing import Any

import pyotp
import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse

from tests.factories import make_commission, make_staff, make_unit, make_user
from xiezuoqu.accounts.roles import Role

PASSWORD = "correct horse battery"
SECRET = "battery-deploy-check-secret-0123456789-abcdefghijklmnopqrstuvwxyz"

# The settings production.py sets for HTTPS behind the proxy, applied over the test settings.
PRODUCTION_SECURITY = (
    "DEBUG",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_NAME",
    "CSRF_COOKIE_NAME",
)


def _production_values(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    for name in ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", SECRET)
    production = importlib.reload(importlib.import_module("xiezuoqu.settings.production"))
    return {name: getattr(production, name) for name in PRODUCTION_SECURITY}


@pytest.fixture
def production(settings, monkeypatch) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    values = _production_values(monkeypatch)
    for name, value in values.items():
        setattr(settings, name, value)
    return values


@pytest.fixture
def user(db):  # type: ignore[no-untyped-def]
    unit = make_unit(make_commission())
    return make_user(Role.TOWNSHIP_STAFF, unit=unit, staff=make_staff(unit), username="wang")


def https_client() -> Client:
    """A client as the reverse proxy forwards it: HTTPS, told by X-Forwarded-Proto."""
    return Client(headers={"X-Forwarded-Proto": "https"}, secure=True)


# -- check --deploy ------------------------------------------------------------------------------------


def test_check_deploy_is_clean_with_the_production_settings(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "xiezuoqu.settings.production",
        "SECRET_KEY": SECRET,
        "XIEZUOQU_VAR_DIR": str(tmp_path),
    }
    env.pop("SECURE_SSL_REDIRECT", None)
    env.pop("SECURE_HSTS_SECONDS", None)
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_keeps_debug_off_and_hsts_for_a_year(monkeypatch):
    values = _production_values(monkeypatch)
    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["SESSION_COOKIE_NAME"].startswith("__Host-") and values["CSRF_COOKIE_NAME"].startswith("__Host-")


# -- headers -------------------------------------------------------------------------------------------


def assert_security_headers(response: Any, *, hsts: bool) -> None:
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = {
        d.strip().split(" ", 1)[0]: d.strip().partition(" ")[2] for d in headers["Content-Security-Policy"].split(";")
    }
    assert csp["frame-ancestors"] == "'none'"
    assert csp["default-src"] == "'self'" and csp["object-src"] == "'none'"
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    if hsts:
        assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    else:
        assert "Strict-Transport-Security" not in headers


def test_a_page_carries_the_security_headers_over_https(production, db):
    response = https_client().get(reverse("accounts:login"))
    assert response.status_code == 200
    assert_security_headers(response, hsts=True)


def test_the_public_portal_carries_the_security_headers(production, db):
    response = https_client().get(reverse("public:landing"))
    assert response.status_code == 200
    assert_security_headers(response, hsts=True)


def test_an_error_page_carries_the_security_headers(production, db):
    response = https_client().get("/no-such-page/")
    assert response.status_code == 404
    assert_security_headers(response, hsts=True)


def test_an_api_answer_and_an_api_refusal_carry_the_security_headers(production, user):
    client = https_client()
    refused = client.get("/api/v1/accounts/me")
    assert refused.status_code == 401 and refused["Content-Type"] == "application/problem+json"
    assert_security_headers(refused, hsts=True)
    client.force_login(user)
    answer = client.get("/api/v1/accounts/me")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/json")
    assert_security_headers(answer, hsts=True)


def test_plain_http_is_redirected_to_https_without_hsts(production, db):
    response = Client().get(reverse("accounts:login"))
    assert response.status_code == 301 and response["Location"].startswith("https://")
    assert "Strict-Transport-Security" not in response.headers


def test_the_session_and_csrf_cookies_are_host_only_secure_and_the_session_cookie_http_only(production, user):
    client = https_client()
    client.get(reverse("accounts:login"))
    response = client.post(reverse("accounts:login"), {"username": "wang", "password": PASSWORD})
    assert response.status_code == 302
    session = response.cookies[production["SESSION_COOKIE_NAME"]]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert session["path"] == "/" and not session["domain"]
    csrf = client.cookies[production["CSRF_COOKIE_NAME"]]
    assert csrf["secure"] and csrf["path"] == "/" and not csrf["domain"]


# -- session fixation ----------------------------------------------------------------------------------


def planted_key(client: Client) -> str:
    """A session the attacker made and planted in the victim's browser before the login."""
    session = client.session
    session["planted"] = True
    session.save()
    return session.session_key or ""


def with_key(key: str) -> Client:
    client = Client()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = key
    return client


def test_the_session_key_changes_at_login_and_the_planted_key_is_dead(user):
    client = Client()
    before = planted_key(client)
    response = client.post(reverse("accounts:login"), {"username": "wang", "password": PASSWORD})
    assert response.status_code == 302
    after = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert after and after != before
    assert not SessionStore().exists(before)
    assert client.get(reverse("org:chart")).status_code == 200
    attacker = with_key(before)
    assert attacker.get(reverse("org:chart")).status_code == 302
    assert attacker.get("/api/v1/accounts/me").status_code == 401


def test_the_session_key_changes_when_the_second_factor_completes_the_login(user):
    user.totp_secret, user.totp_confirmed = pyotp.random_base32(), True
    user.save()
    client = Client()
    before = planted_key(client)
    response = client.post(reverse("accounts:login"), {"username": "wang", "password": PASSWORD})
    assert response["Location"].startswith(reverse("accounts:totp"))
    pending = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    response = client.post(reverse("accounts:totp"), {"code": pyotp.TOTP(user.totp_secret).now()})
    assert response.status_code == 302
    after = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert after not in (before, pending)
    assert client.get(reverse("org:chart")).status_code == 200
    for key in {before, pending}:
        assert not SessionStore().exists(key)
        assert with_key(key).get(reverse("org:chart")).status_code == 302


def test_the_key_of_a_logged_in_session_is_dead_after_logout(user):
    client = Client()
    client.post(reverse("accounts:login"), {"username": "wang", "password": PASSWORD})
    key = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    copy = with_key(key)
    assert copy.get(reverse("org:chart")).status_code == 200  # a stolen cookie works until logout ...
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert not SessionStore().exists(key)
    assert copy.get(reverse("org:chart")).status_code == 302  # ... and not after it
    assert copy.get("/api/v1/accounts/me").status_code == 401
