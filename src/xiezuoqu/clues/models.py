"""Clues (问题线索), the subjects they are about (被反映人), and what happens to a clue until disposal.

A clue belongs to a commission and to the ledger of its handling unit, numbered from a per-unit,
per-year counter (``ClueCounter``) under a row lock — the unique constraint on (handling unit, year,
sequence) is the backstop. Subjects are a registry of their own, apart from staff: an identity number
is sealed (SM4-GCM) and matched through a blind index, the name through another. Everyone who touches
a clue signs: every write and every reading of its page leaves a ``ClueSignoff`` row (and an audit
event).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from xiezuoqu.crypto import open_sealed, seal
from xiezuoqu.intake.models import Category, Report, ReportAccused
from xiezuoqu.org.models import Commission, StaffMember, Unit, Village, Zone

from .workflow import Action, State


class Rank(models.TextChoices):
    COUNTY = "county", "县处级"
    SECTION = "section", "乡科级"
    CLERK = "clerk", "科级以下"
    VILLAGE = "village", "村（社区）干部"
    OTHER = "other", "其他"


class SupervisionCategory(models.TextChoices):
    """监察对象类别 (监察法第十五条)."""

    CIVIL_SERVANT = "civil_servant", "公务员和参照公务员法管理的人员"
    AUTHORISED = "authorised", "法律法规授权或受委托管理公共事务的人员"
    STATE_ENTERPRISE = "state_enterprise", "国有企业管理人员"
    PUBLIC_INSTITUTION = "public_institution", "公办教育科研文化医疗卫生体育等单位管理人员"
    GRASSROOTS = "grassroots", "基层群众性自治组织中从事管理的人员"
    OTHER_PUBLIC = "other_public", "其他依法履行公职的人员"
    NONE = "none", "非监察对象"


class Subject(models.Model):
    """被反映人: a person clues and cases are about, kept apart from the staff register."""

    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("姓名", max_length=30)
    name_index = models.CharField(max_length=64, db_index=True)
    unit_text = models.CharField("单位", max_length=100, blank=True)
    position = models.CharField("职务", max_length=60, blank=True)
    rank = models.CharField("职级", max_length=12, choices=Rank.choices, default=Rank.OTHER)
    is_party_member = models.BooleanField("中共党员", default=True)
    supervision_category = models.CharField(
        "监察对象类别", max_length=24, choices=SupervisionCategory.choices, default=SupervisionCategory.CIVIL_SERVANT
    )
    is_village_cadre = models.BooleanField("村（社区）干部", default=False)
    township = models.ForeignKey(
        Unit, verbose_name="所在乡镇（街道）", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    village = models.ForeignKey(
        Village, verbose_name="所在村（社区）", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    id_number_sealed = models.TextField(blank=True)
    id_index = models.CharField(max_length=64, blank=True, db_index=True)
    # The staff member of the system this person is, if any: they never see their own clues.
    staff = models.ForeignKey(
        StaffMember, verbose_name="系统内干部", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "被反映人"
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["commission", "name_index"], name="subject_commission_name")]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit_text or '单位不详'}）"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("clues:subject", args=[self.pk])

    @staticmethod
    def id_purpose() -> str:
        return "subject.id_number"

    def context(self) -> bytes:
        return f"commission:{self.commission_id}".encode()

    def seal_id_number(self, value: str) -> None:
        self.id_number_sealed = seal(value, purpose=self.id_purpose(), context=self.context()) if value else ""

    def opened_id_number(self) -> str:
        if not self.id_number_sealed:
            return ""
        return open_sealed(self.id_number_sealed, purpose=self.id_purpose(), context=self.context())


class Source(models.TextChoices):
    REPORTS = "reports", "检举控告"
    INSPECTION = "inspection", "监督检查发现"
    INSPECTION_TOUR = "inspection_tour", "巡察移交"
    AUDIT = "audit", "审计移交"
    SUPERIOR = "superior", "上级交办"
    BIG_DATA = "big_data", "大数据监督"
    OTHER = "other", "其他"


class DisposalMethod(models.TextChoices):
    TALK_OR_LETTER = "talk_or_letter", "谈话函询"
    PRELIMINARY_VERIFICATION = "preliminary_verification", "初步核实"
    HOLD = "hold", "暂存待查"
    CLOSE = "close", "予以了结"


class Clue(models.Model):
    """问题线索: one allegation from its registration in a handling unit's ledger to its disposal."""

    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    handling_unit = models.ForeignKey(Unit, verbose_name="承办单位", on_delete=models.PROTECT, related_name="+")
    # The handling unit's zone when the clue was opened (a unit outside every zone: none).
    zone = models.ForeignKey(
        Zone, verbose_name="协作区", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ledger_year = models.PositiveSmallIntegerField("台账年度")
    ledger_seq = models.PositiveIntegerField("台账序号")
    ledger_number = models.CharField("线索编号", max_length=80)
    source = models.CharField("线索来源", max_length=20, choices=Source.choices)
    source_note = models.CharField("来源说明", max_length=200, blank=True)
    category = models.CharField("问题类别", max_length=24, choices=Category.choices)
    summary = models.CharField("主要问题摘要", max_length=200)
    content = models.TextField("问题线索内容", blank=True)
    received_on = models.DateField("收到日期")
    township = models.ForeignKey(
        Unit, verbose_name="问题所在乡镇（街道）", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    village = models.ForeignKey(
        Village, verbose_name="问题所在村（社区）", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField("办理状态", max_length=28, choices=State.choices)
    state_changed_at = models.DateTimeField("状态变更时间")
    disposal_method = models.CharField("处置方式", max_length=28, choices=DisposalMethod.choices, blank=True)
    disposed_on = models.DateField("处置批准日期", null=True, blank=True)
    review_on = models.DateField("暂存复查日期", null=True, blank=True)
    outcome = models.CharField("办理结果", max_length=200, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "问题线索"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["handling_unit", "ledger_year", "ledger_seq"], name="clue_ledger_number_unique"
            ),
            models.CheckConstraint(
                condition=~Q(state=State.HELD) | Q(review_on__isnull=False), name="clue_held_has_review_date"
            ),
        ]
        indexes = [
            models.Index(fields=["commission", "id"], name="clue_commission_id"),
            models.Index(fields=["handling_unit", "id"], name="clue_handling_unit_id"),
            models.Index(fields=["zone", "id"], name="clue_zone_id"),
            models.Index(fields=["commission", "state", "id"], name="clue_commission_state_id"),
            models.Index(fields=["commission", "state_changed_at"], name="clue_commission_changed"),
        ]

    def __str__(self) -> str:
        return self.ledger_number

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("clues:detail", args=[self.pk])


class ClueCounter(models.Model):
    """The last clue sequence a handling unit used in a year; incremented under a row lock."""

    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    last = models.PositiveIntegerField("已用序号", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "线索编号计数"
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="clue_counter_unique")]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}：{self.last}"


class ClueSubject(models.Model):
    clue = models.ForeignKey(Clue, verbose_name="问题线索", on_delete=models.CASCADE, related_name="subject_links")
    subject = models.ForeignKey(Subject, verbose_name="被反映人", on_delete=models.PROTECT, related_name="clue_links")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "线索被反映人"
        constraints = [models.UniqueConstraint(fields=["clue", "subject"], name="clue_subject_unique")]

    def __str__(self) -> str:
        return f"{self.clue} · {self.subject.name}"


class ClueReport(models.Model):
    """A report that a clue was opened from or joined: one report joins one clue (not handled twice)."""

    clue = models.ForeignKey(Clue, verbose_name="问题线索", on_delete=models.CASCADE, related_name="report_links")
    report = models.OneToOneField(Report, verbose_name="检举控告件", on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "线索来源检举控告件"

    def __str__(self) -> str:
        return f"{self.clue} ← {self.report}"


class AccusedLink(models.Model):
    """A report's 被反映人 row confirmed as a subject of the registry (the user confirmed the match)."""

    accused = models.OneToOneField(ReportAccused, on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="accused_links")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "被反映人关联"

    def __str__(self) -> str:
        return f"{self.accused} → {self.subject}"


class ClueSignoff(models.Model):
    """经手留痕: one touch of a clue (a move, a record, a reading of its page) by one person."""

    clue = models.ForeignKey(Clue, verbose_name="问题线索", on_delete=models.CASCADE, related_name="signoffs")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="经手人", on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField("事项", max_length=40)
    note = models.CharField("说明", max_length=300, blank=True)
    state_before = models.CharField(max_length=28, blank=True)
    state_after = models.CharField(max_length=28, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "线索经手记录"
        ordering = ["clue_id", "id"]

    def __str__(self) -> str:
        return f"{self.clue} {self.action}"

    @property
    def action_label(self) -> str:
        return SIGNOFF_LABELS.get(self.action, self.action)


SIGNOFF_LABELS: dict[str, str] = {
    **dict(Action.choices),
    "viewed": "查阅",
    "subject_linked": "确认被反映人",
    "analysis_recorded": "分析研判记录",
}


class DisposalState(models.TextChoices):
    PENDING = "pending", "报批中"
    APPROVED = "approved", "已批准"
    SENT_BACK = "sent_back", "未获批准"


class ClueDisposal(models.Model):
    """A disposal proposal (处置意见) with its reasons, put to the approvals chain "clue.disposal"."""

    clue = models.ForeignKey(Clue, verbose_name="问题线索", on_delete=models.CASCADE, related_name="disposals")
    method = models.CharField("处置方式", max_length=28, choices=DisposalMethod.choices)
    reason = models.TextField("理由")
    review_on = models.DateField("暂存复查日期", null=True, blank=True)
    propose_clearing = models.BooleanField("拟澄清正名", default=False)
    state = models.CharField("审批状态", max_length=12, choices=DisposalState.choices, default=DisposalState.PENDING)
    approval = models.OneToOneField(
        "approvals.ApprovalRequest", verbose_name="审批", null=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField("提出时间", auto_now_add=True)
    decided_at = models.DateTimeField("审批完成时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "线索处置意见"
        ordering = ["clue_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(method=DisposalMethod.HOLD) | Q(review_on__isnull=False),
                name="disposal_hold_has_review_date",
            ),
            models.UniqueConstraint(
                fields=["clue"], condition=Q(state="pending"), name="disposal_one_pending_per_clue"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clue} 处置意见：{self.get_method_display()}"


class InquiryMode(models.TextChoices):
    TALK = "talk", "谈话"
    LETTER = "letter", "函询"


class InquiryOutcome(models.TextChoices):
    ACCEPT_CLOSE = "accept_close", "采纳说明，予以了结（澄清）"
    REMINDER = "reminder", "谈话提醒"
    CRITICISM = "criticism", "批评教育"
    ORDER_CHECK = "order_check", "责令检查"
    ADMONISH = "admonish", "诫勉"
    AGAIN = "again", "再次谈话函询"
    TO_VERIFICATION = "to_verification", "转初步核实"


class TalkInquiry(models.Model):
    """One round of 谈话函询: a talk held or a letter sent, the reply, and the conclusion."""

    clue = models.ForeignKey(Clue, verbose_name="问题线索", on_delete=models.CASCADE, related_name="inquiries")
    round = models.PositiveSmallIntegerField("轮次", default=1)
    mode = models.CharField("方式", max_length=8, choices=InquiryMode.choices)
    started_on = models.DateField("谈话日期或函询发出日期")
    reply_due_on = models.DateField("回复期限", null=True, blank=True)
    replied_on = models.DateField("回复日期", null=True, blank=True)
    reply_summary = models.TextField("回复（谈话）情况", blank=True)
    countersigned = models.BooleanField("党委（党组）主要负责人已签字", default=False)
    outcome = models.CharField("结论", max_length=20, choices=InquiryOutcome.choices, blank=True)
    outcome_note = models.TextField("结论说明", blank=True)
    clearing_letter = models.BooleanField("出具澄清说明", default=False)
    concluded_on = models.DateField("了结日期", null=True, blank=True)
    officers = models.CharField("谈话（函询）人员", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "谈话函询"
        ordering = ["clue_id", "round"]
        constraints = [models.UniqueConstraint(fields=["clue", "round"], name="inquiry_round_unique")]

    def __str__(self) -> str:
        return f"{self.clue} 第{self.round}次{self.get_mode_display()}"


class AnalysisRecord(models.Model):
    """分析研判记录: the zone's study of a clue — doubts, difficulties, direction, who took part."""

    clue = models.ForeignKey(Clue, verbose_name="问题线索", on_delete=models.CASCADE, related_name="analyses")
    held_on = models.DateField("研判日期")
    doubts = models.TextField("疑点")
    difficulties = models.TextField("难点", blank=True)
    direction = models.TextField("方向（处置建议）")
    participants = models.ManyToManyField(StaffMember, verbose_name="参加人员", related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "分析研判记录"
        ordering = ["clue_id", "held_on", "id"]

    def __str__(self) -> str:
        return f"{self.clue} 研判（{self.held_on:%Y-%m-%d}）"
