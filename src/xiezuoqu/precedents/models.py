"""类案参考: the facts of a case that similar-case guidance compares (案情要素).

The case itself records its 问题类别 (the clue's category) and the subject's 职级, but not the articles it
was judged under, the amount involved or the circumstances — the trial office types them here, on the
case being drafted and on every case it decides (DESIGN §7, issue 15). ``CaseFacts`` is one row per
case; ``CaseFactKey`` repeats its category and each article as searchable keys (``"c:poverty"``,
``"a:102"``) next to the commission and the decision date, so that the lookup pre-filters its
candidates on one index (key, commission, decided_on) instead of scanning a national year of decided
cases.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xiezuoqu.cases.models import Case
from xiezuoqu.clues.models import Rank
from xiezuoqu.intake.models import Category
from xiezuoqu.org.models import Commission

# 中国共产党纪律处分条例 (2023 修订, 2024-01-01 施行) has 158 articles.
MAX_ARTICLE = 158


class Circumstance(models.TextChoices):
    """情节: 从轻或者减轻 (纪律处分条例 第十七条) and 从重或者加重 (第二十条) — the common ones."""

    CONFESSED = "confessed", "主动交代本人应当受到党纪处分的问题"
    COOPERATED = "cooperated", "积极配合审查调查，如实说明违纪违法事实"
    REPORTED_OTHERS = "reported_others", "检举他人问题经查证属实"
    RECOVERED_LOSSES = "recovered_losses", "主动挽回损失、消除不良影响"
    RETURNED_GAINS = "returned_gains", "主动上交或者退赔违纪所得"
    MERITORIOUS = "meritorious", "有其他立功表现"
    COERCED_OTHERS = "coerced_others", "强迫、唆使他人违纪"
    REFUSED_RETURN = "refused_return", "拒不上交或者退赔违纪所得"
    REPEATED = "repeated", "受处分后又因故意违纪应当受到处分"
    OBSTRUCTED = "obstructed", "串供或者伪造、销毁、转移、隐匿证据"
    RETALIATED = "retaliated", "对检举人、证人打击报复"
    LIED = "lied", "向组织说谎、对抗组织审查"


AGGRAVATING = frozenset(
    {
        Circumstance.COERCED_OTHERS,
        Circumstance.REFUSED_RETURN,
        Circumstance.REPEATED,
        Circumstance.OBSTRUCTED,
        Circumstance.RETALIATED,
        Circumstance.LIED,
    }
)


class CaseFacts(models.Model):
    """案情要素 of one case: what its guidance compares (the outcome is the case's approved decision)."""

    case = models.OneToOneField(Case, verbose_name="案件", on_delete=models.CASCADE, related_name="facts")
    # The case's commission, its clue's category and its subject's 职级, copied when the facts are
    # recorded so that the lookup reads one table (none of them changes after 立案).
    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    category = models.CharField("问题类别", max_length=24, choices=Category.choices)
    rank = models.CharField("职级", max_length=12, choices=Rank.choices)
    articles = models.JSONField("违反条款（纪律处分条例第几条）", default=list)
    amount = models.DecimalField("涉案金额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    circumstances = models.JSONField("情节", default=list)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField("登记时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "案情要素"

    def __str__(self) -> str:
        return f"{self.case_id} 案情要素"


class CaseFactKey(models.Model):
    """One searchable key of a case's facts: ``c:<category>`` or ``a:<article>``."""

    facts = models.ForeignKey(CaseFacts, on_delete=models.CASCADE, related_name="keys")
    commission = models.ForeignKey(Commission, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=30)
    # The date the case's decision was approved (none before): the lookup takes the most recent decided
    # candidates from this index alone, before it reads any facts or decision.
    decided_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "案情要素检索键"
        constraints = [models.UniqueConstraint(fields=["facts", "key"], name="case_fact_key_unique")]
        indexes = [models.Index(fields=["key", "commission", "decided_on", "facts"], name="case_fact_key_decided")]

    def __str__(self) -> str:
        return self.key
