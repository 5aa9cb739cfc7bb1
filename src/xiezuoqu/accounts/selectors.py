"""Scoped reads of accounts: a user sees their own; the system and security administrators see the
accounts of their commission (they manage them) — never case content."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from xiezuoqu.access.actor import Actor
from xiezuoqu.access.registry import Policy, register

from .models import ApiToken, RoleAssignment, User
from .roles import Role

ACCOUNT_ADMINS = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN})


def users_visible_to(actor: Actor) -> QuerySet[User]:
    rule = Q(pk=actor.user_id) if actor.user_id is not None else Q(pk__in=[])
    if actor.roles & ACCOUNT_ADMINS:
        rule |= Q(commission_id__in=actor.commission_ids)
    return User.objects.filter(rule)


def can_view_user(actor: Actor, user: User) -> bool:
    if actor.user_id is not None and user.pk == actor.user_id:
        return True
    return bool(actor.roles & ACCOUNT_ADMINS) and user.commission_id in actor.commission_ids


def tokens_visible_to(actor: Actor) -> QuerySet[ApiToken]:
    rule = Q(user_id=actor.user_id) if actor.user_id is not None else Q(pk__in=[])
    if actor.has(Role.SECURITY_ADMIN):
        rule |= Q(user__commission_id__in=actor.commission_ids)
    return ApiToken.objects.filter(rule)


def can_view_token(actor: Actor, token: ApiToken) -> bool:
    if actor.user_id is not None and token.user_id == actor.user_id:
        return True
    return actor.has(Role.SECURITY_ADMIN) and token.user.commission_id in actor.commission_ids


USERS = register(Policy(User, "账号", users_visible_to, can_view_user))
TOKENS = register(Policy(ApiToken, "接口令牌", tokens_visible_to, can_view_token))


def user_directory(actor: Actor, *, query: str = "", role: str = "") -> QuerySet[User]:
    qs = users_visible_to(actor).select_related(
        "staff", "staff__home_unit", "village_supervisor", "village_supervisor__village"
    )
    if query:
        qs = qs.filter(
            Q(username__icontains=query) | Q(display_name__icontains=query) | Q(staff__name__icontains=query)
        )
    if role:
        qs = qs.filter(role_assignments__role=role)
    return qs.order_by("username").distinct()


def assignments_of(user: User) -> QuerySet[RoleAssignment]:
    return user.role_assignments.select_related("unit").order_by("role")


def login_candidate(username: str) -> User | None:
    """Before authentication there is no actor: the login form may look an account up by name only."""
    return User.objects.filter(username__iexact=username).first()


def pending_login_user(user_id: int) -> User | None:
    """The account whose password was right and whose TOTP code is awaited."""
    return User.objects.filter(pk=user_id, is_active=True).first()
