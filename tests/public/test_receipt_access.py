"""A wrong receipt reveals nothing and is rate-limited; after a match the reporter's access is a signed,
short-lived cookie limited to /report/ — not a session — that cannot be forged or reused after expiry."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core import signing
from django.test import Client
from django.utils import timezone

from tests.public.conftest import lookup
from xiezuoqu.public import access
from xiezuoqu.public.models import RateLimitWindow

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def neutral(response) -> str:
    return CSRF.sub("", response.content.decode())


def test_a_wrong_a_malformed_and_a_near_miss_code_look_the_same(demo, filed):
    _, code = filed
    near_miss = code[:6] + ("0000000000" if code[6:] != "0000000000" else "1111111111")
    pages = []
    for attempt in (near_miss, "9" * 16 if code[:6] != "999999" else "8" * 16, "12345", "abc"):
        response = lookup(Client(), attempt, address=f"198.51.100.{len(pages) + 1}")
        assert response.status_code == 200
        assert "回执码不正确或不存在" in response.content.decode()
        assert access.COOKIE_NAME not in response.cookies
        pages.append(neutral(response))
    assert len(set(pages)) == 1


def test_repeated_wrong_lookups_from_one_address_hit_429_with_the_wait(demo, filed):
    _, code = filed
    client = Client()
    for _ in range(10):
        assert lookup(client, "1" * 16, address="198.51.100.7").status_code == 200
    refused = lookup(client, code, address="198.51.100.7")  # even the right code: the limit is checked first
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "查询办理情况过于频繁" in page and "分钟后再试" in page
    assert 0 < int(refused["Retry-After"]) <= 15 * 60
    assert access.COOKIE_NAME not in refused.cookies
    assert lookup(Client(), code, address="198.51.100.8").status_code == 302  # another address is not blocked


def test_distributed_guessing_of_one_prefix_is_capped(demo, filed):
    _, code = filed
    for i in range(20):
        assert lookup(Client(), code[:6] + f"{i:010d}", address=f"192.0.2.{i + 1}").status_code == 200
    assert lookup(Client(), code, address="192.0.2.99").status_code == 429


def test_the_rate_limit_rows_hold_no_address_and_no_code(demo, filed):
    _, code = filed
    lookup(Client(), code, address="198.51.100.9")
    digests = " ".join(RateLimitWindow.objects.values_list("key_digest", flat=True))
    assert "198.51.100.9" not in digests and code[:6] not in digests
    assert RateLimitWindow.objects.filter(scope="lookup_prefix").count() == 1


def test_the_access_cookie_is_httponly_strict_and_scoped_to_report(demo, filed, reporter):
    report, code = filed
    response = lookup(reporter, code)
    cookie = response.cookies[access.COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/report/"
    assert int(cookie["max-age"]) == 15 * 60
    assert signing.loads(cookie.value, salt=access.COOKIE_SALT)["r"] == report.pk  # signed, with the salt
    assert "sessionid" not in response.cookies and not Session.objects.exists()


def test_a_forged_cookie_opens_nothing(demo, filed):
    report, _ = filed
    forged = Client()
    unsigned = signing.dumps({"r": report.pk, "x": int(time.time()) + 600}, salt="another-salt")
    forged.cookies[access.COOKIE_NAME] = unsigned
    page = forged.get("/report/status/")
    assert "请输入 16 位回执码" in page.content.decode() and "惠农补贴" not in page.content.decode()
    tampered = Client()
    good = signing.dumps({"r": report.pk + 1, "x": int(time.time()) + 600}, salt=access.COOKIE_SALT)
    tampered.cookies[access.COOKIE_NAME] = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    assert "请输入 16 位回执码" in tampered.get("/report/status/").content.decode()
    # The payload's own expiry is checked too, not only the signature's age.
    stale = Client()
    stale.cookies[access.COOKIE_NAME] = signing.dumps(
        {"r": report.pk, "x": int(time.time()) - 1}, salt=access.COOKIE_SALT
    )
    assert "查询已超时" in stale.get("/report/status/").content.decode()


def test_the_cookie_is_not_reusable_after_fifteen_minutes(demo, filed, reporter):
    _, code = filed
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        lookup(reporter, code)
        assert "已收到，等待登记" in reporter.get("/report/status/").content.decode()
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        assert "已收到，等待登记" in reporter.get("/report/status/").content.decode()
    with time_machine.travel(start + timedelta(minutes=15, seconds=1), tick=False):
        page = reporter.get("/report/status/").content.decode()
        assert "查询已超时" in page and "已收到，等待登记" not in page
        answered = reporter.post("/report/status/objection/", {"text": "x"})
        assert "查询已超时" in answered.content.decode()


def test_leaving_clears_the_cookie(demo, filed, reporter):
    _, code = filed
    lookup(reporter, code)
    response = reporter.post("/report/status/leave/")
    assert response.status_code == 302 and response.cookies[access.COOKIE_NAME].value == ""
    assert "请输入 16 位回执码" in reporter.get("/report/status/").content.decode()


def test_the_cookie_only_opens_reports_filed_on_the_public_site(demo, filed):
    """A staff-registered report has no receipt: a validly signed cookie naming it still opens nothing."""
    from tests.intake.conftest import register

    staff_report = register()
    client = Client()
    client.cookies[access.COOKIE_NAME] = signing.dumps(
        {"r": staff_report.pk, "x": int(time.time()) + 600}, salt=access.COOKIE_SALT
    )
    assert "请输入 16 位回执码" in client.get("/report/status/").content.decode()
