"""Sanction terms (处分期间) and what their end demands (处分期满后的办理).

- ``SanctionTerm``: one period of an approved decision (``PersonDecision.periods``) for the person —
  a party sanction's 影响期 (警告 1 year, 严重警告 18 months, 撤销党内职务 2 years), 留党察看 (1 or 2
  years), the 5-year bar on readmission after 开除党籍, or a government sanction's period (警告 6, 记过
  12, 记大过 18, 降级 / 撤职 24 months; combined at most 48). Opened when the decision is approved; ended
  by the follow-up its end demands, or early only by an appeal that revokes or changes the decision.
- ``SanctionFollowUp``: what was done at the end — 恢复党员权利 / 延长留党察看一年 / 开除党籍 by the party
  organisation after 留党察看; the 解除 of a government sanction; the end of a party sanction's 影响期.
- ``SanctionChange``: an appeal decided 变更处理决定 supersedes the running terms; the trial office then
  registers the changed sanction, whose terms replace them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class FollowUpKind(models.TextChoices):
    """What the end of a term demands (the rule is cited in ``rules.FOLLOW_UP_RULES``)."""

    PROBATION = "probation", "留党察看期满：党组织决定恢复党员权利或者开除党籍"
    GOVERNMENT = "government", "政务处分期满：自动解除，登记解除情况"
    PARTY_LAPSE = "party_lapse", "党纪处分影响期满：登记期满"
    NONE = "none", "无需办理（开除党籍后五年内不得重新入党）"


class TermState(models.TextChoices):
    RUNNING = "running", "执行中"
    ENDED = "ended", "期满已办结"
    CANCELLED = "cancelled", "因申诉撤销处理决定而终止"
    SUPERSEDED = "superseded", "因申诉变更处理决定而终止"


class Outcome(models.TextChoices):
    RESTORED = "restored", "恢复党员权利（确有悔改表现）"
    EXTENDED = "extended", "延长留党察看一年（期满后仍不符合恢复党员权利条件）"
    EXPELLED = "expelled", "开除党籍（坚持不改或者又发现其他应当受到党纪处分的违纪行为）"
    RELEASED = "released", "政务处分期满自动解除"
    LAPSED = "lapsed", "影响期满"


class SanctionTerm(models.Model):
    """One period of a sanction for the person: from ``start`` to ``end`` (the day it ends)."""

    commission = models.ForeignKey(
        "org.Commission", verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey("cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="sanction_terms")
    decision = models.ForeignKey(
        "cases.PersonDecision", verbose_name="处理决定", on_delete=models.PROTECT, related_name="sanction_terms"
    )
    subject = models.ForeignKey("clues.Subject", verbose_name="受处分人", on_delete=models.PROTECT, related_name="+")
    code = models.CharField("处分", max_length=40)
    label = models.CharField("处分名称", max_length=100)
    months = models.PositiveSmallIntegerField("期间（月）", null=True, blank=True)
    start = models.DateField("起算日")
    end = models.DateField("期满日")
    follow_up_kind = models.CharField("期满事项", max_length=12, choices=FollowUpKind.choices)
    # The day the follow-up is due: the due date of the term's deadline (the end, or the next working
    # day when the end is a rest day). None when the end demands nothing (开除党籍's bar).
    due_on = models.DateField("办理期限", null=True, blank=True)
    state = models.CharField("状态", max_length=12, choices=TermState.choices, default=TermState.RUNNING)
    closed_on = models.DateField("终止日期", null=True, blank=True)
    # The term this one follows: the extension of a 留党察看, the 影响期 after rights are restored, the bar
    # after 开除党籍 at the end of a 留党察看.
    previous = models.ForeignKey(
        "self", verbose_name="前一期间", null=True, blank=True, on_delete=models.PROTECT, related_name="following"
    )
    change = models.ForeignKey(
        "sanctions.SanctionChange",
        verbose_name="申诉变更登记",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="terms",
    )
    ended_by_appeal = models.ForeignKey(
        "cases.Appeal",
        verbose_name="终止该期间的申诉",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "处分期间"
        ordering = ["end", "id"]
        indexes = [
            # The ledger: a commission's terms by state and end, keyset on (end, id).
            models.Index(fields=["commission", "state", "end", "id"], name="sanction_term_comm_state_end"),
            models.Index(fields=["case", "id"], name="sanction_term_case"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="sanction_term_end_after_start"),
            models.CheckConstraint(condition=Q(state__in=TermState.values), name="sanction_term_state_valid"),
            models.CheckConstraint(
                condition=Q(follow_up_kind__in=FollowUpKind.values), name="sanction_term_follow_up_kind_valid"
            ),
            # A running term has no closing date; a closed one has.
            models.CheckConstraint(
                condition=Q(state="running", closed_on__isnull=True)
                | (~Q(state="running") & Q(closed_on__isnull=False)),
                name="sanction_term_closed_on_iff_closed",
            ),
        ]

    def __str__(self) -> str:
        # Neutral on purpose: the deadline shows this label to everyone who sees the deadline (0007).
        return f"{self.case.case_number} 处分期满（第{self.pk}号）"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("sanctions:detail", args=[self.pk])

    @property
    def is_government(self) -> bool:
        return self.code.startswith("gov_")

    @property
    def keeps_level_and_post(self) -> bool:
        """降级 / 撤职: the 解除 does not restore the level or the post."""
        return self.code in ("gov_demotion", "gov_dismissal_from_post")


class SanctionFollowUp(models.Model):
    """What was done when a term ended: the party organisation's decision, the 解除, or the lapse."""

    commission = models.ForeignKey(
        "org.Commission", verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+"
    )
    term = models.OneToOneField(
        SanctionTerm, verbose_name="处分期间", on_delete=models.PROTECT, related_name="follow_up"
    )
    outcome = models.CharField("办理结果", max_length=10, choices=Outcome.choices)
    decided_on = models.DateField("决定（解除）日期")
    organisation = models.CharField("作出决定的组织", max_length=100, blank=True)
    reference = models.CharField("文号", max_length=200, blank=True)
    reason = models.TextField("理由", blank=True)
    note = models.TextField("说明", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "处分期满办理"
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(outcome__in=Outcome.values), name="sanction_follow_up_outcome_valid"),
            # 开除党籍 at the end of 留党察看 needs its reason (坚持不改 / 又发现违纪行为).
            models.CheckConstraint(condition=~Q(outcome="expelled") | ~Q(reason=""), name="sanction_expulsion_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.term} {self.get_outcome_display()}"


class ChangeState(models.TextChoices):
    PENDING = "pending", "待登记变更后的处分"
    REGISTERED = "registered", "已登记"
    LAPSED = "lapsed", "已被后续申诉决定取代"


class SanctionChange(models.Model):
    """An appeal decided 变更处理决定: the changed sanction, registered by the trial office."""

    commission = models.ForeignKey(
        "org.Commission", verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="sanction_changes"
    )
    appeal = models.OneToOneField(
        "cases.Appeal", verbose_name="申诉", on_delete=models.PROTECT, related_name="sanction_change"
    )
    decision = models.ForeignKey(
        "cases.PersonDecision", verbose_name="原处理决定", on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField("状态", max_length=10, choices=ChangeState.choices, default=ChangeState.PENDING)
    codes = models.JSONField("变更后的处理方式", default=list, blank=True)
    months = models.PositiveSmallIntegerField("期限（月）", null=True, blank=True)
    start = models.DateField("起算日", null=True, blank=True)
    reference = models.CharField("变更决定文号", max_length=200, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField("登记时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "申诉变更后的处分"
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=ChangeState.values), name="sanction_change_state_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.case.case_number} 申诉变更处理决定"

    @property
    def labels(self) -> list[str]:
        from .rules import MEASURES

        return [MEASURES[c].label if c in MEASURES else c for c in self.codes]
