"""Login (password, then TOTP), enrolment, the user's own account, and account administration."""

from __future__ import annotations

import time

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from xiezuoqu.access.actor import actor_for
from xiezuoqu.audit.services import record_event
from xiezuoqu.errors import DomainError, NotFound, ValidationFailed
from xiezuoqu.org.selectors import STAFF, UNITS
from xiezuoqu.web.forms import posted_id, show_error

from . import services
from .forms import CreateUserForm, GrantRoleForm, LoginForm, PasswordChangeForm, TokenForm, TotpForm
from .models import User
from .selectors import (
    ACCOUNT_ADMINS,
    TOKENS,
    USERS,
    assignments_of,
    login_candidate,
    pending_login_user,
    user_directory,
)
from .sessions import TOTP_PASSED, TOTP_PENDING, TOTP_SETUP, start_session

PENDING_SECONDS = 300


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def _demo_logins() -> list[tuple[str, str, str]]:
    from xiezuoqu.org.models import Commission

    if not Commission.objects.filter(is_demo=True).exists():
        return []
    from xiezuoqu.demo.data import DEMO_LOGINS

    return list(DEMO_LOGINS)


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and not request.session.get(TOTP_SETUP):
        return redirect(_safe_next(request))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"].strip()
        candidate = login_candidate(username)
        if candidate is not None and services.is_locked(candidate):
            make_password(form.cleaned_data["password"])  # same work as a real check: no timing tell
            services.record_login_failure(username=username, user=candidate, request=request, reason="locked")
            form.add_error(None, "该账号因连续登录失败已被临时锁定，请稍后再试或联系安全保密管理员解锁。")
        else:
            user = authenticate(
                request, username=candidate.username if candidate else username, password=form.cleaned_data["password"]
            )
            if user is None:
                services.record_login_failure(username=username, user=candidate, request=request, reason="bad_password")
                form.add_error(None, "用户名或密码不正确。连续失败多次后账号将被临时锁定。")
            else:
                assert isinstance(user, User)
                if user.totp_confirmed:
                    request.session[TOTP_PENDING] = [user.pk, time.time()]
                    nxt = _safe_next(request)
                    return redirect(f"/accounts/totp/?next={nxt}")
                login(request, user)
                start_session(request, second_factor=False)
                services.record_login_success(user=user, request=request, second_factor=False)
                if services.totp_required_for(user):
                    request.session[TOTP_SETUP] = True
                    messages.warning(request, "您的角色要求启用两步验证，请先完成绑定。")
                    return redirect("accounts:totp_setup")
                return redirect(_safe_next(request))
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "next": _safe_next(request),
            "demo_logins": _demo_logins(),
            "lockout": settings.XIEZUOQU,
            "idle_minutes": int(settings.XIEZUOQU["IDLE_TIMEOUT"].total_seconds() // 60),
        },
    )


def totp_view(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(TOTP_PENDING)
    if not pending or time.time() - float(pending[1]) > PENDING_SECONDS:
        request.session.pop(TOTP_PENDING, None)
        messages.info(request, "验证已超时，请重新输入用户名和密码。")
        return redirect("accounts:login")
    user = pending_login_user(pending[0])
    if user is None:
        return redirect("accounts:login")
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.is_locked(user):
            request.session.pop(TOTP_PENDING, None)
            messages.error(request, "该账号因连续验证失败已被临时锁定，请稍后再试。")
            return redirect("accounts:login")
        if services.verify_totp(user=user, code=form.cleaned_data["code"]):
            request.session.pop(TOTP_PENDING, None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            start_session(request, second_factor=True)
            services.record_login_success(user=user, request=request, second_factor=True)
            return redirect(_safe_next(request))
        services.record_login_failure(username=user.username, user=user, request=request, reason="bad_totp")
        form.add_error("code", "验证码不正确或已使用，请输入认证器上当前显示的 6 位数字。")
    return render(request, "accounts/totp.html", {"form": form, "next": _safe_next(request)})


@login_required
def totp_setup_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if user.totp_confirmed:
        request.session.pop(TOTP_SETUP, None)
        messages.info(request, "两步验证已启用。")
        return redirect("accounts:profile")
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and user.totp_secret:
        try:
            services.confirm_totp_enrolment(user=user, code=form.cleaned_data["code"], request=request)
        except ValidationFailed as exc:
            show_error(request, exc, form)
        else:
            request.session.pop(TOTP_SETUP, None)
            request.session[TOTP_PASSED] = True  # the code just entered proves the device
            messages.success(request, "两步验证已启用，今后登录需输入认证器上的验证码。")
            return redirect("web:home")
    if request.method == "GET" or not user.totp_secret:
        uri = services.begin_totp_enrolment(user=user)
    else:
        import pyotp

        uri = pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.username, issuer_name=services.TOTP_ISSUER)
    qr = segno.make(uri, error="m").svg_inline(scale=4, dark="#1f2933")
    return render(
        request,
        "accounts/totp_setup.html",
        {"form": form, "qr": qr, "secret": user.totp_secret, "required": bool(request.session.get(TOTP_SETUP))},
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        with transaction.atomic():
            record_event(
                actor=actor_for(request.user), action="account.logged_out", target=request.user, request=request
            )
    logout(request)
    return redirect("accounts:login")


@login_required
def profile_view(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    user = request.user
    assert isinstance(user, User)
    password_form = PasswordChangeForm(prefix="pw")
    token_form = TokenForm(prefix="tk")
    issued = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "password":
                password_form = PasswordChangeForm(request.POST, prefix="pw")
                if password_form.is_valid():
                    services.change_password(
                        actor=actor,
                        user=user,
                        old_password=password_form.cleaned_data["old_password"],
                        new_password=password_form.cleaned_data["new_password"],
                        request=request,
                    )
                    from django.contrib.auth import update_session_auth_hash

                    update_session_auth_hash(request, user)
                    messages.success(request, "密码已修改。")
                    return redirect("accounts:profile")
            elif action == "token":
                token_form = TokenForm(request.POST, prefix="tk")
                if token_form.is_valid():
                    issued = services.issue_api_token(
                        actor=actor,
                        user=user,
                        name=token_form.cleaned_data["name"],
                        days=token_form.cleaned_data["days"],
                        request=request,
                    )
                    token_form = TokenForm(prefix="tk")
            elif action == "revoke":
                services.revoke_api_token(actor=actor, token_id=posted_id(request, "token"), request=request)
                messages.success(request, "令牌已吊销。")
                return redirect("accounts:profile")
        except ValidationFailed as exc:
            show_error(request, exc, password_form if action == "password" else token_form)
    tokens = TOKENS.scope(actor).filter(user_id=user.pk).order_by("-created_at")
    return render(
        request,
        "accounts/profile.html",
        {
            "password_form": password_form,
            "token_form": token_form,
            "issued": issued,
            "tokens": tokens,
            "assignments": assignments_of(user),
            "profile_user": user,
        },
    )


# --- administration (system and security administrators) --------------------------------------


def _account_admin(request: HttpRequest):  # type: ignore[no-untyped-def]
    actor = actor_for(request.user)
    if not actor.roles & ACCOUNT_ADMINS:
        raise NotFound(audit_action="account.list", target_type="accounts.user")
    return actor


@login_required
def user_list_view(request: HttpRequest) -> HttpResponse:
    actor = _account_admin(request)
    without_account = STAFF.scope(actor).filter(user__isnull=True, is_active=True).select_related("home_unit")
    form = CreateUserForm(request.POST or None, staff=without_account)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        staff = data.pop("staff")
        try:
            created = services.create_user(actor=actor, request=request, staff_id=staff.pk if staff else None, **data)
        except DomainError as exc:
            show_error(request, exc, form)
        else:
            messages.success(request, f"账号 {created.username} 已创建，请安全保密管理员为其授予角色。")
            return redirect("accounts:user_detail", user_id=created.pk)
    query = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    users = list(
        user_directory(actor, query=query, role=role).prefetch_related("role_assignments", "staff__led_zones")[:200]
    )
    from .roles import Role

    return render(
        request,
        "accounts/user_list.html",
        {"users": users, "q": query, "role": role, "roles": Role.choices, "form": form},
    )


@login_required
def user_detail_view(request: HttpRequest, user_id: int) -> HttpResponse:
    actor = _account_admin(request)
    target = USERS.get_for(actor, user_id)
    grant_form = GrantRoleForm(request.POST or None, units=UNITS.scope(actor).order_by("sort_order", "id"))
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "grant" and grant_form.is_valid():
                unit = grant_form.cleaned_data["unit"]
                services.grant_role(
                    actor=actor,
                    user_id=target.pk,
                    role=grant_form.cleaned_data["role"],
                    unit_id=unit.pk if unit else None,
                    request=request,
                )
                messages.success(request, "角色已授予。")
                return redirect("accounts:user_detail", user_id=target.pk)
            if action == "revoke":
                services.revoke_role(actor=actor, assignment_id=posted_id(request, "assignment"), request=request)
                messages.success(request, "角色已撤销。")
                return redirect("accounts:user_detail", user_id=target.pk)
            if action == "reset_totp":
                services.reset_totp(actor=actor, user_id=target.pk, request=request)
                messages.success(request, "两步验证已重置，该用户下次登录时需重新绑定。")
                return redirect("accounts:user_detail", user_id=target.pk)
            if action == "unlock":
                services.unlock_user(actor=actor, user_id=target.pk, request=request)
                messages.success(request, "账号已解锁。")
                return redirect("accounts:user_detail", user_id=target.pk)
            if action in ("deactivate", "activate"):
                services.set_user_active(actor=actor, user_id=target.pk, active=action == "activate", request=request)
                messages.success(request, "账号状态已更新。")
                return redirect("accounts:user_detail", user_id=target.pk)
        except DomainError as exc:
            show_error(request, exc, grant_form if action == "grant" else None)
    staff = (
        STAFF.scope(actor).filter(pk=target.staff_id).select_related("home_unit").first() if target.staff_id else None
    )
    return render(
        request,
        "accounts/user_detail.html",
        {
            "target": target,
            "assignments": assignments_of(target),
            "grant_form": grant_form,
            "staff": staff,
            "locked": services.is_locked(target),
            "tokens": TOKENS.scope(actor).filter(user_id=target.pk),
        },
    )
