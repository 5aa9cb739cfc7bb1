"""The duplicate index: fingerprints of documents (reports, clues ...) and the registrar's link decisions.

The index knows documents only as ``(kind, object_id)`` in a commission; it stores no text and no
names — keyed shingle hashes, LSH bucket keys and blind indexes of the accused persons' names.
``services.index_document`` / ``index_documents`` / ``remove_document`` are the only writers of the
index tables: the bucket and person-key rows point at their document without a foreign-key constraint or
an index on the document column (see docs/decisions/0008-duplicate-detection.md), so deleting an
``IndexedDocument`` any other way leaves them behind.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xiezuoqu.org.models import Commission


class IndexedDocument(models.Model):
    """One indexed text: a report, a clue ... identified by the caller's ``(kind, object_id)``."""

    kind = models.CharField("类别", max_length=20)
    object_id = models.BigIntegerField("对象编号")
    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    # Blind indexes (HMAC-SM3, purpose "accused.name") of the accused persons' names, sorted.
    person_keys = models.JSONField("被反映人索引", default=list)
    # The sorted distinct 32-bit keyed shingle hashes, little-endian: the exact Jaccard needs no text,
    # and the MinHash signature and the LSH bucket keys are recomputed from them (minhash.Fingerprint).
    shingles = models.BinaryField("分片哈希", default=b"")
    shingle_count = models.PositiveIntegerField("分片数", default=0)
    created_at = models.DateTimeField("索引时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "重复件索引文档"
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="dedup_document_unique_object")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"


class LshBucket(models.Model):
    """One LSH band of one document: documents sharing a row share a band of their signatures.

    ``bucket_hash`` hashes the band number with the band's values, so one key names (band, bucket).
    The primary key (commission, bucket_hash, document) is the lookup index: a commission's rows lie
    together, and ``commission_id IN (…) AND bucket_hash IN (…)`` is one index range per commission.
    ``commission_id`` repeats the document's commission for that purpose.
    """

    pk = models.CompositePrimaryKey("commission_id", "bucket_hash", "document")
    commission_id = models.BigIntegerField("纪委监委")
    bucket_hash = models.BigIntegerField("桶")
    document = models.ForeignKey(
        IndexedDocument, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "LSH 桶"

    def __str__(self) -> str:
        return f"{self.commission_id}/{self.bucket_hash}→{self.document_id}"


class PersonKey(models.Model):
    """One accused person's blind-indexed name on one document: "same accused person" by index."""

    pk = models.CompositePrimaryKey("commission_id", "key", "document")
    commission_id = models.BigIntegerField("纪委监委")
    key = models.CharField("姓名索引", max_length=64)
    document = models.ForeignKey(
        IndexedDocument, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "被反映人索引"

    def __str__(self) -> str:
        return f"{self.commission_id}/{self.key[:8]}…→{self.document_id}"


class DuplicateLink(models.Model):
    """The registrar's decision on a suggested duplicate: ``(kind, object_id)`` repeats ``other``."""

    class Decision(models.TextChoices):
        CONFIRMED = "confirmed", "确认为重复件"
        REJECTED = "rejected", "不是重复件"

    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类别", max_length=20)
    object_id = models.BigIntegerField("对象编号")
    other_kind = models.CharField("关联类别", max_length=20)
    other_id = models.BigIntegerField("关联对象编号")
    score = models.FloatField("相似度")
    text_score = models.FloatField("内容相似度")
    same_person = models.BooleanField("被反映人姓名相同")
    decision = models.CharField("结论", max_length=10, choices=Decision.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="确认人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("确认时间")
    note = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "重复件关联"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "other_kind", "other_id"], name="dedup_link_unique_pair"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=models.F("other_kind"), object_id=models.F("other_id")),
                name="dedup_link_not_itself",
            ),
        ]
        indexes = [models.Index(fields=["other_kind", "other_id"], name="dedup_link_other")]

    def __str__(self) -> str:
        return f"重复件关联 {self.kind}:{self.object_id} → {self.other_kind}:{self.other_id}"


class ReindexRun(models.Model):
    """One rebuild of the index (``xiezuoqu dedup_reindex``) after a key or banding change.

    It empties the bucket and person-key tables once, at its start, then re-indexes each kind of
    document in primary-key order, batch by batch; ``position`` holds, per kind, the last object id
    done, written in each batch's transaction — so a run that stopped resumes where it stopped.
    """

    kinds = models.JSONField("类别", default=list)
    position = models.JSONField("进度", default=dict)
    indexed = models.BigIntegerField("已重建", default=0)
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "重复件索引重建"

    def __str__(self) -> str:
        return f"索引重建 #{self.pk}"
