"""Session states of the login: password passed, second factor passed, login time, last activity."""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpRequest

TOTP_PENDING = "xzq_totp_pending"  # [user id, time]: the password was right, the TOTP code is awaited
TOTP_SETUP = "xzq_totp_setup"  # the user must enrol a TOTP device before anything else
TOTP_PASSED = "xzq_totp_passed"  # the second factor was passed in this session
LOGIN_AT = "xzq_login_at"
LAST_SEEN = "xzq_last_seen"


def start_session(request: HttpRequest, *, second_factor: bool) -> None:
    now = time.time()
    request.session[LOGIN_AT] = now
    request.session[LAST_SEEN] = now
    request.session[TOTP_PASSED] = second_factor


def expired_reason(request: HttpRequest) -> str:
    """Why this session must end now ("" if it may go on); marks the activity otherwise."""
    now = time.time()
    session = request.session
    idle = settings.XIEZUOQU["IDLE_TIMEOUT"].total_seconds()
    last = session.get(LAST_SEEN)
    if last is not None and now - float(last) > idle:
        return f"您已超过 {int(idle // 60)} 分钟未操作，为保护数据安全已自动退出，请重新登录。"
    login_at = session.get(LOGIN_AT)
    if login_at is not None and now - float(login_at) > settings.SESSION_COOKIE_AGE:
        return "本次登录已超过最长时限，请重新登录。"
    # Write at most once a minute: every request re-saving the session would be a needless write.
    if last is None or now - float(last) > 60:
        session[LAST_SEEN] = now
    return ""


def session_is_complete(request: HttpRequest) -> bool:
    session = getattr(request, "session", None)
    return session is not None and not session.get(TOTP_SETUP)
