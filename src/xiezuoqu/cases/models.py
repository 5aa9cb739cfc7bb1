"""Cases (案件): a filed matter, opened by the competent body's 立案 decision on a filing proposal.

Numbered from a per-commission, per-year counter under a row lock ("凤纪立〔2026〕5号"); the unique
constraint on (commission, year, seq) is the backstop. The life cycle continues here (workflow.py):

- ``InvestigationReport``: 审查调查报告, the hand-over to trial (移送审理).
- ``Detention``: 留置 — the request, the commission head's review and the higher commission's decision as
  recorded here (the platform records it, it does not decide it), the 3-month period and its one extension.
  Other measures of the investigation are ``verification.Measure`` rows carrying ``case_id``.
- ``TrialReview``: one stage of 审理 (协作区初审, 审理室复审, or 审理室审理) with its reviewers (查审分离).
- ``TrialReturn``: 退回重新调查 / 退回补充证据 and its approval.
- ``PersonDecision``: the outcome for the person (codes of ``sanctions.rules``), the deciding body, the
  四种形态 form and the period end dates, approved through "case.sanction".
- ``Announcement``, ``Execution``: 宣布 (within 1 month) and 执行.
- ``Appeal``: 复审 (1 month) / 复核 (2 months).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from xiezuoqu.clues.models import Clue, Subject
from xiezuoqu.org.models import Commission, StaffMember, Unit, Zone

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
    state = models.CharField("状态", max_length=24, choices=State.choices)
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


class InvestigationReport(models.Model):
    """审查调查报告: what was found, on what evidence, what the team proposes; handed over to trial."""

    case = models.OneToOneField(Case, verbose_name="案件", on_delete=models.PROTECT, related_name="report")
    facts = models.TextField("违纪违法事实")
    evidence_summary = models.TextField("证据情况")
    attitude = models.TextField("被审查调查人态度", blank=True)
    proposal = models.TextField("处理意见")
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    handed_over_at = models.DateTimeField("移送审理时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "审查调查报告"

    def __str__(self) -> str:
        return f"{self.case.case_number} 审查调查报告"


class DetentionState(models.TextChoices):
    PENDING = "pending", "本级审核中"
    FORWARDED = "forwarded", "已报上一级纪委监委"
    REJECTED = "rejected", "本级未同意"
    APPROVED = "approved", "上一级已批准，留置中"
    REFUSED = "refused", "上一级未批准"
    ENDED = "ended", "已解除留置"


class Detention(models.Model):
    """留置: requested by the team, reviewed by the commission head, decided by the higher commission."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.PROTECT, related_name="detentions")
    reason = models.TextField("留置理由")
    place = models.CharField("留置场所", max_length=200)
    approval = models.OneToOneField(
        "approvals.ApprovalRequest", verbose_name="本级审核", on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField("状态", max_length=10, choices=DetentionState.choices, default=DetentionState.PENDING)
    higher_reference = models.CharField("上一级批准文号", max_length=200, blank=True)
    higher_decided_on = models.DateField("上一级决定日期", null=True, blank=True)
    starts_on = models.DateField("留置开始日期", null=True, blank=True)
    extended = models.BooleanField("已延长", default=False)
    extension_reference = models.CharField("延长批准文号", max_length=200, blank=True)
    ended_on = models.DateField("解除日期", null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("报批时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "留置"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(state__in=["pending", "forwarded", "approved"]),
                name="detention_one_live_per_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.case_number} 留置"


class Stage(models.TextChoices):
    FIRST = "first", "协作区初审"
    SECOND = "second", "审理室复审"
    SINGLE = "single", "审理室审理"


class ReviewOutcome(models.TextChoices):
    OPEN = "", "审理中"
    AGREED = "agreed", "审理意见已提出"
    RETURNED = "returned", "已退回审查调查"


class TrialReview(models.Model):
    """One stage of 审理; its reviewers were never on a team of the clue nor recorded a measure (查审分离)."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.PROTECT, related_name="reviews")
    stage = models.CharField("审理阶段", max_length=8, choices=Stage.choices)
    reviewers = models.ManyToManyField(StaffMember, verbose_name="审理人员", related_name="+")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_on = models.DateField("受理日期")
    outcome = models.CharField("结果", max_length=10, choices=ReviewOutcome.choices, blank=True, default="")
    opinion = models.TextField("审理意见", blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    concluded_on = models.DateField("审结日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "审理"
        ordering = ["case_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(outcome=""), name="trial_review_one_open_per_case"),
        ]

    def __str__(self) -> str:
        return f"{self.case.case_number} {self.get_stage_display()}"


class ReturnKind(models.TextChoices):
    REINVESTIGATE = "reinvestigate", "退回重新调查"
    SUPPLEMENT = "supplement", "退回补充证据"


class ReturnState(models.TextChoices):
    PENDING = "pending", "审批中"
    APPROVED = "approved", "已批准退回"
    REJECTED = "rejected", "未批准"


class TrialReturn(models.Model):
    """审理退回: 重新调查 (纪委书记批准) or 补充证据 (分管委领导批准)."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.PROTECT, related_name="returns")
    review = models.ForeignKey(TrialReview, verbose_name="审理", on_delete=models.PROTECT, related_name="returns")
    kind = models.CharField("退回方式", max_length=14, choices=ReturnKind.choices)
    reason = models.TextField("退回理由")
    approval = models.OneToOneField(
        "approvals.ApprovalRequest", verbose_name="审批", on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField("状态", max_length=10, choices=ReturnState.choices, default=ReturnState.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("提出时间", auto_now_add=True)
    decided_at = models.DateTimeField("审批结束时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "审理退回"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(state="pending"), name="trial_return_one_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.case.case_number} {self.get_kind_display()}"


class DecisionBody(models.TextChoices):
    TOWNSHIP_COMMITTEE = "township_committee", "乡镇（街道）纪委"
    TOWNSHIP_PARTY_COMMITTEE = "township_party_committee", "乡镇（街道）党委"
    COUNTY = "county", "市纪委监委（县级）"


class DecisionState(models.TextChoices):
    PROPOSED = "proposed", "报批中"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未批准"


class PersonDecision(models.Model):
    """处理决定 for the person: the codes of ``sanctions.rules``, who decides, the form, the period ends."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.PROTECT, related_name="decisions")
    subject = models.ForeignKey(Subject, verbose_name="被处理人", on_delete=models.PROTECT, related_name="+")
    codes = models.JSONField("处理方式", default=list)
    body = models.CharField("决定机关", max_length=26, choices=DecisionBody.choices)
    complex_case = models.BooleanField("复杂案件", default=False)
    months = models.PositiveSmallIntegerField("期限（月）", null=True, blank=True, help_text="留党察看或合并执行的期限")
    form = models.PositiveSmallIntegerField("四种形态", null=True, blank=True)
    grounds = models.TextField("事实和依据")
    approval = models.OneToOneField(
        "approvals.ApprovalRequest", verbose_name="审批", on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField("状态", max_length=10, choices=DecisionState.choices, default=DecisionState.PROPOSED)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    # [{"code", "label", "months", "start", "end"}]: computed with sanctions.rules when approved.
    periods = models.JSONField("处分期间", default=list, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField("报批时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "处理决定"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "subject"],
                condition=Q(state__in=["proposed", "approved"]),
                name="decision_one_live_per_person",
            ),
            models.CheckConstraint(condition=Q(form__isnull=True) | Q(form__range=(1, 4)), name="decision_form_1_4"),
        ]

    def __str__(self) -> str:
        return f"{self.case.case_number} 处理决定"

    @property
    def labels(self) -> list[str]:
        from xiezuoqu.sanctions.rules import MEASURES

        return [MEASURES[c].label if c in MEASURES else c for c in self.codes]

    @property
    def form_label(self) -> str:
        from xiezuoqu.sanctions.rules import Form

        return Form(self.form).label if self.form else "不属于四种形态"


class Announcement(models.Model):
    """宣布处理决定 (within 1 month of the decision)."""

    case = models.OneToOneField(Case, verbose_name="案件", on_delete=models.PROTECT, related_name="announcement")
    announced_on = models.DateField("宣布日期")
    place = models.CharField("宣布地点", max_length=200)
    attendees = models.CharField("参加人员", max_length=300)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "宣布处理决定"

    def __str__(self) -> str:
        return f"{self.case.case_number} 宣布"


class Execution(models.Model):
    """执行: what was done to carry out the decision (党籍、职务、级别、工资待遇 changes; files)."""

    case = models.OneToOneField(Case, verbose_name="案件", on_delete=models.PROTECT, related_name="execution")
    executed_on = models.DateField("执行日期")
    executing_unit = models.CharField("执行单位", max_length=100)
    details = models.TextField("执行情况")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "执行情况"

    def __str__(self) -> str:
        return f"{self.case.case_number} 执行"


class AppealKind(models.TextChoices):
    REVIEW = "review", "复审（1个月内）"
    RECHECK = "recheck", "复核（上一级，2个月内）"


class AppealResult(models.TextChoices):
    UPHELD = "upheld", "维持原处理决定"
    CHANGED = "changed", "变更处理决定"
    REVOKED = "revoked", "撤销处理决定"


class Appeal(models.Model):
    """申诉: 复审 by the deciding organ within 1 month; 复核 by the higher level within 2 months."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.PROTECT, related_name="appeals")
    kind = models.CharField("类别", max_length=8, choices=AppealKind.choices)
    received_on = models.DateField("受理日期")
    grounds = models.TextField("申诉理由")
    result = models.CharField("结果", max_length=8, choices=AppealResult.choices, blank=True)
    result_text = models.TextField("复审（复核）意见", blank=True)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "申诉"
        ordering = ["case_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(result=""), name="appeal_one_pending_per_case"),
        ]

    def __str__(self) -> str:
        return f"{self.case.case_number} {self.get_kind_display()}"
