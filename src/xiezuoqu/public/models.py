"""The public reporting site's own data: rate-limit windows and the reporter's attachments.

The report itself, its messages and the receipt live in intake; this app adds what only the public
side needs. Neither model stores a client address or a receipt code: a window is keyed by a keyed
digest of (scope, address), an attachment by the digests of its content.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from xiezuoqu.intake.models import Report, ReportMessage


class RateLimitWindow(models.Model):
    """One fixed window of one limit for one key: incremented with ``count = count + 1`` in SQL."""

    scope = models.CharField("限制项", max_length=40)
    # HMAC-SHA256 of "scope|key" under a key outside the database: the address is not recoverable.
    key_digest = models.CharField("键摘要", max_length=64)
    window_start = models.DateTimeField("窗口起点")
    count = models.PositiveIntegerField("次数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "访问频率窗口"
        constraints = [
            models.UniqueConstraint(fields=["scope", "key_digest", "window_start"], name="ratelimit_window_unique")
        ]
        indexes = [models.Index(fields=["window_start"], name="ratelimit_window_start")]

    def __str__(self) -> str:
        return f"{self.scope} {self.window_start:%Y-%m-%d %H:%M} × {self.count}"


class Attachment(models.Model):
    """A file a public reporter uploaded: sniffed, hashed (SHA-256 and SM3), stored encrypted (SM4-GCM)."""

    class Source(models.TextChoices):
        PUBLIC = "public", "网络举报平台"

    report = models.ForeignKey(
        Report, verbose_name="检举控告件", on_delete=models.PROTECT, related_name="public_attachments"
    )
    # The 补充材料 message the file came with; empty for files sent with the report itself.
    message = models.ForeignKey(
        ReportMessage, verbose_name="随附往来", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    sm3 = models.CharField("SM3", max_length=64)
    size = models.PositiveBigIntegerField("大小（字节）")
    content_type = models.CharField("文件类型", max_length=100)
    original_name = models.CharField("文件名", max_length=120)
    # Where the encrypted blob lives in the default storage (named by a keyed digest of the content).
    storage_name = models.CharField("存储位置", max_length=200)
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)
    source = models.CharField("来源", max_length=12, choices=Source.choices, default=Source.PUBLIC)

    class Meta:
        verbose_name = verbose_name_plural = "举报附件"
        ordering = ["report_id", "id"]
        constraints = [models.UniqueConstraint(fields=["report", "sha256"], name="attachment_once_per_report")]

    def __str__(self) -> str:
        # Shown in the audit log: never the file name, which may carry the reporter's name.
        return f"附件 {self.sha256[:12]}（{self.report}）"
