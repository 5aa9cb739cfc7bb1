"""Cases (案件): a filed matter, opened by the competent body's 立案 decision on a filing proposal.

Numbered from a per-commission, per-year counter under a row lock ("凤纪立〔2026〕5号"); the unique
constraint on (commission, year, seq) is the backstop. The next issue continues the life cycle
(investigation, trial, decision).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xiezuoqu.clues.models import Clue, Subject
from xiezuoqu.org.models import Commission, Unit, Zone

from .workflow import State


class BodyKind(models.TextChoices):
    """The competent body (有权机关) that files, by cadre-management authority."""

    PARTY_COMMITTEE = "party_committee", "乡镇（街道）党（工）委"
    DISPATCHED_GROUP = "dispatched_group", "派驻纪检监察组"
    COMMISSION = "commission", "市纪委监委"


class Case(models.Model):
    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    zone = models.ForeignKey(
        Zone, verbose_name="协作区", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    clue = models.ForeignKey(Clue, verbose_name="问题线索", on_delete=models.PROTECT, related_name="cases")
    subject = models.ForeignKey(Subject, verbose_name="被审查调查人", on_delete=models.PROTECT, related_name="cases")
    filing = models.OneToOneField(
        "filing.FilingProposal",
        verbose_name="立案审查呈批",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case",
    )
    case_year = models.PositiveSmallIntegerField("立案年度")
    case_seq = models.PositiveIntegerField("立案序号")
    case_number = models.CharField("立案编号", max_length=60)
    filed_on = models.DateField("立案日期")
    competent_body_kind = models.CharField("立案机关类别", max_length=20, choices=BodyKind.choices)
    competent_body = models.ForeignKey(
        Unit, verbose_name="立案机关", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    competent_body_name = models.CharField("立案机关名称", max_length=100)
    filing_reference = models.CharField("立案依据", max_length=200, help_text="协作区决议编号及有权机关决定")
    state = models.CharField("状态", max_length=16, choices=State.choices)
    state_changed_at = models.DateTimeField("状态变更时间")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "案件"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["commission", "case_year", "case_seq"], name="case_number_unique"),
        ]
        indexes = [
            models.Index(fields=["commission", "id"], name="case_commission_id"),
            models.Index(fields=["clue"], name="case_clue"),
        ]

    def __str__(self) -> str:
        return self.case_number

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("cases:detail", args=[self.pk])


class CaseCounter(models.Model):
    """The last case sequence a commission used in a year; incremented under a row lock."""

    commission = models.ForeignKey(Commission, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    last = models.PositiveIntegerField("已用序号", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "立案编号计数"
        constraints = [models.UniqueConstraint(fields=["commission", "year"], name="case_counter_unique")]

    def __str__(self) -> str:
        return f"{self.commission} {self.year}：{self.last}"
