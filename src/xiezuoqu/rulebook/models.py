"""The rule book in the database: the national rows (synced from ``national.py``, the single source)
and each commission's stricter local values, kept as history.

A ``LocalRule`` row is one change: the value a commission set for a rule from a date. A later change is
a new row; the earlier one is only closed (its ``effective_to`` set to the day before the new one), so
the value that applied to a matter on a past date is never rewritten. A row whose span is empty
(closed before it started) was replaced before it took effect. ``value`` null: the national value again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from .national import DIRECTION_LABELS, UNIT_LABELS, Direction


class Rule(models.Model):
    """One national rule for one span of dates (a row of ``national.NATIONAL_RULES``)."""

    key = models.CharField("规则代码", max_length=80)
    name = models.CharField("规则名称", max_length=200)
    source = models.CharField("法规名称", max_length=200)
    article = models.CharField("条款", max_length=200)
    effective_from = models.DateField("施行日期")
    effective_to = models.DateField("失效日期", null=True, blank=True)
    value = models.JSONField("规定值")
    unit = models.CharField("单位", max_length=20)
    enforced_by = models.CharField("执行函数", max_length=200)
    direction = models.CharField(
        "本地从严", max_length=10, choices=[(d.value, label) for d, label in DIRECTION_LABELS.items()]
    )
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "全国规则"
        ordering = ["key", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["key", "effective_from"], name="rule_one_row_per_key_and_start"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="rule_span_not_reversed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.source}{self.article}，{self.effective_from:%Y-%m-%d}起）"

    @property
    def unit_label(self) -> str:
        return UNIT_LABELS.get(self.unit, self.unit)

    @property
    def overridable(self) -> bool:
        return self.direction != Direction.FIXED


class LocalRule(models.Model):
    """A commission's stricter value of a national rule from a date (one row per change)."""

    commission = models.ForeignKey(
        "org.Commission", verbose_name="纪委监委", on_delete=models.PROTECT, related_name="local_rules"
    )
    key = models.CharField("规则代码", max_length=80)
    value = models.JSONField("本地值", null=True, blank=True, help_text="为空表示恢复执行全国规定")
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("截止日期", null=True, blank=True)
    reason = models.CharField("依据或理由", max_length=500)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="设置人", on_delete=models.PROTECT, related_name="+"
    )
    set_at = models.DateTimeField("设置时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "本地规则"
        ordering = ["commission", "key", "effective_from", "id"]
        indexes = [models.Index(fields=["commission", "key"], name="localrule_commission_key")]

    def __str__(self) -> str:
        return f"{self.key} 本地值 {self.value}（{self.effective_from:%Y-%m-%d}起）"

    @property
    def never_in_force(self) -> bool:
        return self.effective_to is not None and self.effective_to < self.effective_from


class RulebookRevision(models.Model):
    """One row whose token changes with every change of the rule book, so each process knows when to
    re-read its cached rules (as ``workdays.CalendarRevision`` does for the calendar)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    # A fresh random token per change: a rolled-back change can never be mistaken for a later one.
    token = models.CharField(max_length=32, blank=True)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "规则库版本"

    def __str__(self) -> str:
        return f"规则库版本 {self.token}"
