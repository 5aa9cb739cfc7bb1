"""Recusal (回避) and the intervention register (干预登记), per matter.

The matter is a clue; a case keeps the clue it was filed from, so a recusal on the clue follows the
matter through verification, filing, investigation and trial.

- ``Recusal``: an effective withdrawal of one staff member from one matter. While it is active the
  person loses access to the matter everywhere (the scope policies subtract it) and cannot be put on
  its team. It comes from the person's own withdrawal, a decided demand, or the head's decision; a
  conflict found in the data is not a recusal but blocks the person from the team unless overridden.
- ``RecusalDemand``: the subject, the reporter, a colleague or the person themself asks that someone
  withdraw; the commission head decides (the higher commission when the person is the head).
- ``RecusalDeclaration``: the 回避声明 each team member signs on joining.
- ``ConflictOverride``: an approved exception to a detected conflict (commission head, with reason),
  kept on record.
- ``Intervention``: every enquiry or plea about a matter (打听案情、过问案件、说情干预).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from xiezuoqu.approvals.models import ApprovalRequest
from xiezuoqu.clues.models import Clue
from xiezuoqu.org.models import StaffMember


class Ground(models.TextChoices):
    """Why someone must withdraw (监督执纪工作规则 第五十条; 监察法 第六十七条)."""

    IS_SUBJECT = "is_subject", "本人系被反映人"
    KIN_OF_SUBJECT = "kin_of_subject", "系被反映人近亲属"
    KIN_OF_REPORTER = "kin_of_reporter", "系举报人近亲属"
    REPORTER_RELATION = "reporter_relation", "与举报人有其他关系"
    SAME_UNIT = "same_unit", "与被反映人同一单位"
    SAME_TOWNSHIP = "same_township", "与被反映人同一乡镇（交叉办理规则）"
    HOMETOWN = "hometown", "籍贯与被反映人所在乡镇相同"
    SAME_VILLAGE = "same_village", "与被反映人所在村（社区）有关联"
    FORMER_COLLEAGUE = "former_colleague", "曾与被反映人同事"
    FORMER_POSTING = "former_posting", "曾在被反映人单位或乡镇任职"
    WITNESS = "witness", "系本案证人"
    INTEREST = "interest", "本人或近亲属与本案有利害关系"
    OTHER = "other", "其他可能影响公正办理的关系"


class RecusalSource(models.TextChoices):
    SELF = "self", "本人申请"
    DEMAND = "demand", "回避申请决定"
    DECISION = "decision", "组织决定"


class Recusal(models.Model):
    clue = models.ForeignKey(Clue, verbose_name="问题线索", on_delete=models.PROTECT, related_name="recusals")
    staff = models.ForeignKey(StaffMember, verbose_name="回避人员", on_delete=models.PROTECT, related_name="recusals")
    ground = models.CharField("回避事由", max_length=20, choices=Ground.choices)
    source = models.CharField("来源", max_length=10, choices=RecusalSource.choices)
    detail = models.TextField("情况说明", blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("决定时间", auto_now_add=True)
    is_active = models.BooleanField("有效", default=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField("撤销时间", null=True, blank=True)
    lift_reason = models.TextField("撤销理由", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "回避"
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["clue", "staff"], condition=Q(is_active=True), name="one_active_recusal_per_person"
            ),
        ]
        indexes = [models.Index(fields=["staff", "is_active"])]

    def __str__(self) -> str:
        return f"{self.staff} 回避 {self.clue.ledger_number}"


class DemandBy(models.TextChoices):
    SUBJECT = "subject", "被反映人（被审查调查人）"
    REPORTER = "reporter", "举报人"
    SELF = "self", "本人"
    COLLEAGUE = "colleague", "其他工作人员"


class DemandState(models.TextChoices):
    PENDING = "pending", "待决定"
    GRANTED = "granted", "决定回避"
    REFUSED = "refused", "决定不予回避"


class RecusalDemand(models.Model):
    clue = models.ForeignKey(Clue, verbose_name="问题线索", on_delete=models.PROTECT, related_name="recusal_demands")
    staff = models.ForeignKey(StaffMember, verbose_name="被申请回避人员", on_delete=models.PROTECT, related_name="+")
    demanded_by = models.CharField("申请人", max_length=10, choices=DemandBy.choices)
    ground = models.CharField("回避事由", max_length=20, choices=Ground.choices)
    statement = models.TextField("申请理由")
    received_on = models.DateField("收到日期")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)
    state = models.CharField("状态", max_length=10, choices=DemandState.choices, default=DemandState.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    decision_reason = models.TextField("决定理由", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "回避申请"
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["clue", "staff"], condition=Q(state="pending"), name="one_pending_demand_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_demanded_by_display()}申请{self.staff}回避"


class RecusalDeclaration(models.Model):
    """回避声明: signed by each team member on joining; a disclosed tie becomes a recusal or an override."""

    clue = models.ForeignKey(
        Clue, verbose_name="问题线索", on_delete=models.PROTECT, related_name="recusal_declarations"
    )
    staff = models.ForeignKey(StaffMember, verbose_name="声明人", on_delete=models.PROTECT, related_name="+")
    no_conflict = models.BooleanField("本人与本案无应当回避的情形")
    disclosure = models.TextField("需说明的关系", blank=True)
    # Signed on paper and recorded by the team lead or the zone (the paper form is kept in the file).
    on_paper = models.BooleanField("纸质签署（代为登记）", default=False)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField("签署时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "回避声明"
        ordering = ["-signed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["clue", "staff"], name="one_declaration_per_person"),
            models.CheckConstraint(condition=Q(no_conflict=True) | ~Q(disclosure=""), name="disclosure_when_conflict"),
        ]

    def __str__(self) -> str:
        return f"{self.staff} 回避声明"


class OverrideState(models.TextChoices):
    PENDING = "pending", "报批中"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未批准"
    WITHDRAWN = "withdrawn", "已撤回"


class ConflictOverride(models.Model):
    """An exception to a detected conflict: the commission head approves it with a reason; on record forever."""

    clue = models.ForeignKey(Clue, verbose_name="问题线索", on_delete=models.PROTECT, related_name="conflict_overrides")
    staff = models.ForeignKey(StaffMember, verbose_name="人员", on_delete=models.PROTECT, related_name="+")
    ground = models.CharField("冲突事由", max_length=20, choices=Ground.choices)
    reason = models.TextField("不予回避的理由")
    approval = models.OneToOneField(
        ApprovalRequest, verbose_name="审批", on_delete=models.PROTECT, related_name="conflict_override"
    )
    state = models.CharField("状态", max_length=10, choices=OverrideState.choices, default=OverrideState.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_at = models.DateTimeField("审批完成时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "回避例外审批"
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["clue", "staff", "ground"],
                condition=Q(state__in=["pending", "approved"]),
                name="one_live_override_per_conflict",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} {self.get_ground_display()} 例外"


class InterventionKind(models.TextChoices):
    ENQUIRY = "enquiry", "打听案情"
    INTERFERENCE = "interference", "过问案件"
    PLEA = "plea", "说情干预"
    OTHER = "other", "其他"


class InterventionChannel(models.TextChoices):
    IN_PERSON = "in_person", "当面"
    PHONE = "phone", "电话"
    MESSAGE = "message", "短信、微信等"
    WRITING = "writing", "书面"
    THIRD_PARTY = "third_party", "托人转达"


class Intervention(models.Model):
    """干预登记: every enquiry or plea about a matter, recorded by the person it reached."""

    clue = models.ForeignKey(Clue, verbose_name="问题线索", on_delete=models.PROTECT, related_name="interventions")
    kind = models.CharField("类型", max_length=14, choices=InterventionKind.choices)
    channel = models.CharField("方式", max_length=12, choices=InterventionChannel.choices)
    occurred_at = models.DateTimeField("发生时间")
    intervener_name = models.CharField("干预人姓名", max_length=30)
    intervener_unit = models.CharField("干预人单位及职务", max_length=100, blank=True)
    content = models.TextField("具体内容")
    response = models.TextField("处理情况", blank=True)
    received_by = models.ForeignKey(StaffMember, verbose_name="被干预人", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "干预登记"
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.intervener_name}"
