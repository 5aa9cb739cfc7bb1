"""Reports (检举控告件) and everything registration, routing and the reporter's protection need.

A report belongs to a commission and, once registered, to the ledger (台账) of the unit whose
registrar registered it, under a number in that unit's format (``LedgerFormat``), drawn from a
per-unit, per-year counter (``LedgerCounter``) under a row lock — the unique constraint on
(ledger unit, year, sequence) is the backstop. The reporter's identity lives apart, every field sealed
with SM4-GCM bound to the report (``ReporterIdentity``); the accused are rows of their own, matchable
by a blind index of the name.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from xiezuoqu.crypto import open_sealed, seal
from xiezuoqu.org.models import Commission, StaffMember, Unit, Village, Zone

from .workflow import Action, State


class Channel(models.TextChoices):
    LETTER = "letter", "来信"
    VISIT = "visit", "来访"
    PHONE = "phone", "电话（12388）"
    ONLINE = "online", "网络"
    SUPERIOR = "superior", "上级交办"
    SUPERVISION = "supervision", "监督检查发现"
    INSPECTION_TOUR = "inspection_tour", "巡察移送"
    AUDIT = "audit", "审计移送"
    JUDICIAL = "judicial", "司法机关移送"
    VILLAGE_SUPERVISOR = "village_supervisor", "村级监督员"


class Category(models.TextChoices):
    """问题类别: the six disciplines, 八项规定精神, and the focus areas of the seed."""

    POLITICAL = "political", "违反政治纪律"
    ORGANISATIONAL = "organisational", "违反组织纪律"
    INTEGRITY = "integrity", "违反廉洁纪律"
    MASSES = "masses", "违反群众纪律"
    WORK = "work", "违反工作纪律"
    LIFE = "life", "违反生活纪律"
    EIGHT_RULES = "eight_rules", "违反中央八项规定精神"
    POVERTY = "poverty", "扶贫领域"
    COLLECTIVE_ASSETS = "collective_assets", "集体“三资”"
    FARM_SUBSIDY = "farm_subsidy", "惠农补贴"
    FORMALISM = "formalism", "形式主义、官僚主义"
    OTHER = "other", "其他"


class NotAcceptGround(models.TextChoices):
    """The three grounds for 不予受理 (检举控告工作规则; DESIGN §3)."""

    OTHER_REMEDY = "other_remedy", "应当通过诉讼、仲裁、行政复议等法定途径解决"
    OTHER_AGENCY = "other_agency", "属于其他机关职责范围"
    NO_SUBSTANCE = "no_substance", "仅列举违纪违法名目，无实质内容"


class Report(models.Model):
    """检举控告件: one report from receipt to archive."""

    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    # The unit whose ledger the report is in: the registering unit once registered; before that the
    # unit it was received at (a township for a village supervisor, the petition office for the public).
    ledger_unit = models.ForeignKey(Unit, verbose_name="登记单位", on_delete=models.PROTECT, related_name="+")
    ledger_year = models.PositiveSmallIntegerField("台账年度", null=True, blank=True)
    ledger_seq = models.PositiveIntegerField("台账序号", null=True, blank=True)
    ledger_number = models.CharField("台账编号", max_length=80, blank=True)
    channel = models.CharField("来源渠道", max_length=24, choices=Channel.choices)
    received_on = models.DateField("收件日期")
    registered_at = models.DateTimeField("登记时间", null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField("办理状态", max_length=20, choices=State.choices)
    summary = models.CharField("主要内容摘要", max_length=200)
    content = models.TextField("反映内容")
    category = models.CharField("问题类别", max_length=24, choices=Category.choices)
    township = models.ForeignKey(
        Unit,
        verbose_name="问题所在乡镇（街道）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    village = models.ForeignKey(
        Village, verbose_name="问题所在村（社区）", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The unit whose turn it is to decide 受理归口: the registering unit, then a lower unit it was sent down to.
    routing_unit = models.ForeignKey(
        Unit, verbose_name="受理单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handling_unit = models.ForeignKey(
        Unit, verbose_name="承办单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The zone the report belongs to for scope: the registering unit's zone at registration, or (for a
    # unit outside every zone, such as the petition office) the zone of the first unit it is sent to.
    zone = models.ForeignKey(
        Zone, verbose_name="协作区", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    repeat_of = models.ForeignKey(
        "self", verbose_name="重复件所属原件", null=True, blank=True, on_delete=models.PROTECT, related_name="repeats"
    )
    forwarded_from = models.ForeignKey(
        "self",
        verbose_name="报送或转来的原件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="forwarded_copies",
    )
    is_real_name = models.BooleanField("实名", default=False)
    # 反映本级纪委监委主要负责人: forwarded straight up, and never shown to the head.
    concerns_head = models.BooleanField("反映本级主要负责人", default=False)
    source_public = models.BooleanField("网络举报平台提交", default=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交人（村级监督员）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The public reporter's receipt: a 16-digit code shown once. Stored as a slow salted hash
    # (argon2 via make_password) plus its first digits, which are not secret and make the lookup indexed.
    receipt_prefix = models.CharField("回执码前缀", max_length=6, blank=True, db_index=True)
    receipt_digest = models.CharField("回执码摘要", max_length=200, blank=True)
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    concluded_on = models.DateField("办结日期", null=True, blank=True)
    result = models.TextField("处理结果", blank=True)
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "检举控告件"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ledger_unit", "ledger_year", "ledger_seq"], name="report_ledger_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(state=State.RECEIVED) | Q(ledger_seq__isnull=False, ledger_year__isnull=False),
                name="report_registered_has_number",
            ),
            models.CheckConstraint(
                condition=~Q(state=State.REPEAT) | Q(repeat_of__isnull=False), name="report_repeat_names_original"
            ),
            models.CheckConstraint(
                condition=~Q(state__in=[State.ASSIGNED, State.CONCLUDED, State.FEEDBACK_GIVEN])
                | Q(handling_unit__isnull=False),
                name="report_assigned_has_handling_unit",
            ),
        ]
        # Every ledger page filters by one of these and walks the id downwards (keyset pagination).
        indexes = [
            models.Index(fields=["commission", "id"], name="report_commission_id"),
            models.Index(fields=["ledger_unit", "id"], name="report_ledger_unit_id"),
            models.Index(fields=["routing_unit", "id"], name="report_routing_unit_id"),
            models.Index(fields=["handling_unit", "id"], name="report_handling_unit_id"),
            models.Index(fields=["zone", "id"], name="report_zone_id"),
            models.Index(fields=["commission", "state", "id"], name="report_commission_state_id"),
            models.Index(fields=["commission", "received_on"], name="report_commission_received"),
        ]

    def __str__(self) -> str:
        # Shown in the audit log and in approvals: the number only, never the content or the reporter.
        return self.ledger_number or f"待登记件（第{self.pk}号）"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("intake:detail", args=[self.pk])

    @property
    def reporter_reference(self) -> str:
        """What everyone but the petition office sees of a real-name reporter: a reference, no identity."""
        return f"JBR-{self.pk:07d}"

    @property
    def is_registered(self) -> bool:
        return self.state != State.RECEIVED


class ReportAccused(models.Model):
    """被反映人: a person a report is about (name, unit, position, where)."""

    report = models.ForeignKey(Report, verbose_name="检举控告件", on_delete=models.CASCADE, related_name="accused")
    name = models.CharField("姓名", max_length=30)
    unit_text = models.CharField("单位", max_length=100, blank=True)
    position = models.CharField("职务", max_length=60, blank=True)
    township = models.ForeignKey(
        Unit, verbose_name="所在乡镇（街道）", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    village = models.ForeignKey(
        Village, verbose_name="所在村（社区）", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Blind index (HMAC-SM3) of the normalised name: matches other reports about the same person.
    name_index = models.CharField(max_length=64, blank=True, db_index=True)
    # The staff member of the system this person is, when the registrar recognised one: that person
    # (and, for the head, the whole report) is kept out of the report's scope.
    staff = models.ForeignKey(
        StaffMember, verbose_name="系统内干部", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "被反映人"
        ordering = ["report_id", "order", "id"]
        indexes = [models.Index(fields=["staff", "report"], name="accused_staff_report")]

    def __str__(self) -> str:
        return self.name


IDENTITY_FIELDS: dict[str, str] = {
    "name": "姓名",
    "phone": "联系电话",
    "id_number": "身份证号码",
    "address": "通讯地址",
    "work_unit": "工作单位",
}


class ReporterIdentity(models.Model):
    """A real-name reporter's identity: every field sealed (SM4-GCM) and bound to its report."""

    report = models.OneToOneField(
        Report, verbose_name="检举控告件", on_delete=models.CASCADE, primary_key=True, related_name="identity"
    )
    name_sealed = models.TextField(blank=True)
    phone_sealed = models.TextField(blank=True)
    id_number_sealed = models.TextField(blank=True)
    address_sealed = models.TextField(blank=True)
    work_unit_sealed = models.TextField(blank=True)
    # Blind indexes: the same reporter across reports, and (later) recusal of a reporter's kin.
    id_index = models.CharField(max_length=64, blank=True, db_index=True)
    name_index = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "举报人身份"

    def __str__(self) -> str:
        return f"举报人（{self.report}）"

    @staticmethod
    def purpose(field: str) -> str:
        return f"reporter.{field}"

    def context(self) -> bytes:
        return f"report:{self.report_id}".encode()

    def seal_fields(self, values: dict[str, str]) -> None:
        """Seal the given plaintext fields onto this row (the report must already have its id)."""
        for field in IDENTITY_FIELDS:
            plain = (values.get(field) or "").strip()
            setattr(self, f"{field}_sealed", seal(plain, purpose=self.purpose(field), context=self.context()))

    def opened(self) -> dict[str, str]:
        """The plaintext fields. Callers are the audited selectors only (``reveal_identity``)."""
        return {
            field: open_sealed(getattr(self, f"{field}_sealed"), purpose=self.purpose(field), context=self.context())
            for field in IDENTITY_FIELDS
        }


class IdentityGrant(models.Model):
    """Time-limited access to one report's reporter identity, after the commission head approved it."""

    report = models.ForeignKey(Report, verbose_name="检举控告件", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="获准人", on_delete=models.CASCADE, related_name="+"
    )
    approval = models.OneToOneField(
        "approvals.ApprovalRequest", verbose_name="审批", on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField("批准时间")
    expires_at = models.DateTimeField("有效期至")

    class Meta:
        verbose_name = verbose_name_plural = "举报人身份查阅授权"
        indexes = [models.Index(fields=["user", "report", "expires_at"], name="identity_grant_lookup")]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("granted_at")), name="identity_grant_expires")
        ]

    def __str__(self) -> str:
        return f"{self.user} 查阅 {self.report} 举报人身份"


class MessageKind(models.TextChoices):
    QUESTION = "question", "向举报人询问"
    ANSWER = "answer", "举报人答复"
    MATERIAL = "material", "举报人补充材料"
    ACCEPTANCE_NOTICE = "acceptance_notice", "受理情况告知"
    FEEDBACK = "feedback", "办理结果反馈"
    OBJECTION = "objection", "举报人异议"
    OBJECTION_ANSWER = "objection_answer", "异议答复"


FROM_REPORTER = frozenset({MessageKind.ANSWER, MessageKind.MATERIAL, MessageKind.OBJECTION})


class NoticeMethod(models.TextChoices):
    PLATFORM = "platform", "网络平台（回执码查询）"
    PHONE = "phone", "电话"
    LETTER = "letter", "书面"
    IN_PERSON = "in_person", "当面"
    SMS = "sms", "短信"


class ReportMessage(models.Model):
    """One exchange with the reporter: a question and its answer, a notice, feedback, an objection."""

    report = models.ForeignKey(Report, verbose_name="检举控告件", on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField("类别", max_length=20, choices=MessageKind.choices)
    text = models.TextField("内容")
    method = models.CharField("方式", max_length=12, choices=NoticeMethod.choices, blank=True)
    # Staff who wrote or recorded it; empty when the reporter wrote it on the public site.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="经办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reply_to = models.ForeignKey(
        "self", verbose_name="回复", null=True, blank=True, on_delete=models.PROTECT, related_name="replies"
    )
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "与举报人往来"
        ordering = ["report_id", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.report}）"

    @property
    def from_reporter(self) -> bool:
        return self.kind in FROM_REPORTER


class RoutingDecision(models.Model):
    """One decision of 受理归口 / 分办 with its ground, target, reason and due date."""

    report = models.ForeignKey(Report, verbose_name="检举控告件", on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField("决定", max_length=20, choices=Action.choices)
    ground = models.CharField("不予受理理由", max_length=20, choices=NotAcceptGround.choices, blank=True)
    target_unit = models.ForeignKey(
        Unit, verbose_name="转往单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target_commission = models.ForeignKey(
        Commission,
        verbose_name="报送或转往的纪委监委",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    target_agency = models.CharField("接收机关", max_length=100, blank=True)
    repeat_of = models.ForeignKey(
        Report, verbose_name="原件", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField("理由")
    rule = models.CharField("依据", max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="决定人", on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("决定时间")
    decided_on = models.DateField("决定日期")
    due_on = models.DateField("办理时限", null=True, blank=True)
    # The due date was counted into a year whose calendar is not entered (weekends only): provisional,
    # shown as such, and recounted with the report's timer when the year is entered (ADR 0021).
    due_provisional = models.BooleanField("办理时限待日历确认", default=False)
    # Forward up / to a lower commission: when and how the report left (in-system to the other
    # commission, or by letter).
    sent_on = models.DateField("报送日期", null=True, blank=True)
    sent_via = models.CharField("报送方式", max_length=40, blank=True)
    document_no = models.CharField("文号", max_length=60, blank=True)
    forwarded_report = models.ForeignKey(
        Report, verbose_name="对方收到的件", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "受理归口决定"
        ordering = ["report_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=Action.NOT_ACCEPT) | ~Q(ground=""), name="routing_not_accept_has_ground"
            ),
            models.CheckConstraint(
                condition=~Q(kind=Action.MARK_REPEAT) | Q(repeat_of__isnull=False), name="routing_repeat_has_original"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.report}）"


class LedgerFormat(models.Model):
    """A unit's ledger number format, e.g. ``{commission}信〔{year}〕{seq}号`` → 凤纪信〔2026〕37号."""

    unit = models.OneToOneField(Unit, verbose_name="单位", on_delete=models.CASCADE, related_name="ledger_format")
    pattern = models.CharField("编号格式", max_length=80)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = verbose_name_plural = "台账编号格式"

    def __str__(self) -> str:
        return f"{self.unit}：{self.pattern}"


class LedgerCounter(models.Model):
    """The last ledger sequence a unit used in a year; incremented under a row lock at registration."""

    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    last = models.PositiveIntegerField("已用序号", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "台账编号计数"
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="ledger_counter_unique")]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}：{self.last}"


class Notification(models.Model):
    """A bell item: a new report in a ledger the recipient keeps (受理归口: 即时报告)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="+"
    )
    report = models.ForeignKey(Report, verbose_name="检举控告件", on_delete=models.CASCADE, related_name="+")
    text = models.CharField("内容", max_length=200)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "信访通知"
        ordering = ["-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "id"], name="notification_inbox")]

    def __str__(self) -> str:
        return self.text


class QuarterlyResultReport(models.Model):
    """承办部门每季度向信访室报送实名举报办理结果: one row per handling unit and quarter."""

    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    handling_unit = models.ForeignKey(Unit, verbose_name="承办单位", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度")
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="报送人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    report_count = models.PositiveIntegerField("办结件数", default=0)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "实名举报办理结果季度报送"
        ordering = ["-year", "-quarter", "handling_unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["handling_unit", "year", "quarter"], name="quarterly_result_unique"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="quarterly_result_quarter"),
        ]

    def __str__(self) -> str:
        return f"{self.handling_unit} {self.year}年第{self.quarter}季度实名举报办理结果"
