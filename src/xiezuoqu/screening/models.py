"""大数据监督 (issue 15): payment records of village collective finance (三资) and subsidies (惠农, 扶贫),
screened by explainable rules.

- ``ImportBatch``: one imported file (who, when, its SHA-256/SM3, the commission, the kind of money).
- ``Payment``: one payment row. The payee's ID number is stored the way the product stores every
  personal ID (``intake.ReporterIdentity``): sealed with SM4-GCM (bound to its batch and line) plus a
  blind index (HMAC-SM3) so that equal numbers match in SQL without being stored; only the last four
  characters are kept in clear for display.
- ``ReferenceList`` / ``ReferenceEntry``: the list of persons dead or moved away (from the civil
  affairs / public security data), imported the same way.
- ``ScreeningRule``: the rules as data — per commission a code, a name, its parameters and on/off.
- ``ItemStandard``: the standard amount per item (the rule "amount above the standard" reads it).
- ``Hit`` / ``HitRow``: what a rule found — the rows it names, the explanation, the state
  (open → dismissed | clue) with the dismissal reason or the clue made from it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from xiezuoqu.clues.models import Clue
from xiezuoqu.org.models import Commission, DeclaredRelationship, StaffMember, Unit, Village, Zone

ID_PURPOSE = "screening.id_number"


class MoneyKind(models.TextChoices):
    ASSETS = "assets", "集体“三资”"
    FARM_SUBSIDY = "farm_subsidy", "惠农补贴"
    POVERTY = "poverty", "扶贫资金"


class ImportBatch(models.Model):
    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("资金类别", max_length=16, choices=MoneyKind.choices)
    file_name = models.CharField("文件名", max_length=120)
    sha256 = models.CharField("SHA-256", max_length=64)
    sm3 = models.CharField("SM3", max_length=64)
    row_count = models.PositiveIntegerField("笔数", default=0)
    total_amount = models.DecimalField("金额合计（元）", max_digits=16, decimal_places=2, default=0)
    # The column mapping used (template column → the file's header), kept for the record.
    mapping = models.JSONField("列名对应", default=dict, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "资金发放数据导入批次"
        ordering = ["-id"]
        constraints = [
            # The same file is imported once per commission (a second import would double every row).
            models.UniqueConstraint(fields=["commission", "sha256"], name="screening_batch_file_once"),
        ]

    def __str__(self) -> str:
        return f"导入批次第{self.pk}号（{self.get_kind_display()}，{self.file_name}）"


class Payment(models.Model):
    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    batch = models.ForeignKey(ImportBatch, verbose_name="导入批次", on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField("资金类别", max_length=16, choices=MoneyKind.choices)
    line_no = models.PositiveIntegerField("文件行号")
    township = models.ForeignKey(Unit, verbose_name="乡镇（街道）", on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(
        Village, verbose_name="村（社区）", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payer = models.CharField("发放单位", max_length=100, blank=True)
    payee_name = models.CharField("收款人", max_length=30)
    id_sealed = models.TextField("身份证号码（密文）")
    id_index = models.CharField("身份证号码索引", max_length=64)
    id_tail = models.CharField("身份证号码末四位", max_length=4)
    item = models.CharField("项目", max_length=60)
    amount = models.DecimalField("金额（元）", max_digits=14, decimal_places=2)
    paid_on = models.DateField("发放日期")
    # The payment date as a day number (date.toordinal()): windows of N days in portable SQL.
    day_number = models.PositiveIntegerField("日序")
    period = models.CharField("所属期", max_length=20)
    approver = models.CharField("审批人", max_length=30, blank=True)
    voucher = models.CharField("凭证号", max_length=40, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "资金发放记录"
        ordering = ["batch_id", "line_no"]
        indexes = [
            models.Index(fields=["commission", "id_index", "item", "period"], name="screening_pay_dup"),
            models.Index(fields=["commission", "id_index", "day_number"], name="screening_pay_window"),
            models.Index(fields=["commission", "payee_name"], name="screening_pay_name"),
            models.Index(fields=["commission", "item"], name="screening_pay_item"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="screening_payment_amount_positive"),
            models.UniqueConstraint(fields=["batch", "line_no"], name="screening_payment_line_once"),
        ]

    def __str__(self) -> str:
        return f"{self.payee_name} {self.item} {self.amount} 元（{self.paid_on:%Y-%m-%d}）"

    @property
    def id_masked(self) -> str:
        return f"**************{self.id_tail}"


class ReferenceList(models.Model):
    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField("文件名", max_length=120)
    sha256 = models.CharField("SHA-256", max_length=64)
    sm3 = models.CharField("SM3", max_length=64)
    row_count = models.PositiveIntegerField("人数", default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "死亡及迁出人员名单"
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["commission", "sha256"], name="screening_reflist_file_once")]

    def __str__(self) -> str:
        return f"比对名单第{self.pk}号（{self.file_name}）"


class PersonStatus(models.TextChoices):
    DECEASED = "deceased", "死亡"
    MOVED = "moved", "迁出"


class ReferenceEntry(models.Model):
    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    reference_list = models.ForeignKey(
        ReferenceList, verbose_name="名单", on_delete=models.PROTECT, related_name="entries"
    )
    line_no = models.PositiveIntegerField("文件行号")
    status = models.CharField("情形", max_length=10, choices=PersonStatus.choices)
    person_name = models.CharField("姓名", max_length=30)
    id_sealed = models.TextField("身份证号码（密文）")
    id_index = models.CharField("身份证号码索引", max_length=64)
    id_tail = models.CharField("身份证号码末四位", max_length=4)
    since = models.DateField("死亡或迁出日期")
    township = models.ForeignKey(
        Unit, verbose_name="乡镇（街道）", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "死亡及迁出人员"
        ordering = ["reference_list_id", "line_no"]
        indexes = [models.Index(fields=["commission", "id_index"], name="screening_ref_index")]

    def __str__(self) -> str:
        return f"{self.person_name}（{self.get_status_display()}，{self.since:%Y-%m-%d}）"


class RuleCode(models.TextChoices):
    DUPLICATE_PAYEE = "duplicate_payee", "同一身份证号同一项目同期重复领取"
    CADRE_RELATIVE = "cadre_relative", "向干部本人或其申报的亲属发放"
    DECEASED_OR_MOVED = "deceased_or_moved", "向已死亡或已迁出人员发放"
    OVER_STANDARD = "over_standard", "发放金额超过项目标准"
    SPLIT_PAYMENTS = "split_payments", "拆分发放规避审批"
    ROUND_CLUSTER = "round_cluster", "整数金额集中出现"


class ScreeningRule(models.Model):
    """A rule as data. What each parameter means depends on the rule (``detectors.RULES``)."""

    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    code = models.CharField("规则代码", max_length=24, choices=RuleCode.choices)
    name = models.CharField("规则名称", max_length=60)
    enabled = models.BooleanField("启用", default=True)
    threshold = models.DecimalField("金额阈值（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    window_days = models.PositiveSmallIntegerField("时间窗口（天）", null=True, blank=True)
    min_count = models.PositiveSmallIntegerField("最少笔数", null=True, blank=True)
    ratio = models.DecimalField("比例", max_digits=4, decimal_places=2, null=True, blank=True)
    basis = models.TextField("依据与说明", blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "筛查规则"
        ordering = ["commission_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["commission", "code"], name="screening_rule_once"),
            models.CheckConstraint(
                condition=Q(threshold__isnull=True) | Q(threshold__gt=0), name="screening_rule_threshold"
            ),
            models.CheckConstraint(
                condition=Q(ratio__isnull=True) | Q(ratio__gt=0, ratio__lte=1), name="screening_rule_ratio"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ItemStandard(models.Model):
    """The most one payee may receive for one item in one period (a subsidy's published standard)."""

    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("资金类别", max_length=16, choices=MoneyKind.choices)
    item = models.CharField("项目", max_length=60)
    max_amount = models.DecimalField("标准（元/人·期）", max_digits=14, decimal_places=2)
    basis = models.CharField("依据", max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "项目发放标准"
        ordering = ["commission_id", "kind", "item"]
        constraints = [
            models.UniqueConstraint(fields=["commission", "kind", "item"], name="screening_standard_once"),
            models.CheckConstraint(condition=Q(max_amount__gt=0), name="screening_standard_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.item} 标准 {self.max_amount} 元"


class HitState(models.TextChoices):
    OPEN = "open", "待核查"
    DISMISSED = "dismissed", "已排除"
    CLUE = "clue", "已转为问题线索"


class Hit(models.Model):
    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey(ScreeningRule, verbose_name="规则", on_delete=models.PROTECT, related_name="hits")
    # The township of the rows (scope: the zone whose member it is), and the village when one.
    township = models.ForeignKey(Unit, verbose_name="乡镇（街道）", on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(
        Village, verbose_name="村（社区）", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    zone = models.ForeignKey(
        Zone, verbose_name="协作区", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payee_name = models.CharField("收款人", max_length=30, blank=True)
    # SHA-256 of the rule code and the sorted row ids: a rerun finds the same hit and does not add it again.
    fingerprint = models.CharField(max_length=64)
    explanation = models.TextField("命中说明")
    # The cadre a hit names (cadre_relative: the cadre himself, or the cadre who declared the relative):
    # he neither reads nor decides it (the clue funnel's own-matter rule).
    staff = models.ForeignKey(
        StaffMember, verbose_name="涉及干部", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The declared relationship a hit rests on, and the explanation that names it: shown only to a reader
    # of that declaration (org.selectors.relationships_visible_to); others read ``explanation``.
    relationship = models.ForeignKey(
        DeclaredRelationship,
        verbose_name="利害关系申报",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    relation_note = models.TextField("命中说明（含申报关系）", blank=True)
    row_count = models.PositiveIntegerField("涉及笔数")
    amount_total = models.DecimalField("涉及金额（元）", max_digits=16, decimal_places=2)
    state = models.CharField("状态", max_length=10, choices=HitState.choices, default=HitState.OPEN)
    dismissal_reason = models.TextField("排除理由", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    clue = models.OneToOneField(
        Clue, verbose_name="问题线索", null=True, blank=True, on_delete=models.PROTECT, related_name="screening_hit"
    )
    found_at = models.DateTimeField("发现时间", auto_now_add=True)
    rows: models.ManyToManyField[Payment, HitRow] = models.ManyToManyField(
        Payment, through="HitRow", related_name="hits"
    )

    class Meta:
        verbose_name = verbose_name_plural = "筛查疑点"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["commission", "state", "-id"], name="screening_hit_state"),
            models.Index(fields=["township", "state", "-id"], name="screening_hit_township"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["commission", "rule", "fingerprint"], name="screening_hit_once"),
            models.CheckConstraint(condition=Q(state__in=HitState.values), name="screening_hit_state_valid"),
            models.CheckConstraint(
                condition=~Q(state="dismissed") | ~Q(dismissal_reason=""), name="screening_hit_dismissed_reason"
            ),
            models.CheckConstraint(condition=~Q(state="clue") | Q(clue__isnull=False), name="screening_hit_clue_link"),
        ]

    def __str__(self) -> str:
        return f"疑点第{self.pk}号（{self.rule.name}）"


class HitRow(models.Model):
    hit = models.ForeignKey(Hit, on_delete=models.CASCADE, related_name="hit_rows")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "疑点涉及记录"
        constraints = [models.UniqueConstraint(fields=["hit", "payment"], name="screening_hit_row_once")]

    def __str__(self) -> str:
        return f"疑点第{self.hit_id}号 · 记录第{self.payment_id}号"
