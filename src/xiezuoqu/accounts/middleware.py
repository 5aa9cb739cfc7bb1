"""Idle timeout and the two-factor gate for every page of the staff site."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .sessions import LAST_SEEN, TOTP_SETUP

# Paths a logged-in user can reach while the TOTP enrolment is still pending.
SETUP_ALLOWED_PREFIXES = ("/accounts/totp/setup", "/accounts/logout", "/static/")


class SessionGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/api/"):
            now = time.time()
            last = request.session.get(LAST_SEEN)
            idle = settings.XIEZUOQU["IDLE_TIMEOUT"].total_seconds()
            if last is not None and now - float(last) > idle:
                logout(request)
                messages.info(request, f"您已超过 {int(idle // 60)} 分钟未操作，为保护数据安全已自动退出，请重新登录。")
                return redirect(f"{reverse('accounts:login')}?next={request.path}")
            request.session[LAST_SEEN] = now
            if request.session.get(TOTP_SETUP) and not request.path.startswith(SETUP_ALLOWED_PREFIXES):
                return redirect("accounts:totp_setup")
        return self.get_response(request)
