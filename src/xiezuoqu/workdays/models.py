"""The official calendar entered by administrators, on top of the ``chinesecalendar`` package.

The package carries the State Council's holiday schedules (国务院办公厅关于某年部分节假日安排的通知)
up to the last year it was released for. What it lacks — the next year's schedule, published at the
end of the year before, and any later amendment — is entered here:

- ``CalendarYear`` marks a year as fully entered: from then on that year's rest days and make-up
  working days are exactly its ``CalendarDay`` rows plus ordinary weekends (the package is ignored
  for that year, so a changed schedule really replaces the old one);
- a ``CalendarDay`` without a ``CalendarYear`` overrides one day of the package (an amendment) or
  pre-enters one day of a year that is still missing (the year stays "missing" until entered whole).

The calendar is the same for every commission: it is national data, not case data.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class CalendarYear(models.Model):
    """A year whose holiday schedule an administrator entered in full from the published notice."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    source = models.CharField("依据", max_length=200, help_text="如“国务院办公厅关于2027年部分节假日安排的通知”")
    published_on = models.DateField("发布日期")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="为空表示由命令行导入（系统操作）",
    )
    entered_at = models.DateTimeField("录入时间")
    note = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "节假日安排（年度）"
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(condition=Q(year__gte=1900) & Q(year__lte=2999), name="calendar_year_in_range"),
        ]

    def __str__(self) -> str:
        return f"{self.year} 年节假日安排"


class CalendarDay(models.Model):
    """One day entered by an administrator: a rest day (holiday) or a make-up working day (调休上班)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "法定节假日/休息日"
        WORKDAY = "workday", "调休上班日"

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    name = models.CharField("名称", max_length=40, blank=True, help_text="如“春节”“国庆节调休”")
    note = models.CharField("备注", max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entered_at = models.DateTimeField("录入时间")

    class Meta:
        verbose_name = verbose_name_plural = "节假日安排（单日）"
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["holiday", "workday"]), name="calendar_day_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()} {self.name}".strip()


class CalendarRevision(models.Model):
    """One row: a counter that every calendar write increments, in the same transaction.

    Each process keeps the entered days in memory and re-reads them only when this counter has moved,
    so a change made by one web or worker process reaches every other at its next calculation (one
    primary-key lookup), and no process computes a deadline on a stale calendar.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    revision = models.BigIntegerField(default=0)
    # A fresh random token per change: a rolled-back change can never be mistaken for a later one.
    token = models.CharField(max_length=32, blank=True)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "工作日历版本"

    def __str__(self) -> str:
        return f"工作日历版本 {self.revision}"
