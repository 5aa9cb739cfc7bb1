"""The reporter's access after a receipt matched: a signed cookie, not a session.

For ``ACCESS_MINUTES`` after the code matched, a cookie signed with the project key (salted for this
one use) carries the report id and the expiry; it is HttpOnly, SameSite=Strict, limited to
``/report/`` and Secure over HTTPS. Nothing is stored on the server, no staff session is created or
touched, and a forged or expired cookie is simply no access.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

COOKIE_NAME = "xzq_report"
COOKIE_SALT = "xiezuoqu.public.receipt-access"
COOKIE_PATH = "/report/"
ACCESS_MINUTES = 15


def grant(response: HttpResponse, report_id: int, *, request: HttpRequest) -> None:
    expires = int(time.time()) + ACCESS_MINUTES * 60
    value = signing.dumps({"r": report_id, "x": expires}, salt=COOKIE_SALT)
    response.set_cookie(
        COOKIE_NAME,
        value,
        max_age=ACCESS_MINUTES * 60,
        path=COOKIE_PATH,
        secure=request.is_secure() or bool(getattr(settings, "SESSION_COOKIE_SECURE", False)),
        httponly=True,
        samesite="Strict",
    )


def report_id(request: HttpRequest) -> int | None:
    """The report the request's cookie opens, or ``None`` (no cookie, forged, or expired)."""
    value = request.COOKIES.get(COOKIE_NAME)
    if not value:
        return None
    try:
        payload = signing.loads(value, salt=COOKIE_SALT, max_age=ACCESS_MINUTES * 60)
        pk, expires = int(payload["r"]), int(payload["x"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if expires <= time.time():
        return None
    return pk


def revoke(response: HttpResponse) -> None:
    response.delete_cookie(COOKIE_NAME, path=COOKIE_PATH, samesite="Strict")
