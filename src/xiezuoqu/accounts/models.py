"""Accounts: who may log in, with which roles, and the credentials they use."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q
from django.utils.crypto import salted_hmac

from xiezuoqu.org.models import Commission, StaffMember, Unit, VillageSupervisor

from .roles import Role


class User(AbstractUser):
    """A login. Staff link to their ``StaffMember``; village supervisors to their record."""

    commission = models.ForeignKey(
        Commission, verbose_name="纪委监委", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    staff = models.OneToOneField(
        StaffMember, verbose_name="干部", null=True, blank=True, on_delete=models.PROTECT, related_name="user"
    )
    village_supervisor = models.OneToOneField(
        VillageSupervisor,
        verbose_name="村级监督员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="user",
    )
    display_name = models.CharField("显示名", max_length=40, blank=True)
    # TOTP (RFC 6238). The secret is only usable once confirmed by a first valid code.
    totp_secret = models.CharField(max_length=64, blank=True)
    totp_confirmed = models.BooleanField("已启用两步验证", default=False)
    totp_last_counter = models.BigIntegerField(default=0, help_text="last accepted time step; no reuse")
    # Bumped when every open session of the account must end (TOTP reset, deactivation, role change).
    session_epoch = models.PositiveIntegerField(default=0)
    failed_logins = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "账号"
        constraints = [
            models.CheckConstraint(
                condition=Q(staff__isnull=True) | Q(village_supervisor__isnull=True),
                name="user_is_staff_or_supervisor_not_both",
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django ends sessions whose stored hash no longer matches: binding the epoch in lets a
        # security action (TOTP reset, role revoked, account stopped) log the account out everywhere.
        return salted_hmac(
            "xiezuoqu.accounts.User.session", f"{self.password}|{self.session_epoch}", secret=secret, algorithm="sha256"
        ).hexdigest()


def end_sessions(user_id: int) -> None:
    """Invalidate every session of an account (they fail the session hash check on their next request)."""
    User.objects.filter(pk=user_id).update(session_epoch=F("session_epoch") + 1)


class RoleAssignment(models.Model):
    """A role held by a user, anchored at a unit where the role is unit-bound."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField("角色", max_length=30, choices=Role.choices)
    unit = models.ForeignKey(
        Unit, verbose_name="所在单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField("授予时间", auto_now_add=True)
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "角色授予"
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "unit"], name="role_assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user}：{self.get_role_display()}"


class ApiToken(models.Model):
    """A bearer token for an integration. Only a SHA-256 digest is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=60)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField("有效期至")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "接口令牌"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    @staticmethod
    def digest_of(raw: str) -> str:
        # Tokens carry 256 bits of randomness, so a fast hash is enough (no dictionary to attack).
        return hashlib.sha256(raw.encode()).hexdigest()
