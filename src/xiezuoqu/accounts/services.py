"""Every write to accounts: login bookkeeping, TOTP, roles, API tokens. Each records an audit event."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import pyotp
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.audit.services import record_event
from xiezuoqu.errors import NotFound, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.org.models import Unit

from .models import ApiToken, RoleAssignment, User, end_sessions
from .roles import ADMIN_ROLES, DERIVED_ROLES, STAFF_ROLES, Role

if TYPE_CHECKING:
    from xiezuoqu.access.actor import Actor

TOTP_ISSUER = "协作区"


# --- login -------------------------------------------------------------------------------------


def totp_required_for(user: User) -> bool:
    """Whether this user must pass TOTP: per role, from settings (production: every role)."""
    required = set(settings.XIEZUOQU["TOTP_REQUIRED_ROLES"])
    if not required:
        return False
    from xiezuoqu.access.actor import actor_for

    roles = actor_for(user).roles
    if "all" in required:
        return bool(roles)
    return bool(roles & required)


def is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > timezone.now()


def record_login_failure(*, username: str, user: User | None, request: HttpRequest | None, reason: str) -> None:
    """Count a failed attempt; lock the account after the threshold (等保: 登录失败处理)."""
    conf = settings.XIEZUOQU
    with transaction.atomic():
        detail: dict[str, object] = {"username": username[:150], "reason": reason}
        # Attempts against a locked account are recorded but do not extend the lock: otherwise
        # anyone could keep a colleague locked out for ever.
        if user is not None and reason != "locked":
            locked = User.objects.select_for_update().get(pk=user.pk)
            locked.failed_logins += 1
            if locked.failed_logins >= conf["LOCKOUT_THRESHOLD"]:
                locked.locked_until = timezone.now() + timedelta(minutes=conf["LOCKOUT_MINUTES"])
                locked.failed_logins = 0
                detail["locked_until"] = locked.locked_until.isoformat()
            locked.save(update_fields=["failed_logins", "locked_until"])
        record_event(
            actor=None,
            action="account.login_failed",
            target=user,
            target_type="accounts.user",
            target_id=str(user.pk) if user else "",
            target_label=username[:200],
            outcome=AuditEvent.Outcome.REFUSED,
            detail=detail,
            request=request,
            commission_id=user.commission_id if user else None,
        )


def record_login_success(*, user: User, request: HttpRequest | None, second_factor: bool) -> None:
    from xiezuoqu.access.actor import build_actor

    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None, last_login=timezone.now())
        record_event(
            actor=build_actor(user),
            action="account.logged_in",
            target=user,
            detail={"totp": second_factor},
            request=request,
        )


def verify_totp(*, user: User, code: str) -> bool:
    """Check a 6-digit code against the user's secret, refusing reuse of an accepted time step."""
    code = "".join(ch for ch in code if ch.isdigit())
    if not user.totp_secret or len(code) != 6:
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now = timezone.now().timestamp()
    for drift in (0, -1, 1):  # one step of clock drift either way
        counter = int(now // totp.interval) + drift
        if counter <= user.totp_last_counter:
            continue
        if secrets.compare_digest(totp.generate_otp(counter), code):
            with transaction.atomic():
                updated = User.objects.filter(pk=user.pk, totp_last_counter__lt=counter).update(
                    totp_last_counter=counter
                )
            return bool(updated)
    return False


def begin_totp_enrolment(*, user: User) -> str:
    """A fresh secret, stored unconfirmed; returns the otpauth:// URI for the QR code."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.totp_confirmed:
            raise RuleViolation("两步验证已启用；如需更换设备，请联系安全保密管理员重置。")
        locked.totp_secret = pyotp.random_base32()
        locked.save(update_fields=["totp_secret"])
    user.totp_secret = locked.totp_secret
    return pyotp.TOTP(locked.totp_secret).provisioning_uri(name=user.get_username(), issuer_name=TOTP_ISSUER)


def confirm_totp_enrolment(*, user: User, code: str, request: HttpRequest | None = None) -> None:
    from xiezuoqu.access.actor import build_actor

    if not verify_totp(user=user, code=code):
        raise ValidationFailed(
            "验证码不正确或已使用，请输入认证器上当前显示的 6 位数字。", field_errors={"code": ["验证码不正确"]}
        )
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(totp_confirmed=True)
        user.totp_confirmed = True
        record_event(actor=build_actor(user), action="account.totp_enabled", target=user, request=request)


def reset_totp(*, actor: Actor, user_id: int, request: HttpRequest | None = None) -> User:
    """Security administrator: clear a lost device; the user enrols again at next login."""
    _require(actor, Role.SECURITY_ADMIN, "只有安全保密管理员可以重置两步验证。")
    with transaction.atomic():
        user = _user_in_commission(actor, user_id, lock=True)
        user.totp_secret, user.totp_confirmed, user.totp_last_counter = "", False, 0
        user.save(update_fields=["totp_secret", "totp_confirmed", "totp_last_counter"])
        end_sessions(user.pk)  # whoever holds the lost device's session is out too
        record_event(actor=actor, action="account.totp_reset", target=user, request=request)
    return user


def unlock_user(*, actor: Actor, user_id: int, request: HttpRequest | None = None) -> User:
    _require(actor, Role.SECURITY_ADMIN, "只有安全保密管理员可以解除账号锁定。")
    with transaction.atomic():
        user = _user_in_commission(actor, user_id, lock=True)
        before = user.locked_until
        user.locked_until, user.failed_logins = None, 0
        user.save(update_fields=["locked_until", "failed_logins"])
        record_event(
            actor=actor,
            action="account.unlocked",
            target=user,
            changes={"locked_until": [before, None]},
            request=request,
        )
    return user


# --- accounts and roles ------------------------------------------------------------------------


def create_user(
    *,
    actor: Actor,
    username: str,
    password: str,
    display_name: str = "",
    staff_id: int | None = None,
    request: HttpRequest | None = None,
) -> User:
    """System administrator creates an account; the security administrator grants its roles."""
    _require(actor, Role.SYSTEM_ADMIN, "只有系统管理员可以创建账号。")
    username = username.strip()
    errors: dict[str, list[str]] = {}
    if not username:
        errors["username"] = ["请填写用户名。"]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = ["该用户名已被使用。"]
    try:
        validate_password(password)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if staff_id is not None:
        from xiezuoqu.org.selectors import STAFF

        staff = STAFF.get_for(actor, staff_id)
        if User.objects.filter(staff_id=staff.pk).exists():
            errors["staff"] = ["该干部已有账号。"]
    if errors:
        raise ValidationFailed("账号信息有误，请按提示修改。", field_errors=errors)
    with transaction.atomic():
        user = User.objects.create_user(
            username=username,
            password=password,
            commission_id=actor.commission_id,
            staff_id=staff_id,
            display_name=display_name.strip(),
        )
        record_event(
            actor=actor,
            action="account.created",
            target=user,
            changes={"username": [None, username], "staff_id": [None, staff_id]},
            request=request,
        )
    return user


def grant_role(
    *, actor: Actor, user_id: int, role: str, unit_id: int | None, request: HttpRequest | None = None
) -> RoleAssignment:
    """Security administrator grants a role, enforcing 三员分立 and the unit a role needs."""
    _require(actor, Role.SECURITY_ADMIN, "只有安全保密管理员可以授予角色。")
    if role not in Role.values:
        raise ValidationFailed("未知角色。", field_errors={"role": ["请选择列表中的角色。"]})
    with transaction.atomic():
        user = _user_in_commission(actor, user_id, lock=True)
        if user.pk == actor.user_id:
            raise RuleViolation("不能给本人授予角色（三员分立）。")
        held = set(user.role_assignments.values_list("role", flat=True))
        if role in ADMIN_ROLES and held - {role}:
            raise RuleViolation("三员分立：管理员账号不能兼任其他角色。请为管理员使用单独账号。")
        if held & ADMIN_ROLES and role not in held:
            raise RuleViolation("三员分立：该账号已是管理员，不能再授予其他角色。")
        unit = None
        if unit_id is not None:
            unit = Unit.objects.filter(pk=unit_id, commission_id=actor.commission_id).first()
            if unit is None:
                raise ValidationFailed("所选单位不存在。", field_errors={"unit": ["请选择本纪委监委的单位。"]})
        elif role not in ADMIN_ROLES and role not in DERIVED_ROLES:
            raise ValidationFailed("该角色需要指定所在单位。", field_errors={"unit": ["请选择单位。"]})
        if role == Role.VILLAGE_SUPERVISOR and user.village_supervisor_id is None:
            raise RuleViolation("只有关联了村级监督员档案的账号才能授予村级监督员角色。")
        if (role in STAFF_ROLES or role in DERIVED_ROLES) and user.staff_id is None:
            raise RuleViolation("业务角色只能授予关联了干部档案的账号。")
        assignment, created = RoleAssignment.objects.get_or_create(
            user=user, role=role, unit=unit, defaults={"granted_by_id": actor.user_id}
        )
        if not created:
            raise RuleViolation("该账号已拥有此角色。")
        record_event(
            actor=actor,
            action="account.role_granted",
            target=user,
            changes={"role": [None, role], "unit_id": [None, unit_id]},
            request=request,
        )
    return assignment


def revoke_role(*, actor: Actor, assignment_id: int, request: HttpRequest | None = None) -> None:
    _require(actor, Role.SECURITY_ADMIN, "只有安全保密管理员可以撤销角色。")
    with transaction.atomic():
        assignment = (
            RoleAssignment.objects.select_for_update()
            .filter(pk=assignment_id, user__commission_id__in=actor.commission_ids)
            .select_related("user")
            .first()
        )
        if assignment is None:
            raise NotFound()
        if assignment.user_id == actor.user_id:
            raise RuleViolation("不能撤销本人的角色。")
        record_event(
            actor=actor,
            action="account.role_revoked",
            target=assignment.user,
            changes={"role": [assignment.role, None], "unit_id": [assignment.unit_id, None]},
            request=request,
        )
        assignment.delete()
        end_sessions(assignment.user_id)  # a withdrawn role must not linger in an open session


def set_user_active(*, actor: Actor, user_id: int, active: bool, request: HttpRequest | None = None) -> User:
    _require(actor, Role.SYSTEM_ADMIN, "只有系统管理员可以停用或启用账号。")
    with transaction.atomic():
        user = _user_in_commission(actor, user_id, lock=True)
        if user.pk == actor.user_id:
            raise RuleViolation("不能停用本人账号。")
        before = user.is_active
        user.is_active = active
        user.save(update_fields=["is_active"])
        if not active:
            ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
            end_sessions(user.pk)
        record_event(
            actor=actor,
            action="account.activated" if active else "account.deactivated",
            target=user,
            changes={"is_active": [before, active]},
            request=request,
        )
    return user


def change_password(
    *, actor: Actor, user: User, old_password: str, new_password: str, request: HttpRequest | None = None
) -> None:
    if not user.check_password(old_password):
        raise ValidationFailed("原密码不正确。", field_errors={"old_password": ["原密码不正确。"]})
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationFailed("新密码不符合要求。", field_errors={"new_password": list(exc.messages)}) from None
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        record_event(actor=actor, action="account.password_changed", target=user, request=request)


# --- API tokens ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    raw: str  # shown once, never stored


def issue_api_token(
    *, actor: Actor, user: User, name: str, days: int | None = None, request: HttpRequest | None = None
) -> IssuedToken:
    """An integration token for the actor's own account (its scope is the account's scope)."""
    if actor.user_id != user.pk:
        raise NotPermitted("只能为本人账号申请接口令牌。")
    if not actor.roles:
        raise NotPermitted("没有任何角色的账号不能申请接口令牌。")
    name = name.strip()
    if not name:
        raise ValidationFailed("请填写令牌用途。", field_errors={"name": ["请填写用途，例如“12388 平台对接”。"]})
    days = days or settings.XIEZUOQU["API_TOKEN_DAYS"]
    if not 1 <= days <= 730:
        raise ValidationFailed("有效期应在 1 至 730 天之间。", field_errors={"days": ["1 至 730 天"]})
    raw = "xzq_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name[:60],
            prefix=raw[:10],
            digest=ApiToken.digest_of(raw),
            expires_at=timezone.now() + timedelta(days=days),
        )
        record_event(
            actor=actor,
            action="api_token.issued",
            target=token,
            target_label=f"{name}（{token.prefix}…）",
            commission_id=user.commission_id,
            request=request,
        )
    return IssuedToken(token=token, raw=raw)


def revoke_api_token(*, actor: Actor, token_id: int, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        rule = {"pk": token_id}
        token = ApiToken.objects.select_for_update().filter(**rule).select_related("user").first()
        allowed = token is not None and (
            token.user_id == actor.user_id
            or (actor.has(Role.SECURITY_ADMIN) and token.user.commission_id in actor.commission_ids)
        )
        if token is None or not allowed:
            raise NotFound(audit_action="api_token.revoke", target_type="accounts.apitoken", target_id=str(token_id))
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record_event(
                actor=actor,
                action="api_token.revoked",
                target=token,
                commission_id=token.user.commission_id,
                request=request,
            )


# --- helpers -----------------------------------------------------------------------------------


def _require(actor: Actor, role: str, message: str) -> None:
    if role not in actor.roles:
        raise NotPermitted(message, audit_action="account.admin_action")


def _user_in_commission(actor: Actor, user_id: int, *, lock: bool = False) -> User:
    qs = User.objects.filter(pk=user_id, commission_id__in=actor.commission_ids)
    if lock:
        qs = qs.select_for_update()
    user = qs.first()
    if user is None:
        raise NotFound(audit_action="user.viewed", target_type="accounts.user", target_id=str(user_id))
    return user
