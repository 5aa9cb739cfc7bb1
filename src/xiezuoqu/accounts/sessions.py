"""Session states of the login: password passed, second factor passed, last activity."""

from __future__ import annotations

from django.http import HttpRequest

TOTP_PENDING = "xzq_totp_pending"  # user id whose password was right, awaiting the TOTP code
TOTP_SETUP = "xzq_totp_setup"  # the user must enrol a TOTP device before anything else
LAST_SEEN = "xzq_last_seen"


def session_is_complete(request: HttpRequest) -> bool:
    session = getattr(request, "session", None)
    return session is not None and not session.get(TOTP_SETUP)
