"""办案经费与办案车辆 (DESIGN §2 item 9; issue 12).

- ``LineKind``: the budget lines a commission uses (办案补助, 交通, 差旅, 其他 by default; configurable).
- ``FundsPolicy``: per commission, the amounts at which a claim needs a higher approval level.
- ``ZoneBudget`` / ``BudgetLine``: a zone's yearly budget from the city allocation, one row per line;
  ``BudgetLine.amount`` is the current allocation, changed only by an approved ``BudgetAdjustment``.
- ``Claim``: money asked for one matter (clue, verification, case ...) against one line; paid claims are
  read-only, a correction is a reversing claim (``reverses``).
- ``Receipt``: a claim's receipts, checked like every upload, hashed (SHA-256, SM3) and sealed.
- ``Vehicle`` / ``Booking`` / ``Trip``: the commission's pool, bookings tied to a matter (no vehicle or
  driver booked twice: on PostgreSQL an exclusion constraint, migration 0002), trips with odometer
  readings that only go up per vehicle.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from xiezuoqu.approvals.models import ApprovalRequest
from xiezuoqu.org.models import Commission, StaffMember, Zone

from .workflow import ClaimState


class MatterKind(models.TextChoices):
    CLUE = "clue", "问题线索"
    VERIFICATION = "verification", "初步核实"
    CASE = "case", "案件"
    INSPECTION = "inspection", "专项检查"


class LineKind(models.Model):
    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    code = models.SlugField("代码", max_length=20)
    name = models.CharField("名称", max_length=20)
    # The line trip costs are claimed against (交通).
    is_transport = models.BooleanField("交通费科目", default=False)
    order = models.PositiveSmallIntegerField("顺序", default=0)
    is_active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "经费科目"
        ordering = ["commission_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["commission", "code"], name="funds_line_kind_code_unique"),
            models.UniqueConstraint(
                fields=["commission"], condition=Q(is_transport=True), name="funds_line_kind_one_transport"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FundsPolicy(models.Model):
    """Approval levels by amount: up to ``zone_limit`` the zone leader, up to ``leader_limit`` also the
    commission leader in charge, above it also the commission head."""

    commission = models.OneToOneField(
        Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="funds_policy"
    )
    zone_limit = models.DecimalField(
        "协作区组长审批限额（元）", default=Decimal("5000.00"), max_digits=14, decimal_places=2
    )
    leader_limit = models.DecimalField(
        "分管委领导审批限额（元）", default=Decimal("20000.00"), max_digits=14, decimal_places=2
    )
    warning_ratio = models.DecimalField("预警比例", max_digits=4, decimal_places=2, default=Decimal("0.80"))

    class Meta:
        verbose_name = verbose_name_plural = "经费审批分级"
        constraints = [
            models.CheckConstraint(condition=Q(zone_limit__gt=0), name="funds_policy_zone_limit_positive"),
            models.CheckConstraint(
                condition=Q(leader_limit__gte=models.F("zone_limit")), name="funds_policy_limits_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commission} 经费审批分级"


class ZoneBudget(models.Model):
    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    zone = models.ForeignKey(Zone, verbose_name="协作区", on_delete=models.PROTECT, related_name="budgets")
    year = models.PositiveSmallIntegerField("年度")
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("下达时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "协作区年度经费预算"
        ordering = ["-year", "zone_id"]
        constraints = [models.UniqueConstraint(fields=["zone", "year"], name="funds_budget_zone_year_unique")]

    def __str__(self) -> str:
        return f"{self.zone.name} {self.year}年度办案经费"


class BudgetLine(models.Model):
    budget = models.ForeignKey(ZoneBudget, verbose_name="预算", on_delete=models.PROTECT, related_name="lines")
    kind = models.ForeignKey(LineKind, verbose_name="科目", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField("预算额（元）", max_digits=14, decimal_places=2)
    initial_amount = models.DecimalField("年初下达额（元）", max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = verbose_name_plural = "预算科目"
        ordering = ["budget_id", "kind__order", "kind_id"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "kind"], name="funds_line_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="funds_line_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.budget} · {self.kind.name}"


class AdjustmentKind(models.TextChoices):
    INCREASE = "increase", "追加"
    DECREASE = "decrease", "调减"


class AdjustmentState(models.TextChoices):
    PENDING = "pending", "审批中"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未批准"
    WITHDRAWN = "withdrawn", "已撤回"


class BudgetAdjustment(models.Model):
    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    line = models.ForeignKey(BudgetLine, verbose_name="预算科目", on_delete=models.PROTECT, related_name="adjustments")
    kind = models.CharField("调整方式", max_length=10, choices=AdjustmentKind.choices)
    amount = models.DecimalField("调整金额（元）", max_digits=14, decimal_places=2)
    reason = models.TextField("理由")
    state = models.CharField("状态", max_length=10, choices=AdjustmentState.choices, default=AdjustmentState.PENDING)
    approval = models.OneToOneField(
        ApprovalRequest, verbose_name="审批", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount_before = models.DecimalField("调整前（元）", null=True, blank=True, max_digits=14, decimal_places=2)
    amount_after = models.DecimalField("调整后（元）", null=True, blank=True, max_digits=14, decimal_places=2)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "预算调整"
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="funds_adjustment_amount_positive")]

    def __str__(self) -> str:
        return f"{self.line} {self.get_kind_display()} {self.amount} 元"

    @property
    def signed_amount(self) -> Decimal:
        return self.amount if self.kind == AdjustmentKind.INCREASE else -self.amount


class Claim(models.Model):
    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    zone = models.ForeignKey(Zone, verbose_name="协作区", on_delete=models.PROTECT, related_name="+")
    line = models.ForeignKey(BudgetLine, verbose_name="预算科目", on_delete=models.PROTECT, related_name="claims")
    matter_kind = models.CharField("事项类别", max_length=16, choices=MatterKind.choices)
    matter_id = models.PositiveBigIntegerField("事项ID")
    matter_label = models.CharField("事项", max_length=200)
    amount = models.DecimalField("金额（元）", max_digits=14, decimal_places=2)
    purpose = models.TextField("用途")
    people = models.CharField("相关人员", max_length=300, blank=True)
    state = models.CharField("状态", max_length=10, choices=ClaimState.choices, default=ClaimState.DRAFT)
    claimant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="经办人", on_delete=models.PROTECT, related_name="+"
    )
    approval = models.ForeignKey(
        ApprovalRequest, verbose_name="审批", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    trip = models.ForeignKey(
        "funds.Trip", verbose_name="出车记录", null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    reverses = models.OneToOneField(
        "self", verbose_name="冲销的申请", null=True, blank=True, on_delete=models.PROTECT, related_name="reversal"
    )
    created_at = models.DateTimeField("填写时间", auto_now_add=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    decided_at = models.DateTimeField("审批办结时间", null=True, blank=True)
    paid_at = models.DateTimeField("支付时间", null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="支付登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = verbose_name_plural = "经费申请"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["line", "state"], name="funds_claim_line_state"),
            models.Index(fields=["matter_kind", "matter_id"], name="funds_claim_matter"),
            models.Index(fields=["claimant", "-id"], name="funds_claim_claimant"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=ClaimState.values), name="funds_claim_state_valid"),
            # Only a reversing entry is negative, and it is paid from the start.
            models.CheckConstraint(
                condition=Q(amount__gt=0, reverses__isnull=True)
                | Q(amount__lt=0, reverses__isnull=False, state="paid"),
                name="funds_claim_amount_sign",
            ),
            models.CheckConstraint(
                condition=~Q(state="paid") | Q(paid_at__isnull=False), name="funds_claim_paid_has_time"
            ),
        ]

    def __str__(self) -> str:
        prefix = "冲销 " if self.reverses_id else ""
        return f"{prefix}经费申请第{self.pk}号（{self.amount} 元）"


class Receipt(models.Model):
    claim = models.ForeignKey(Claim, verbose_name="经费申请", on_delete=models.PROTECT, related_name="receipts")
    file_name = models.CharField("文件名", max_length=120)
    content_type = models.CharField("类型", max_length=120)
    size = models.PositiveIntegerField("大小")
    sha256 = models.CharField("SHA-256", max_length=64)
    sm3 = models.CharField("SM3", max_length=64)
    storage_name = models.CharField("存储位置", max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "票据"
        ordering = ["claim_id", "id"]
        constraints = [models.UniqueConstraint(fields=["claim", "sha256"], name="funds_receipt_once_per_claim")]

    def __str__(self) -> str:
        return self.file_name


class VehicleStatus(models.TextChoices):
    AVAILABLE = "available", "可用"
    MAINTENANCE = "maintenance", "维修保养"
    RETIRED = "retired", "已停用"


class Vehicle(models.Model):
    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    plate = models.CharField("车牌号", max_length=12)
    model_name = models.CharField("车型", max_length=40, blank=True)
    seats = models.PositiveSmallIntegerField("座位数")
    status = models.CharField("状态", max_length=12, choices=VehicleStatus.choices, default=VehicleStatus.AVAILABLE)
    zone = models.ForeignKey(
        Zone, verbose_name="服务协作区", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The highest odometer reading recorded (km); a trip must start at or above it.
    odometer_km = models.PositiveIntegerField("当前里程（公里）", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "办案车辆"
        ordering = ["commission_id", "plate"]
        constraints = [
            models.UniqueConstraint(fields=["commission", "plate"], name="funds_vehicle_plate_unique"),
            models.CheckConstraint(condition=Q(seats__gte=1), name="funds_vehicle_seats_positive"),
        ]

    def __str__(self) -> str:
        return self.plate


class BookingState(models.TextChoices):
    BOOKED = "booked", "已预约"
    DONE = "done", "已出车"
    CANCELLED = "cancelled", "已取消"


class Booking(models.Model):
    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    vehicle = models.ForeignKey(Vehicle, verbose_name="车辆", on_delete=models.PROTECT, related_name="bookings")
    driver = models.ForeignKey(StaffMember, verbose_name="驾驶员", on_delete=models.PROTECT, related_name="+")
    matter_kind = models.CharField("事项类别", max_length=16, choices=MatterKind.choices)
    matter_id = models.PositiveBigIntegerField("事项ID")
    matter_label = models.CharField("事项", max_length=200)
    zone = models.ForeignKey(
        Zone, verbose_name="协作区", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    destination = models.CharField("目的地", max_length=100)
    passengers = models.CharField("乘车人员", max_length=300, blank=True)
    confidential = models.BooleanField("保密措施", default=False)
    state = models.CharField("状态", max_length=10, choices=BookingState.choices, default=BookingState.BOOKED)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="预约人", on_delete=models.PROTECT, related_name="+"
    )
    booked_at = models.DateTimeField("预约时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "用车预约"
        ordering = ["starts_at", "id"]
        indexes = [
            # The overlap check: bookings of this vehicle (driver) that start before the new one ends and
            # after the new one's start minus the longest booking (``services.MAX_BOOKING``).
            models.Index(fields=["vehicle", "starts_at"], name="funds_booking_vehicle_start"),
            models.Index(fields=["driver", "starts_at"], name="funds_booking_driver_start"),
            models.Index(fields=["commission", "starts_at"], name="funds_booking_comm_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="funds_booking_range_valid"),
            models.CheckConstraint(condition=Q(state__in=BookingState.values), name="funds_booking_state_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.vehicle.plate} {self.starts_at:%Y-%m-%d %H:%M}"


class Trip(models.Model):
    booking = models.OneToOneField(Booking, verbose_name="预约", on_delete=models.PROTECT, related_name="trip")
    vehicle = models.ForeignKey(Vehicle, verbose_name="车辆", on_delete=models.PROTECT, related_name="trips")
    odometer_start = models.PositiveIntegerField("出车里程（公里）")
    odometer_end = models.PositiveIntegerField("收车里程（公里）")
    cost = models.DecimalField("费用（元）", default=Decimal("0.00"), max_digits=14, decimal_places=2)
    note = models.CharField("备注", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "出车记录"
        ordering = ["vehicle_id", "odometer_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(odometer_end__gte=models.F("odometer_start")), name="funds_trip_odometer_up"
            ),
            models.CheckConstraint(condition=Q(cost__gte=0), name="funds_trip_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.vehicle.plate} {self.odometer_start}–{self.odometer_end} 公里"

    @property
    def distance_km(self) -> int:
        return self.odometer_end - self.odometer_start
