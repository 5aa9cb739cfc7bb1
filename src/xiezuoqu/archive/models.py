"""Archive packages (归档包): the record of every package built, so that a package handed over can be
checked against what the system produced (its SHA-256 and SM3, size, builder and time).

The package itself is kept sealed (SM4-GCM, ``xiezuoqu.public.files.encrypt_bytes``) in storage under
its SHA-256: it may hold evidence files, and a download must return exactly the bytes recorded here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xiezuoqu.clues.models import Clue
from xiezuoqu.org.models import Commission


class MatterKind(models.TextChoices):
    CASE = "case", "案件"
    CLUE = "clue", "问题线索（予以了结）"


class ArchivePackage(models.Model):
    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    matter_kind = models.CharField("归档对象类别", max_length=8, choices=MatterKind.choices)
    clue = models.ForeignKey(Clue, verbose_name="问题线索", on_delete=models.PROTECT, related_name="archive_packages")
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="案件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="archive_packages",
    )
    matter_number = models.CharField("编号", max_length=60, help_text="立案编号或线索编号")
    filename = models.CharField("文件名", max_length=200)
    sha256 = models.CharField("SHA-256", max_length=64)
    sm3 = models.CharField("SM3", max_length=64)
    size = models.PositiveBigIntegerField("大小（字节）")
    file_count = models.PositiveIntegerField("文件数")
    audit_rows = models.PositiveIntegerField("审计记录数")
    include_evidence = models.BooleanField("含证据文件", default=False)
    storage_name = models.CharField("存储位置", max_length=200)
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="生成人", on_delete=models.PROTECT, related_name="+"
    )
    built_at = models.DateTimeField("生成时间")

    class Meta:
        verbose_name = verbose_name_plural = "归档包"
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(matter_kind="case", case__isnull=False)
                | models.Q(matter_kind="clue", case__isnull=True),
                name="archive_package_matter_complete",
            ),
        ]
        indexes = [
            models.Index(fields=["clue", "-id"], name="archive_package_clue"),
            models.Index(fields=["sha256"], name="archive_package_sha256"),
        ]

    def __str__(self) -> str:
        return f"{self.matter_number} 归档包 {self.built_at:%Y-%m-%d %H:%M}"
