"""月度台账报送 (the 兴平-style monthly ledger pull): a township's ledger rows of a month, sent to its zone.

A unit (乡镇（街道）纪委) submits its month once: a snapshot of its clues and cases in hand that month, each
with its state and the colour of its most urgent open deadline (red 超期 / yellow 临期预警 / blue 正常, the
rule of ``deadlines.urgency``) as it stood on the day of submission. The zone's leader sees which of its
townships have submitted the month and opens each; the snapshot does not change afterwards.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from xiezuoqu.org.models import Commission, Unit, Zone


class MonthlyLedger(models.Model):
    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name="报送单位", on_delete=models.PROTECT, related_name="+")
    zone = models.ForeignKey(
        Zone, verbose_name="协作区", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField("月份", help_text="该月第一天")
    as_of = models.DateField("截至日期")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报送人", on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("报送时间")
    red = models.PositiveIntegerField("超期", default=0)
    yellow = models.PositiveIntegerField("临期预警", default=0)
    blue = models.PositiveIntegerField("正常", default=0)
    unmarked = models.PositiveIntegerField("无在办时限", default=0)
    note = models.CharField("报送说明", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "月度台账报送"
        ordering = ["-month", "unit__sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], name="monthly_ledger_one_per_unit_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="monthly_ledger_month_first_day"),
        ]
        indexes = [models.Index(fields=["zone", "month"], name="monthly_ledger_zone_month")]

    def __str__(self) -> str:
        return f"{self.unit.name}{self.month:%Y年%m月}台账"

    @property
    def row_count(self) -> int:
        return self.red + self.yellow + self.blue + self.unmarked


class MonthlyLedgerRow(models.Model):
    class Kind(models.TextChoices):
        CLUE = "clue", "问题线索"
        CASE = "case", "案件"

    class Mark(models.TextChoices):
        RED = "red", "超期"
        YELLOW = "yellow", "临期预警"
        BLUE = "blue", "正常"
        NONE = "", "无在办时限"

    ledger = models.ForeignKey(MonthlyLedger, verbose_name="月度台账", on_delete=models.CASCADE, related_name="rows")
    position = models.PositiveIntegerField("序号")
    kind = models.CharField("类别", max_length=8, choices=Kind.choices)
    target_id = models.PositiveBigIntegerField("事项ID")
    number = models.CharField("编号", max_length=80)
    summary = models.CharField("事项", max_length=200)
    subject_names = models.CharField("被反映人（被审查调查人）", max_length=200, blank=True)
    state = models.CharField("办理状态", max_length=60)
    registered_on = models.DateField("登记（立案）日期")
    deadline_label = models.CharField("最紧迫的在办时限", max_length=200, blank=True)
    due_on = models.DateField("到期日", null=True, blank=True)
    mark = models.CharField("预警", max_length=8, choices=Mark.choices, blank=True)
    mark_text = models.CharField("预警说明", max_length=60, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "月度台账行"
        ordering = ["ledger", "position"]
        constraints = [models.UniqueConstraint(fields=["ledger", "position"], name="monthly_ledger_row_position")]

    def __str__(self) -> str:
        return f"{self.number} {self.summary}"
