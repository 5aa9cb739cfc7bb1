"""澄清正名 (clearing a falsely accused person) and the 诬告陷害 flag (DESIGN §3 "Intake"; issue 5).

- ``Clearing``: after a matter ends with the accusation found untrue (a clue closed 予以了结 or by a
  谈话函询 accepted with a clearing letter; later a withdrawn case), the handling side proposes to clear
  the person; the commission head approves (approval matter ``clearing``); the clearing is then carried
  out by letter or talk, by informing the person's party organisation, or by an announcement, and the
  document (.docx) is numbered in the commission's 澄清 series.
- ``FalseAccusationFlag``: a county may only *flag* suspected 诬告陷害 and pass it to the level that can
  confirm it (the higher commission, or the public security organ); the answer is recorded.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from xiezuoqu.approvals.models import ApprovalRequest
from xiezuoqu.clues.models import Clue, Subject
from xiezuoqu.org.models import Commission


class Method(models.TextChoices):
    LETTER = "letter", "当面或书面向本人澄清（澄清函）"
    PARTY_ORGANISATION = "party_organisation", "向其所在党组织通报澄清"
    ANNOUNCEMENT = "announcement", "在一定范围内公开澄清"


class Finding(models.TextChoices):
    UNTRUE = "untrue", "反映的问题失实"
    UNPROVEN = "unproven", "反映的问题查无实据"


class ClearingState(models.TextChoices):
    PROPOSED = "proposed", "报批中"
    APPROVED = "approved", "已批准，待实施"
    DONE = "done", "已澄清"
    REJECTED = "rejected", "未批准"
    WITHDRAWN = "withdrawn", "已撤回"


class Clearing(models.Model):
    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    clue = models.ForeignKey(Clue, verbose_name="问题线索", on_delete=models.PROTECT, related_name="clearings")
    subject = models.ForeignKey(Subject, verbose_name="被澄清人", on_delete=models.PROTECT, related_name="clearings")
    method = models.CharField("澄清方式", max_length=20, choices=Method.choices)
    finding = models.CharField("核查结论", max_length=10, choices=Finding.choices)
    facts = models.TextField("核查情况")
    audience = models.CharField("澄清范围或通报对象", max_length=200, blank=True)
    state = models.CharField("状态", max_length=10, choices=ClearingState.choices, default=ClearingState.PROPOSED)
    approval = models.OneToOneField(
        ApprovalRequest, verbose_name="审批", on_delete=models.PROTECT, related_name="clearing"
    )
    number_year = models.PositiveSmallIntegerField("文号年度", null=True, blank=True)
    number_seq = models.PositiveIntegerField("文号序号", null=True, blank=True)
    number = models.CharField("文号", max_length=60, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField("提出时间", auto_now_add=True)
    approved_on = models.DateField("批准日期", null=True, blank=True)
    done_on = models.DateField("澄清日期", null=True, blank=True)
    done_note = models.TextField("实施情况", blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "澄清正名"
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["clue", "subject"],
                condition=Q(state__in=["proposed", "approved", "done"]),
                name="one_live_clearing_per_subject_and_clue",
            ),
            models.UniqueConstraint(
                fields=["commission", "number_year", "number_seq"],
                condition=Q(number_seq__isnull=False),
                name="clearing_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"澄清正名 {self.subject.name}（{self.clue.ledger_number}）"


class ClearingCounter(models.Model):
    commission = models.ForeignKey(Commission, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["commission", "year"], name="clearing_counter_unique")]

    def __str__(self) -> str:
        return f"{self.commission_id}/{self.year}: {self.last}"


class FlagState(models.TextChoices):
    FLAGGED = "flagged", "已标注疑似诬告陷害"
    REFERRED = "referred", "已移送有权机关认定"
    CONFIRMED = "confirmed", "经认定属诬告陷害"
    UNFOUNDED = "unfounded", "经认定不属诬告陷害"


class ReferredTo(models.TextChoices):
    HIGHER_COMMISSION = "higher_commission", "上级纪委监委"
    PUBLIC_SECURITY = "public_security", "公安机关"


class FalseAccusationFlag(models.Model):
    clue = models.ForeignKey(Clue, verbose_name="问题线索", on_delete=models.PROTECT, related_name="false_flags")
    grounds = models.TextField("认为涉嫌诬告陷害的依据")
    state = models.CharField("状态", max_length=10, choices=FlagState.choices, default=FlagState.FLAGGED)
    flagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    flagged_at = models.DateTimeField("标注时间", auto_now_add=True)
    referred_to = models.CharField("移送对象", max_length=20, choices=ReferredTo.choices, blank=True)
    referred_on = models.DateField("移送日期", null=True, blank=True)
    referral_note = models.TextField("移送说明", blank=True)
    answered_on = models.DateField("认定日期", null=True, blank=True)
    answer = models.TextField("认定意见", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "疑似诬告陷害标注"
        ordering = ["-flagged_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["clue"], condition=Q(state__in=["flagged", "referred"]), name="one_open_flag_per_clue"
            ),
        ]

    def __str__(self) -> str:
        return f"疑似诬告陷害 {self.clue.ledger_number}"
