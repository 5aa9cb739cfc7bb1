"""The audit chain: an append-only, hash-chained log of every change and every sensitive read.

Each row's ``mac`` is HMAC(key, prev_mac ‖ the row's fields); the key lives outside the database, so
whoever can write the database still cannot forge a consistent chain. ``seq`` numbers rows without
gaps under the chain-head lock, so a deleted row shows as a gap and an inserted one as a mismatch.
"""

from __future__ import annotations

from django.db import models

from .chain import GENESIS, CanonicalJSONEncoder


class AuditEvent(models.Model):
    class Outcome(models.TextChoices):
        ALLOWED = "allowed", "允许"
        REFUSED = "refused", "拒绝"

    seq = models.BigIntegerField("序号", unique=True)
    occurred_at = models.DateTimeField("时间", db_index=True)
    # Plain integers, not foreign keys: the log outlives what it records and is never cascaded.
    commission_id = models.BigIntegerField("纪委监委", null=True, blank=True)
    actor_id = models.BigIntegerField("操作人ID", null=True, blank=True)
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    role = models.CharField("角色", max_length=30, blank=True)
    action = models.CharField("动作", max_length=80)
    target_type = models.CharField("对象类型", max_length=80, blank=True)
    target_id = models.CharField("对象ID", max_length=64, blank=True)
    target_label = models.CharField("对象", max_length=200, blank=True)
    outcome = models.CharField("结果", max_length=10, choices=Outcome.choices, default=Outcome.ALLOWED)
    # Stored in the canonical form the MAC covers (see chain.CanonicalJSONEncoder).
    changes = models.JSONField("变更（原值→新值）", default=dict, blank=True, encoder=CanonicalJSONEncoder)
    detail = models.JSONField("说明", default=dict, blank=True, encoder=CanonicalJSONEncoder)
    client_address = models.CharField("客户端地址", max_length=64, blank=True)
    algorithm = models.CharField(max_length=16, default="hmac-sha256")
    prev_mac = models.CharField(max_length=64)
    mac = models.CharField(max_length=64)

    class Meta:
        verbose_name = verbose_name_plural = "审计记录"
        ordering = ["-seq"]
        # Every list reads newest first within a filter: each index ends in seq (keyset pagination).
        indexes = [
            models.Index(fields=["commission_id", "-seq"], name="audit_commission_seq"),
            models.Index(fields=["actor_id", "-seq"], name="audit_actor_seq"),
            models.Index(fields=["actor_name", "-seq"], name="audit_actor_name_seq"),
            models.Index(fields=["target_type", "target_id", "-seq"], name="audit_target_seq"),
            models.Index(fields=["action", "-seq"], name="audit_action_seq"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    @property
    def role_label(self) -> str:
        from xiezuoqu.accounts.roles import Role

        return str(Role(self.role).label) if self.role in Role.values else self.role


class AuditChainHead(models.Model):
    """One row: the chain's last position. Locked by every append, so appends are serialised."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    mac = models.CharField(max_length=64, default=GENESIS)

    class Meta:
        verbose_name = verbose_name_plural = "审计链头"

    def __str__(self) -> str:
        return f"链头 seq={self.seq}"
