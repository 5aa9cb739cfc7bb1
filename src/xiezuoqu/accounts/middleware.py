"""Idle and absolute session limits, and the two-factor gate, for every page and session API call."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .sessions import TOTP_PASSED, TOTP_SETUP, expired_reason

# Paths a logged-in user can reach while the TOTP enrolment is still pending.
SETUP_ALLOWED_PREFIXES = ("/accounts/totp/setup", "/accounts/logout", "/static/")


class SessionGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        is_api = request.path.startswith("/api/")
        reason = expired_reason(request)
        if not reason and not request.session.get(TOTP_PASSED):
            from .services import totp_required_for

            # Decided on every request, not once at login: a role granted later that requires
            # TOTP takes effect at once.
            if totp_required_for(user):
                if user.totp_confirmed:
                    reason = "您的角色要求两步验证，请重新登录并输入验证码。"
                else:
                    request.session[TOTP_SETUP] = True
        if reason:
            logout(request)
            if is_api:
                return self.get_response(request)  # the API now sees no session and answers 401
            messages.info(request, reason)
            return redirect(f"{reverse('accounts:login')}?next={request.path}")
        if request.session.get(TOTP_SETUP) and not is_api and not request.path.startswith(SETUP_ALLOWED_PREFIXES):
            return redirect("accounts:totp_setup")
        if request.session.modified:
            # The activity stamp is written now, before the view: written after it (by SessionMiddleware), a
            # database that goes away between the view's commit and that write would turn a saved action
            # into an error answer. Failing here, nothing has been done yet and the 503 is true.
            request.session.save()
            request.session.modified = False
        return self.get_response(request)
