"""Approval chains (configured per commission and matter type) and the requests that run through them.

A request freezes its chain at submission twice over: ``steps`` (a JSON snapshot, what the page shows)
and one ``ApprovalRequestStep`` row per step holding the step's role and the unit, zone or commission
its approver must sit in, resolved once. Reconfiguring a chain therefore never changes a running
request, and "who may decide / who may see" is a plain indexed join on those rows.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from xiezuoqu.accounts.roles import Role
from xiezuoqu.org.models import Commission, Unit, Zone

from .matters import UnitRule, matter_label
from .workflow import Decision, Mode, State, StepState


class ApprovalChain(models.Model):
    """One version of the chain a commission uses for a matter type; one active version at a time."""

    commission = models.ForeignKey(
        Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="approval_chains"
    )
    matter_type = models.CharField("事项类型", max_length=40)
    name = models.CharField("名称", max_length=60)
    mode = models.CharField("审批方式", max_length=12, choices=Mode.choices, default=Mode.SEQUENTIAL)
    is_active = models.BooleanField("在用", default=True)
    version = models.PositiveIntegerField("版本", default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="配置人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("配置时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "审批链"
        ordering = ["commission_id", "matter_type", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["commission", "matter_type"],
                condition=Q(is_active=True),
                name="approval_chain_one_active_per_matter",
            ),
            models.UniqueConstraint(
                fields=["commission", "matter_type", "version"], name="approval_chain_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（第{self.version}版）"

    @property
    def matter_label(self) -> str:
        return matter_label(self.matter_type)


class ApprovalStep(models.Model):
    chain = models.ForeignKey(ApprovalChain, verbose_name="审批链", on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField("顺序")
    role = models.CharField("审批角色", max_length=30, choices=Role.choices)
    unit_rule = models.CharField("审批人所在", max_length=20, choices=UnitRule.choices)
    fixed_unit = models.ForeignKey(
        Unit, verbose_name="指定单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    label = models.CharField("环节名称", max_length=40)

    class Meta:
        verbose_name = verbose_name_plural = "审批环节"
        ordering = ["chain_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "order"], name="approval_step_order_unique"),
            models.CheckConstraint(
                condition=Q(unit_rule="fixed_unit", fixed_unit__isnull=False)
                | (~Q(unit_rule="fixed_unit") & Q(fixed_unit__isnull=True)),
                name="approval_step_fixed_unit_iff_rule",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class ApprovalRequest(models.Model):
    """申请: one matter put to a chain. Later apps point ``target`` at their own object."""

    commission = models.ForeignKey(
        Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="approval_requests"
    )
    matter_type = models.CharField("事项类型", max_length=40)
    chain = models.ForeignKey(
        ApprovalChain, verbose_name="所用审批链", on_delete=models.PROTECT, related_name="requests"
    )
    chain_version = models.PositiveIntegerField("审批链版本")
    chain_name = models.CharField("审批链名称", max_length=60)
    mode = models.CharField("审批方式", max_length=12, choices=Mode.choices)
    steps = models.JSONField("审批环节（提交时固定）", default=list)
    target_type = models.ForeignKey(
        ContentType, verbose_name="事项对象类型", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target_id = models.PositiveBigIntegerField("事项对象ID", null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    target_label = models.CharField("事项对象", max_length=200, blank=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="approval_requests"
    )
    requester_unit = models.ForeignKey(Unit, verbose_name="申请单位", on_delete=models.PROTECT, related_name="+")
    zone = models.ForeignKey(
        Zone, verbose_name="协作区", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("标题", max_length=200)
    reason = models.TextField("申请理由")
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.PENDING)
    current_step = models.PositiveSmallIntegerField("当前环节", default=0)
    round = models.PositiveSmallIntegerField("轮次", default=1)
    submitted_at = models.DateTimeField("提交时间")
    resubmitted_at = models.DateTimeField("最近重新提交时间", null=True, blank=True)
    decided_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "审批申请"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["commission", "state", "-id"], name="approval_req_comm_state"),
            models.Index(fields=["requester", "-id"], name="approval_req_requester"),
            models.Index(fields=["target_type", "target_id"], name="approval_req_target"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=State.values), name="approval_request_state_valid"),
            models.CheckConstraint(
                condition=Q(target_type__isnull=True, target_id__isnull=True)
                | Q(target_type__isnull=False, target_id__isnull=False),
                name="approval_request_target_complete",
            ),
            models.CheckConstraint(
                condition=Q(state="pending", decided_at__isnull=True)
                | (~Q(state="pending") & Q(decided_at__isnull=False)),
                name="approval_request_decided_at_iff_not_pending",
            ),
            # One live (pending or returned) request per object and matter type.
            models.UniqueConstraint(
                fields=["target_type", "target_id", "matter_type"],
                condition=Q(state__in=["pending", "returned"], target_id__isnull=False),
                name="approval_request_one_live_per_target",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def matter_label(self) -> str:
        return matter_label(self.matter_type)

    @property
    def current_step_label(self) -> str:
        if self.state != State.PENDING or not self.steps:
            return ""
        if self.mode == Mode.PARALLEL:
            return "、".join(step["label"] for step in self.steps)
        return str(self.steps[self.current_step]["label"])


class ApprovalRequestStep(models.Model):
    """A step of a request as frozen at submission, with its approver's place resolved.

    ``unit`` holds the requester's unit or the fixed unit, ``zone`` the requester unit's zone,
    ``commission`` the request's commission — whichever the step's rule needs. ``reached`` turns on
    when the step first opens; its approvers see the request from then on.
    """

    request = models.ForeignKey(
        ApprovalRequest, verbose_name="申请", on_delete=models.CASCADE, related_name="step_rows"
    )
    index = models.PositiveSmallIntegerField("环节序号")
    label = models.CharField("环节名称", max_length=40)
    role = models.CharField("审批角色", max_length=30, choices=Role.choices)
    unit_rule = models.CharField("审批人所在", max_length=20, choices=UnitRule.choices)
    unit = models.ForeignKey(
        Unit, verbose_name="单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    zone = models.ForeignKey(
        Zone, verbose_name="协作区", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    state = models.CharField("环节状态", max_length=10, choices=StepState.choices, default=StepState.WAITING)
    reached = models.BooleanField("已到达", default=False)
    # "role@u:12" / "role@z:3" / "role@c:1": the role and the resolved place in one indexed value, so
    # "steps this actor may decide" is one IN lookup over the handful of keys the actor holds.
    approver_key = models.CharField("审批人键", max_length=60)

    class Meta:
        verbose_name = verbose_name_plural = "申请的审批环节"
        ordering = ["request_id", "index"]
        indexes = [
            models.Index(fields=["approver_key", "state", "request"], name="approval_step_key_state"),
            models.Index(fields=["approver_key", "reached", "request"], name="approval_step_key_reached"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["request", "index"], name="approval_request_step_unique"),
            models.CheckConstraint(
                condition=~Q(unit_rule__in=["requester_unit", "fixed_unit"]) | Q(unit__isnull=False),
                name="approval_request_step_unit_resolved",
            ),
            models.CheckConstraint(
                condition=~Q(unit_rule="requester_zone") | Q(zone__isnull=False),
                name="approval_request_step_zone_resolved",
            ),
            models.CheckConstraint(condition=~Q(approver_key=""), name="approval_request_step_key_set"),
        ]

    def __str__(self) -> str:
        return self.label

    @staticmethod
    def key_for(
        role: str, unit_rule: str, *, unit_id: int | None, zone_id: int | None, commission_id: int | None
    ) -> str:
        if unit_rule == UnitRule.REQUESTER_ZONE:
            return f"{role}@z:{zone_id}"
        if unit_rule == UnitRule.COMMISSION:
            return f"{role}@c:{commission_id}"
        return f"{role}@u:{unit_id}"


class ApprovalDecision(models.Model):
    """审批意见: one decision on one step in one round. Never edited, never deleted."""

    request = models.ForeignKey(
        ApprovalRequest, verbose_name="申请", on_delete=models.PROTECT, related_name="decisions"
    )
    round = models.PositiveSmallIntegerField("轮次")
    step_index = models.PositiveSmallIntegerField("环节序号")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审批人", on_delete=models.PROTECT, related_name="approval_decisions"
    )
    role = models.CharField("审批角色", max_length=30, choices=Role.choices)
    decision = models.CharField("审批结果", max_length=10, choices=Decision.choices)
    comment = models.TextField("审批意见", blank=True)
    decided_at = models.DateTimeField("审批时间")

    class Meta:
        verbose_name = verbose_name_plural = "审批意见"
        ordering = ["request_id", "round", "decided_at", "id"]
        indexes = [models.Index(fields=["decided_by", "-decided_at"], name="approval_decision_by")]
        constraints = [
            # A step is decided once per round — so also at most once per (request, step, person).
            # This is what makes two racing approvers unable to both win, even without the row lock.
            models.UniqueConstraint(fields=["request", "round", "step_index"], name="approval_decision_once_per_step"),
            models.CheckConstraint(condition=Q(decision__in=Decision.values), name="approval_decision_valid"),
            # 退回、不同意须说明理由。
            models.CheckConstraint(
                condition=Q(decision="approve") | ~Q(comment=""), name="approval_decision_reason_required"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()}（{self.decided_by}）"
