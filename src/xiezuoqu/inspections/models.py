"""专项检查 with 交叉互检 (制度5 专项检查办法; issue 11).

- ``Campaign``: a special inspection run by the commission or a zone — its focus area, period, the zones
  and units in scope, the options of the cross assignment, the default rectification period; its plan is
  approved through the configured chain (matter ``inspection.plan``) before the assignment.
- ``CampaignUnit``: a unit in scope (it inspects at most ``share`` others and is inspected exactly once);
  ``InspectedObject``: what is inspected there (the township committee itself, a department, a village);
  ``CheckPoint``: the checklist (检查要点) kept as data.
- ``Assignment``: who inspects whom (交叉互检) with the team (组长 + members) and the plain-language reason.
- ``CheckRecord``: the team's working notes per checklist point — never shown to the inspected unit.
- ``Finding``: an entry of the 问题清单; disposed by ``Rectification`` (整改 → 复核 → 销号) and/or transferred
  to the clue ledger (``clue``, source 监督检查发现), linked both ways.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from xiezuoqu.approvals.models import ApprovalRequest
from xiezuoqu.clues.models import Clue
from xiezuoqu.org.models import Commission, StaffMember, Unit, Village, Zone


class FocusArea(models.TextChoices):
    POVERTY = "poverty", "扶贫领域"
    COLLECTIVE_ASSETS = "collective_assets", "集体“三资”"
    FARM_SUBSIDY = "farm_subsidy", "惠农补贴"
    CONDUCT = "conduct", "作风建设"
    OTHER = "other", "其他（自定）"


class CampaignState(models.TextChoices):
    DRAFT = "draft", "拟定中"
    SUBMITTED = "submitted", "方案报批中"
    APPROVED = "approved", "方案已批准，待分配"
    UNDER_WAY = "under_way", "检查中"
    CLOSED = "closed", "已结束"


class Campaign(models.Model):
    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    # Set when a zone runs the campaign; empty when the commission runs it across zones.
    zone = models.ForeignKey(
        Zone, verbose_name="组织协作区", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("检查名称", max_length=120)
    focus_area = models.CharField("检查领域", max_length=20, choices=FocusArea.choices)
    focus_other = models.CharField("其他领域名称", max_length=60, blank=True)
    period_start = models.DateField("检查开始日期")
    period_end = models.DateField("检查结束日期")
    zones = models.ManyToManyField(Zone, verbose_name="涉及协作区", related_name="inspection_campaigns")
    # Options of the cross assignment.
    forbid_two_cycles = models.BooleanField("禁止两单位互查", default=True)
    cross_zone = models.BooleanField("允许跨协作区交叉检查", default=False)
    team_min = models.PositiveSmallIntegerField("检查组最少人数", default=2)
    team_max = models.PositiveSmallIntegerField("检查组最多人数", default=3)
    conflict_years = models.PositiveSmallIntegerField("曾任职回避年限", default=5)
    rectification_days = models.PositiveSmallIntegerField("默认整改期限（工作日）", default=20)
    state = models.CharField("状态", max_length=12, choices=CampaignState.choices, default=CampaignState.DRAFT)
    approval = models.OneToOneField(
        ApprovalRequest,
        verbose_name="方案审批",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspection_campaign",
    )
    # When no valid assignment exists: which constraint cannot be met and what would make it possible.
    infeasible_rule = models.CharField("无法分配的规则", max_length=60, blank=True)
    infeasible_message = models.TextField("无法分配的原因", blank=True)
    infeasible_remedy = models.TextField("建议", blank=True)
    assignment_confirmed_on = models.DateField("分配确定日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "专项检查"
        ordering = ["-period_start", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="campaign_period"),
            models.CheckConstraint(condition=Q(team_min__gte=2), name="campaign_team_min_2"),
            models.CheckConstraint(condition=Q(team_max__gte=models.F("team_min")), name="campaign_team_max"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def focus_label(self) -> str:
        if self.focus_area == FocusArea.OTHER and self.focus_other:
            return self.focus_other
        return str(FocusArea(self.focus_area).label)


class CampaignUnit(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="units")
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    zone = models.ForeignKey(Zone, verbose_name="所在协作区", on_delete=models.PROTECT, related_name="+")
    share = models.PositiveSmallIntegerField("最多检查单位数", default=1)

    class Meta:
        verbose_name = verbose_name_plural = "检查范围单位"
        ordering = ["zone__number", "unit__sort_order", "unit_id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="campaign_unit_once")]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.unit_id}"


class ObjectKind(models.TextChoices):
    COMMITTEE = "committee", "乡镇（街道）纪委"
    DEPARTMENT = "department", "乡镇站所（部门）"
    VILLAGE = "village", "村（社区）"


class InspectedObject(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="inspected_objects")
    unit = models.ForeignKey(Unit, verbose_name="所属被检查单位", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类别", max_length=12, choices=ObjectKind.choices)
    name = models.CharField("名称", max_length=100)
    village = models.ForeignKey(Village, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "被检查对象"
        ordering = ["unit_id", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["campaign", "unit", "name"], name="inspected_object_once")]

    def __str__(self) -> str:
        return self.name


class CheckPoint(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="points")
    order = models.PositiveSmallIntegerField("序号")
    text = models.TextField("检查要点")
    basis = models.TextField("依据", blank=True)
    evidence_needed = models.TextField("需要的佐证材料", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "检查要点"
        ordering = ["campaign_id", "order"]
        constraints = [models.UniqueConstraint(fields=["campaign", "order"], name="check_point_order")]

    def __str__(self) -> str:
        return f"{self.order}. {self.text[:30]}"


class Assignment(models.Model):
    """交叉互检: ``inspecting_unit`` inspects ``inspected_unit`` with a team led by ``leader``."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assignments")
    inspecting_unit = models.ForeignKey(Unit, verbose_name="检查单位", on_delete=models.PROTECT, related_name="+")
    inspected_unit = models.ForeignKey(Unit, verbose_name="被检查单位", on_delete=models.PROTECT, related_name="+")
    zone = models.ForeignKey(Zone, verbose_name="被检查单位所在协作区", on_delete=models.PROTECT, related_name="+")
    leader = models.ForeignKey(StaffMember, verbose_name="组长", on_delete=models.PROTECT, related_name="+")
    members = models.ManyToManyField(StaffMember, verbose_name="组员", related_name="inspection_assignments")
    reason = models.TextField("分配理由")
    adjusted = models.BooleanField("经人工调整", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "交叉检查分配"
        ordering = ["campaign_id", "zone__number", "inspected_unit__sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "inspected_unit"], name="inspected_once_per_campaign"),
            models.CheckConstraint(condition=~Q(inspecting_unit=models.F("inspected_unit")), name="no_self_inspection"),
        ]

    def __str__(self) -> str:
        return f"{self.inspecting_unit} 检查 {self.inspected_unit}"


class CheckResult(models.TextChoices):
    COMPLIANT = "compliant", "未发现问题"
    PROBLEM = "problem", "发现问题"
    NOT_APPLICABLE = "not_applicable", "不适用"


class CheckRecord(models.Model):
    """The team's working note on one checklist point (工作底稿): never shown to the inspected unit."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="records")
    point = models.ForeignKey(CheckPoint, verbose_name="检查要点", on_delete=models.PROTECT, related_name="records")
    inspected_object = models.ForeignKey(
        InspectedObject, verbose_name="被检查对象", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField("检查结果", max_length=16, choices=CheckResult.choices)
    note = models.TextField("检查情况（工作底稿）")
    checked_on = models.DateField("检查日期")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "检查记录"
        ordering = ["assignment_id", "point__order", "id"]

    def __str__(self) -> str:
        return f"{self.assignment_id}/{self.point_id}"


class FindingCategory(models.TextChoices):
    FUNDS = "funds", "资金管理使用"
    POLICY = "policy", "政策落实"
    PROCEDURE = "procedure", "程序执行"
    CONDUCT = "conduct", "作风纪律"
    OTHER = "other", "其他"


class Severity(models.TextChoices):
    MINOR = "minor", "一般"
    SERIOUS = "serious", "较重"
    GRAVE = "grave", "严重"


class FindingState(models.TextChoices):
    RECORDED = "recorded", "待处置"
    RECTIFYING = "rectifying", "整改中"
    REPORTED = "reported", "已报整改情况"
    REVIEWED = "reviewed", "复核通过，待销号"
    CLOSED = "closed", "已销号"
    TRANSFERRED = "transferred", "已移交线索"


class Finding(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="findings")
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="findings")
    inspected_unit = models.ForeignKey(Unit, verbose_name="被检查单位", on_delete=models.PROTECT, related_name="+")
    zone = models.ForeignKey(Zone, verbose_name="协作区", on_delete=models.PROTECT, related_name="+")
    point = models.ForeignKey(
        CheckPoint, verbose_name="检查要点", null=True, blank=True, on_delete=models.PROTECT, related_name="findings"
    )
    category = models.CharField("问题类别", max_length=12, choices=FindingCategory.choices)
    description = models.TextField("问题描述")
    basis = models.TextField("依据", blank=True)
    amount = models.DecimalField("涉及金额（元）", max_digits=14, decimal_places=2, default=Decimal("0.00"))
    responsible_unit = models.CharField("责任单位", max_length=100)
    responsible_person = models.CharField("责任人", max_length=30, blank=True)
    severity = models.CharField("严重程度", max_length=10, choices=Severity.choices, default=Severity.MINOR)
    found_on = models.DateField("发现日期")
    state = models.CharField("状态", max_length=12, choices=FindingState.choices, default=FindingState.RECORDED)
    # 移交线索: the clue registered from this finding (the clue's source_note names the finding back).
    clue = models.OneToOneField(
        Clue,
        verbose_name="移交线索",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspection_finding",
    )
    transferred_on = models.DateField("移交日期", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "检查发现问题"
        ordering = ["campaign_id", "zone__number", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="finding_amount_not_negative")]

    def __str__(self) -> str:
        return f"问题{self.pk}：{self.description[:30]}"


class Rectification(models.Model):
    """整改: the inspected unit's task, its deadline (deadline engine), report, the team's review, 销号."""

    finding = models.OneToOneField(Finding, on_delete=models.PROTECT, related_name="rectification")
    requirement = models.TextField("整改要求")
    ordered_on = models.DateField("整改起始日期")
    due_date = models.DateField("整改期限")
    report = models.TextField("整改情况报告", blank=True)
    evidence_note = models.TextField("佐证材料说明", blank=True)
    reported_on = models.DateField("报告日期", null=True, blank=True)
    review_note = models.TextField("复核意见", blank=True)
    reviewed_on = models.DateField("复核日期", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_on = models.DateField("销号日期", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "整改"
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return f"整改：{self.finding.description[:30]}"

    @property
    def commission_id(self) -> int:
        return self.finding.campaign.commission_id
