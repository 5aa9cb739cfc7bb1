"""Deadlines (时限), their extensions (延期) and the supervision slips (督办单) overdue ones produce.

One mechanism for every timer of the product (DESIGN §4 "Every deadline produces warnings"): a
``Deadline`` points at any object (a report, a clue, a case ...) through a generic key, carries its
period as entered (N working days or N months, counted by ``xiezuoqu.workdays`` under 民法典 第200–204条)
and its due date, and is closed when the duty is met. At national scale this table holds millions of
rows (DESIGN §5b): the work queue and the overdue list read it through partial indexes on the open
rows, ordered by (due date, id) so that pages use keyset pagination, never ``COUNT(*)``.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from xiezuoqu.approvals.models import ApprovalRequest
from xiezuoqu.org.models import Commission, StaffMember, Unit, Zone


class PeriodUnit(models.TextChoices):
    WORKING_DAYS = "working_days", "个工作日"
    MONTHS = "months", "个月"
    # A date a decision fixed (暂存待查的复查日期): counted in calendar days, ending on a working day.
    DAYS = "days", "日"


class DeadlineState(models.TextChoices):
    OPEN = "open", "办理中"
    MET = "met", "按期办结"
    MET_LATE = "met_late", "超期办结"
    CANCELLED = "cancelled", "已撤销"


class Deadline(models.Model):
    """A duty that must be done by a date: who must do it, for what, counted how."""

    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    target_type = models.ForeignKey(
        ContentType, verbose_name="事项对象类型", on_delete=models.PROTECT, related_name="+"
    )
    target_id = models.PositiveBigIntegerField("事项对象ID")
    target = GenericForeignKey("target_type", "target_id")
    target_label = models.CharField("事项对象", max_length=200)
    kind = models.CharField("时限类别", max_length=60)
    label = models.CharField("时限事项", max_length=200)
    start_date = models.DateField("起算日")
    period_value = models.PositiveSmallIntegerField("期限")
    period_unit = models.CharField("期限单位", max_length=12, choices=PeriodUnit.choices)
    original_due_date = models.DateField("原定到期日")
    due_date = models.DateField("到期日")
    state = models.CharField("状态", max_length=10, choices=DeadlineState.choices, default=DeadlineState.OPEN)
    met_on = models.DateField("办结日", null=True, blank=True)
    responsible_unit = models.ForeignKey(
        Unit, verbose_name="责任单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    zone = models.ForeignKey(
        Zone, verbose_name="协作区", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Provisional (日历待确认): the count touched a year whose holiday schedule nobody has entered, so the
    # due date assumed weekends only. It is recomputed, and the mark cleared, when that year is entered
    # (``services.recompute_provisional_deadlines``); until then every page, API answer and export says
    # the date is provisional. ``warning_text`` is the calendar's explanation.
    due_provisional = models.BooleanField("到期日待定（日历待确认）", default=False)
    warning_text = models.CharField("日历预警说明", max_length=300, blank=True)
    # Calendar days the due date moved through approved extensions, and how many were approved.
    extended_days = models.PositiveIntegerField("累计延期天数", default=0)
    extension_count = models.PositiveSmallIntegerField("延期次数", default=0)
    overdue_since = models.DateField("超期起始日", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="设定人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("设定时间", auto_now_add=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "办理时限"
        ordering = ["due_date", "id"]
        indexes = [
            # Work queue: open deadlines of a set of units, most urgent first (due date, then id).
            models.Index(
                fields=["responsible_unit", "due_date", "id"], condition=Q(state="open"), name="deadline_open_unit_due"
            ),
            # Commission-wide queue and overdue list: open deadlines of a commission by due date.
            models.Index(
                fields=["commission", "due_date", "id"], condition=Q(state="open"), name="deadline_open_comm_due"
            ),
            # Zone overdue list.
            models.Index(fields=["zone", "due_date", "id"], condition=Q(state="open"), name="deadline_open_zone_due"),
            # History of all states per commission (statistics of timeliness).
            models.Index(fields=["commission", "state", "due_date"], name="deadline_comm_state_due"),
            models.Index(fields=["target_type", "target_id", "kind"], name="deadline_target_kind"),
        ]
        constraints = [
            # One open deadline per (target, kind): the invariant open_deadline relies on.
            models.UniqueConstraint(
                fields=["target_type", "target_id", "kind"],
                condition=Q(state="open"),
                name="deadline_one_open_per_target_kind",
            ),
            models.CheckConstraint(condition=Q(state__in=DeadlineState.values), name="deadline_state_valid"),
            models.CheckConstraint(condition=Q(period_unit__in=PeriodUnit.values), name="deadline_period_unit_valid"),
            models.CheckConstraint(
                condition=Q(state__in=["met", "met_late"], met_on__isnull=False)
                | (~Q(state__in=["met", "met_late"]) & Q(met_on__isnull=True)),
                name="deadline_met_on_iff_met",
            ),
            models.CheckConstraint(condition=Q(due_date__gte=models.F("start_date")), name="deadline_due_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.label}（{self.target_label}）"

    @property
    def period_text(self) -> str:
        return f"{self.period_value} {self.get_period_unit_display()}"

    @property
    def due_text(self) -> str:
        """The due date as every page and export writes it: "约 2027-01-04（日历待确认）" while provisional."""
        return provisional_date_text(self.due_date, self.due_provisional)


def provisional_date_text(day: date | None, provisional: bool) -> str:
    """A stored due date, marked when it rests on a year whose calendar is not entered yet."""
    if day is None:
        return ""
    return f"约 {day:%Y-%m-%d}（日历待确认）" if provisional else f"{day:%Y-%m-%d}"


class ExtensionState(models.TextChoices):
    PENDING = "pending", "审批中"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未批准"
    WITHDRAWN = "withdrawn", "已撤回"


class DeadlineExtension(models.Model):
    """延期: a request to move a due date, decided through the approvals chain "deadline.extension"."""

    deadline = models.ForeignKey(Deadline, verbose_name="时限", on_delete=models.PROTECT, related_name="extensions")
    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    amount = models.PositiveSmallIntegerField("延长期限")
    unit = models.CharField("期限单位", max_length=12, choices=PeriodUnit.choices)
    reason = models.TextField("延期理由")
    approval_request = models.OneToOneField(
        ApprovalRequest, verbose_name="审批申请", on_delete=models.PROTECT, related_name="deadline_extension"
    )
    state = models.CharField("状态", max_length=10, choices=ExtensionState.choices, default=ExtensionState.PENDING)
    old_due = models.DateField("原到期日", null=True, blank=True)
    new_due = models.DateField("新到期日", null=True, blank=True)
    calendar_warning = models.BooleanField("日历预警", default=False)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "时限延期"
        ordering = ["deadline_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=ExtensionState.values), name="deadline_extension_state_valid"),
            models.CheckConstraint(condition=Q(amount__gte=1), name="deadline_extension_amount_positive"),
            models.CheckConstraint(
                condition=~Q(state="approved") | Q(old_due__isnull=False, new_due__isnull=False),
                name="deadline_extension_approved_has_dates",
            ),
            models.UniqueConstraint(
                fields=["deadline"], condition=Q(state="pending"), name="deadline_extension_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deadline.label} 延期 {self.amount} {self.get_unit_display()}"


class SlipState(models.TextChoices):
    OPEN = "open", "督办中"
    ANSWERED = "answered", "已回复"


class SupervisionSlip(models.Model):
    """督办单: issued by the sweep for a deadline that went overdue, in the name of the zone leader."""

    deadline = models.ForeignKey(Deadline, verbose_name="时限", on_delete=models.PROTECT, related_name="slips")
    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    zone = models.ForeignKey(
        Zone, verbose_name="协作区", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    zone_leader = models.ForeignKey(
        StaffMember, verbose_name="督办人（组长）", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("年度")
    sequence = models.PositiveIntegerField("序号")
    number = models.CharField("督办单编号", max_length=60)
    # The due date this slip supervises: one slip per deadline per due date (an extension that later
    # lapses again gives a new slip; a second sweep on the same day gives none).
    due_date = models.DateField("到期日")
    issued_on = models.DateField("签发日期")
    state = models.CharField("状态", max_length=10, choices=SlipState.choices, default=SlipState.OPEN)
    answer = models.TextField("办理情况回复", blank=True)
    answered_at = models.DateTimeField("回复时间", null=True, blank=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "督办单"
        ordering = ["-id"]
        indexes = [models.Index(fields=["commission", "state", "-id"], name="slip_comm_state")]
        constraints = [
            models.UniqueConstraint(fields=["deadline", "due_date"], name="slip_one_per_deadline_due"),
            models.UniqueConstraint(fields=["commission", "year", "sequence"], name="slip_sequence_unique"),
            models.UniqueConstraint(fields=["commission", "number"], name="slip_number_unique"),
            models.CheckConstraint(condition=Q(state__in=SlipState.values), name="slip_state_valid"),
        ]

    def __str__(self) -> str:
        return self.number


class SlipCounter(models.Model):
    """The last 督办单 sequence issued per commission and year; the row is locked to take the next."""

    commission = models.ForeignKey(Commission, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "督办单编号计数"
        constraints = [models.UniqueConstraint(fields=["commission", "year"], name="slip_counter_unique")]

    def __str__(self) -> str:
        return f"{self.commission_id}/{self.year}: {self.last}"
