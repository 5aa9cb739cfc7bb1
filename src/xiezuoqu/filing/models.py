"""Filing proposals (立案审查呈批): the team's request to file a case on one subject of a clue, the
zone meeting's recommendation, and the competent body's decision — separate states, each on record.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from xiezuoqu.cases.models import BodyKind
from xiezuoqu.clues.models import Clue, Subject
from xiezuoqu.org.models import Commission, Unit, Zone

from .workflow import OPEN_STATES, State


class BodyDecision(models.TextChoices):
    FILE = "file", "立案"
    DECLINE = "decline", "不予立案"


class FilingProposal(models.Model):
    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    zone = models.ForeignKey(
        Zone, verbose_name="协作区", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    clue = models.ForeignKey(Clue, verbose_name="问题线索", on_delete=models.PROTECT, related_name="filing_proposals")
    subject = models.ForeignKey(Subject, verbose_name="被审查调查人", on_delete=models.PROTECT, related_name="+")
    state = models.CharField("状态", max_length=20, choices=State.choices)
    state_changed_at = models.DateTimeField("状态变更时间")
    # The competent body (有权机关) by cadre-management authority, resolved from the subject.
    body_kind = models.CharField("有权机关类别", max_length=20, choices=BodyKind.choices)
    body_unit = models.ForeignKey(
        Unit, verbose_name="有权机关", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    body_name = models.CharField("有权机关名称", max_length=100)
    # The unit whose authorised user records the body's decision (the township 纪委 for its party
    # committee, the dispatched group itself); none for the commission (its head or leader in charge).
    decider_unit = models.ForeignKey(
        Unit, verbose_name="决定录入单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    facts = models.TextField("主要违纪违法事实")
    basis = models.TextField("立案依据")
    proposal = models.TextField("拟办意见")
    team_text = models.TextField("核查组成员", blank=True)
    measures_summary = models.TextField("初核措施使用情况", blank=True)
    evidence_inventory = models.TextField("证据材料目录", blank=True)
    verification_ref = models.PositiveBigIntegerField("初核报告", null=True, blank=True)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField("起草时间", auto_now_add=True)
    submitted_at = models.DateTimeField("报协作区时间", null=True, blank=True)
    zone_resolution = models.ForeignKey(
        "meetings.Resolution",
        verbose_name="协作区决议",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    zone_decided_at = models.DateTimeField("协作区研究时间", null=True, blank=True)
    body_decision = models.CharField("有权机关决定", max_length=10, choices=BodyDecision.choices, blank=True)
    body_reason = models.TextField("决定理由", blank=True)
    body_document_number = models.CharField("决定文号", max_length=60, blank=True)
    body_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="决定录入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    body_decided_at = models.DateTimeField("决定时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "立案审查呈批"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["clue", "subject"],
                condition=Q(state__in=sorted(OPEN_STATES)),
                name="filing_one_open_per_subject",
            ),
            models.CheckConstraint(
                condition=Q(body_kind="commission") | Q(body_unit__isnull=False), name="filing_body_unit_named"
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["zone_agreed", "zone_disagreed", "body_filed", "body_declined"])
                | Q(zone_resolution__isnull=False),
                name="filing_zone_state_has_resolution",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["body_filed", "body_declined"]) | (~Q(body_decision="") & ~Q(body_reason="")),
                name="filing_body_state_has_decision",
            ),
        ]
        indexes = [models.Index(fields=["commission", "state", "id"], name="filing_commission_state")]

    def __str__(self) -> str:
        return f"{self.clue} · {self.subject.name} 立案审查呈批"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("filing:detail", args=[self.pk])
