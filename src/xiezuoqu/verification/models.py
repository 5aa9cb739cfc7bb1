"""Preliminary verification (初步核实): the round, its plan, the measures, the evidence locker, the report.

- ``Verification``: one round of 初步核实 on one clue (at most one live round per clue: a partial
  unique constraint is the backstop), with its state (workflow.py) and the last progress time that
  the 6-month red warning reads.
- ``VerificationPlan``: 初核方案 — scope, points to verify, planned measures, schedule, the team.
- ``Measure``: one 核查措施 with its officers (≥ 2, all on the team), the person or record concerned,
  time, place, approval and record document; the rows are the 措施使用台账 that 案管 reviews. It is
  keyed to the clue (and optionally to a case, later), so the case app records its measures here too.
  A time-limited measure (管护, 责令候查, 强制到案, 冻结: ``limits``) carries its term: ``ends_at`` is the
  planned end, ``term_state`` says whether it is in force, released or changed into another measure.
- ``MeasureExtension``: one 延长 (管护) or 续冻 (冻结) of a measure's planned end, on whose approval.
- ``EvidenceItem``: one file in the evidence locker — hashed (SHA-256 and SM3), sealed with SM4-GCM,
  stored content-addressed under ``evidence/<sha256[:2]>/<sha256>``; ``CustodyEvent`` is its chain of
  custody (collected, viewed, exported, verified, verification failed).
- ``VerificationReport`` and ``ReportConfirmation``: 初核报告 and each team member's signature.
"""

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.db import models
from django.db.models import Q

from xiezuoqu.clues.models import Clue
from xiezuoqu.org.models import Commission, StaffMember

from .limits import LimitUnit, Term, TermState, term_of
from .rules import MeasureKind
from .workflow import State


class Verification(models.Model):
    """初步核实: one round on one clue, from the plan to the approved report."""

    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    clue = models.ForeignKey(Clue, verbose_name="问题线索", on_delete=models.PROTECT, related_name="verifications")
    round = models.PositiveSmallIntegerField("轮次", default=1)
    team = models.ForeignKey(
        "teams.Team", verbose_name="核查组", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField("状态", max_length=20, choices=State.choices)
    state_changed_at = models.DateTimeField("状态变更时间")
    started_on = models.DateField("方案批准日期", null=True, blank=True)
    concluded_on = models.DateField("结束日期", null=True, blank=True)
    # Every measure, evidence item, report draft or confirmation moves it, and with it the due date of
    # the round's "verification.stall" deadline (the 6-month red warning, supervised by the sweep).
    last_progress_at = models.DateTimeField("最近进展时间")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "初步核实"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["clue", "round"], name="verification_round_unique"),
            models.UniqueConstraint(
                fields=["clue"], condition=~Q(state="concluded"), name="verification_one_live_per_clue"
            ),
        ]
        indexes = [
            models.Index(fields=["commission", "state", "last_progress_at"], name="verification_progress"),
            models.Index(fields=["commission", "id"], name="verification_commission_id"),
        ]

    def __str__(self) -> str:
        suffix = f"（第{self.round}轮）" if self.round > 1 else ""
        return f"{self.clue.ledger_number} 初步核实{suffix}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("verification:detail", args=[self.pk])


class VerificationPlan(models.Model):
    """初核方案: what is verified, how, by whom, when; approved through the chain "verification.plan"."""

    verification = models.OneToOneField(
        Verification, verbose_name="初步核实", on_delete=models.CASCADE, related_name="plan"
    )
    scope = models.TextField("核实范围")
    points = models.TextField("核实要点")
    planned_measures = models.JSONField("拟采取措施", default=list)
    starts_on = models.DateField("计划开始日期")
    ends_on = models.DateField("计划结束日期")
    # 被核查人是乡镇党委书记的，方案报同级党委书记审批（the note the plan carries up the chain).
    approval_note = models.CharField("审批说明", max_length=300, blank=True)
    approval = models.OneToOneField(
        "approvals.ApprovalRequest",
        verbose_name="审批",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    approved_at = models.DateTimeField("批准时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "初核方案"
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="plan_schedule_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.verification} 初核方案"

    @property
    def planned_measure_labels(self) -> list[str]:
        return [MeasureKind(k).label for k in self.planned_measures if k in MeasureKind.values]


class MeasureState(models.TextChoices):
    RECORDED = "recorded", "已登记"
    REVIEWED = "reviewed", "案管已审核"


class Measure(models.Model):
    """核查措施: one entry of the 措施使用台账."""

    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    clue = models.ForeignKey(Clue, verbose_name="问题线索", on_delete=models.PROTECT, related_name="measures")
    verification = models.ForeignKey(
        Verification, verbose_name="初步核实", null=True, blank=True, on_delete=models.PROTECT, related_name="measures"
    )
    # The case app (审查调查) records its measures here too, with the case's id; null before filing.
    case_id = models.PositiveBigIntegerField("案件", null=True, blank=True)
    kind = models.CharField("措施种类", max_length=24, choices=MeasureKind.choices)
    officers = models.ManyToManyField(StaffMember, verbose_name="承办人员", related_name="+")
    person_or_record = models.CharField("对象（人员或资料）", max_length=200)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    place = models.CharField("地点", max_length=200)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批准人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approval_reference = models.CharField("审批依据", max_length=200)
    record_document = models.ForeignKey(
        "EvidenceItem",
        verbose_name="措施文书（笔录）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField("情况说明", blank=True)
    state = models.CharField("状态", max_length=10, choices=MeasureState.choices, default=MeasureState.RECORDED)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_note = models.CharField("审核意见", max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)
    # The term of a time-limited measure (limits.py); empty for a measure without a limit.
    followed_by_custody = models.BooleanField(
        "需要采取管护或者留置措施", default=False, help_text="强制到案：适用24小时的期限"
    )
    term_state = models.CharField("期限状态", max_length=10, choices=TermState.choices, blank=True, default="")
    extension_count = models.PositiveSmallIntegerField("延长（续冻）次数", default=0)
    released_at = models.DateTimeField("解除（变更）时间", null=True, blank=True)
    release_reason = models.TextField("解除（变更）理由", blank=True)
    converted_to = models.CharField("变更为", max_length=24, choices=MeasureKind.choices, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="解除（变更）登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = verbose_name_plural = "核查措施"
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gte=models.F("starts_at")), name="measure_time_in_order"),
            # Released or changed ⇔ the moment is on record; changed ⇔ what it became is on record.
            models.CheckConstraint(
                condition=Q(term_state__in=["released", "converted"], released_at__isnull=False)
                | (~Q(term_state__in=["released", "converted"]) & Q(released_at__isnull=True)),
                name="measure_released_at_iff_released",
            ),
            models.CheckConstraint(
                condition=Q(term_state="converted") & ~Q(converted_to="")
                | ~Q(term_state="converted") & Q(converted_to=""),
                name="measure_converted_to_iff_converted",
            ),
        ]
        indexes = [
            models.Index(fields=["commission", "id"], name="measure_commission_id"),
            models.Index(fields=["clue", "id"], name="measure_clue_id"),
            # The measures in force (the ledger's filter; the few rows that still need a decision).
            models.Index(fields=["commission", "ends_at"], condition=Q(term_state="in_force"), name="measure_in_force"),
        ]

    def __str__(self) -> str:
        return f"{self.clue.ledger_number} {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        """The page the measure is worked from: the case's (after filing) or the verification's."""
        from django.urls import reverse

        if self.case_id is not None:
            return reverse("cases:detail", args=[self.case_id])
        if self.verification_id is not None:
            return reverse("verification:detail", args=[self.verification_id])
        return reverse("clues:detail", args=[self.clue_id])

    @cached_property
    def term(self) -> Term | None:
        """Where a time-limited measure stands now (``limits.Term``), or None."""
        return term_of(
            self.kind,
            state=self.term_state,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            extension_count=self.extension_count,
            commission=self.commission_id,
        )


class MeasureExtension(models.Model):
    """延长 (管护, once, 1–3 days, approved by the commission head) or 续冻 (冻结, ≤ 6 months each time)."""

    measure = models.ForeignKey(Measure, verbose_name="措施", on_delete=models.PROTECT, related_name="extensions")
    amount = models.PositiveSmallIntegerField("延长期限")
    unit = models.CharField("期限单位", max_length=8, choices=LimitUnit.choices)
    old_ends_at = models.DateTimeField("原计划结束时间")
    new_ends_at = models.DateTimeField("新计划结束时间")
    reference = models.CharField("审批文书编号", max_length=200)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批准人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField("理由", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "措施延长（续冻）"
        ordering = ["measure_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=1), name="measure_extension_amount_positive"),
            models.CheckConstraint(
                condition=Q(new_ends_at__gt=models.F("old_ends_at")), name="measure_extension_moves_forward"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure} 延长（续冻）{self.amount}{self.get_unit_display()}"


class EvidenceKind(models.TextChoices):
    DOCUMENT = "document", "书证"
    PHYSICAL = "physical", "物证（照片）"
    WITNESS = "witness", "证人证言"
    STATEMENT = "statement", "被核查人陈述"
    TRANSCRIPT = "transcript", "谈话（询问）笔录"
    AUDIOVISUAL = "audiovisual", "视听资料"
    ELECTRONIC = "electronic", "电子数据"
    APPRAISAL = "appraisal", "鉴定意见"
    INSPECTION = "inspection", "勘验检查笔录"
    OTHER = "other", "其他"


class Integrity(models.TextChoices):
    INTACT = "intact", "完好"
    FAILED = "failed", "校验失败"


class EvidenceItem(models.Model):
    """One file in the evidence locker of a clue (and, after filing, of its case)."""

    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    clue = models.ForeignKey(Clue, verbose_name="问题线索", on_delete=models.PROTECT, related_name="evidence")
    verification = models.ForeignKey(
        Verification, verbose_name="初步核实", null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    case_id = models.PositiveBigIntegerField("案件", null=True, blank=True)
    number = models.PositiveIntegerField("证据序号")
    title = models.CharField("证据名称", max_length=200)
    kind = models.CharField("证据种类", max_length=16, choices=EvidenceKind.choices)
    description = models.TextField("证明内容", blank=True)
    original_name = models.CharField("原文件名", max_length=120)
    content_type = models.CharField("文件类型", max_length=100)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    sm3 = models.CharField("SM3", max_length=64)
    storage_name = models.CharField("存储位置", max_length=200)
    source_measure = models.ForeignKey(
        Measure, verbose_name="来源措施", null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="收集人", on_delete=models.PROTECT, related_name="+"
    )
    collected_at = models.DateTimeField("收集时间", auto_now_add=True)
    integrity = models.CharField("完整性", max_length=8, choices=Integrity.choices, default=Integrity.INTACT)
    last_verified_at = models.DateTimeField("最近校验时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "证据"
        ordering = ["clue_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["clue", "number"], name="evidence_number_unique"),
            models.UniqueConstraint(fields=["clue", "sha256"], name="evidence_once_per_clue"),
        ]
        indexes = [models.Index(fields=["commission", "id"], name="evidence_commission_id")]

    def __str__(self) -> str:
        return f"{self.clue.ledger_number} 证据{self.number}：{self.title}"


class CustodyAction(models.TextChoices):
    COLLECTED = "collected", "收集入库"
    VIEWED = "viewed", "查看"
    EXPORTED = "exported", "下载导出"
    VERIFIED = "verified", "完整性校验通过"
    VERIFY_FAILED = "verify_failed", "完整性校验失败"


class CustodyEvent(models.Model):
    """保管链: who did what to an evidence item, when (append-only; the audit chain mirrors it)."""

    evidence = models.ForeignKey(
        EvidenceItem, verbose_name="证据", on_delete=models.PROTECT, related_name="custody_events"
    )
    action = models.CharField("事项", max_length=16, choices=CustodyAction.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="经手人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField("说明", max_length=300, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "证据保管记录"
        ordering = ["evidence_id", "id"]

    def __str__(self) -> str:
        return f"{self.evidence} {self.get_action_display()}"


class Recommendation(models.TextChoices):
    FILE = "file", "拟立案"
    CLOSE = "close", "予以了结"
    REMINDER = "reminder", "谈话提醒"
    HOLD = "hold", "暂存待查"
    TRANSFER = "transfer", "移送有关党组织"


class VerificationReport(models.Model):
    """初核报告: facts, basis, doubts and the recommendation; signed by every active team member."""

    verification = models.OneToOneField(
        Verification, verbose_name="初步核实", on_delete=models.CASCADE, related_name="report"
    )
    facts = models.TextField("核实的事实")
    basis = models.TextField("依据（证据和规定）")
    doubts = models.TextField("存在的疑点", blank=True)
    recommendation = models.CharField("处置建议", max_length=10, choices=Recommendation.choices)
    review_on = models.DateField("暂存复查日期", null=True, blank=True)
    approval = models.OneToOneField(
        "approvals.ApprovalRequest",
        verbose_name="审批",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_final = models.BooleanField("已批准", default=False)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    approved_at = models.DateTimeField("批准时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "初核报告"
        constraints = [
            models.CheckConstraint(
                condition=~Q(recommendation="hold") | Q(review_on__isnull=False), name="report_hold_has_review_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.verification} 初核报告（{self.get_recommendation_display()}）"


class ReportConfirmation(models.Model):
    """A team member's signature under the report text as it stands (editing the report voids them)."""

    report = models.ForeignKey(
        VerificationReport, verbose_name="初核报告", on_delete=models.CASCADE, related_name="confirmations"
    )
    staff = models.ForeignKey(StaffMember, verbose_name="组员", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField("确认时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "初核报告签字确认"
        ordering = ["report_id", "id"]
        constraints = [models.UniqueConstraint(fields=["report", "staff"], name="report_confirmation_once")]

    def __str__(self) -> str:
        return f"{self.report} · {self.staff}"
