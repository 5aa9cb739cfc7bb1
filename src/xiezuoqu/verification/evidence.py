"""The evidence locker (证据库) of a clue: one way in for 初步核实 and 审查调查 alike.

A file is checked before any row is locked (``check_evidence``: name, size ceiling, type by content,
SHA-256 and SM3), then entered inside the caller's transaction (``enter_evidence``: not twice for the
clue, its source measure, sealed with SM4-GCM and stored by content, numbered in the clue's one
inventory, its first custody event and audit event). The caller locks its matter, checks the actor
and its state table, and records its own transition; what differs between the two matters is told
by a ``Locker``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Max, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.audit.services import record_event
from xiezuoqu.errors import RuleViolation, ValidationFailed
from xiezuoqu.public.files import (
    IntegrityFailed,
    RefusedFile,
    StorageFailed,
    clean_name,
    decrypt_bytes,
    encrypt_bytes,
    sm3_hex,
    sniff,
    touch_stored,
)

from .models import CustodyAction, CustodyEvent, EvidenceItem, EvidenceKind, Measure

EVIDENCE_DIR = "evidence"
EVIDENCE_PURPOSE = "evidence"
MAX_EVIDENCE_SIZE = 50 * 1024 * 1024


def evidence_path(sha256: str) -> str:
    """Content-addressed: ``evidence/<sha256[:2]>/<sha256>`` under MEDIA_ROOT."""
    return f"{EVIDENCE_DIR}/{sha256[:2]}/{sha256}"


def read_evidence(storage_name: str, sha256: str, sm3: str) -> bytes:
    """Decrypt and re-hash a stored file; ``IntegrityFailed`` (with what failed) on any mismatch."""
    try:
        with default_storage.open(storage_name, "rb") as handle:
            blob = handle.read()
    except (FileNotFoundError, OSError) as exc:
        raise IntegrityFailed("证据的存储文件缺失。") from exc
    plaintext = decrypt_bytes(blob, purpose=EVIDENCE_PURPOSE, context=sha256.encode())
    if hashlib.sha256(plaintext).hexdigest() != sha256:
        raise IntegrityFailed("证据内容与收集时的 SHA-256 摘要不符。")
    if sm3_hex(plaintext) != sm3:
        raise IntegrityFailed("证据内容与收集时的 SM3 摘要不符。")
    return plaintext


def store_evidence(data: bytes, sha256: str, sm3: str) -> str:
    """Seal and store once per content; a stored copy that no longer verifies is kept for inspection
    and the new one saved beside it."""
    name = evidence_path(sha256)
    if default_storage.exists(name):
        try:
            read_evidence(name, sha256, sm3)
        except IntegrityFailed:
            pass
        else:
            touch_stored(name)
            return name
    blob = encrypt_bytes(data, purpose=EVIDENCE_PURPOSE, context=sha256.encode())
    try:
        return default_storage.save(name, ContentFile(blob))
    except OSError as exc:  # a full or failing disk: the caller's transaction rolls back its rows
        raise StorageFailed(
            "证据存储空间已满或暂时无法写入，本次入库未保存（没有留下任何记录）；请联系系统管理员。"
        ) from exc


@dataclass(frozen=True)
class EvidenceInput:
    title: str
    kind: str
    file_name: str
    data: bytes
    description: str = ""
    source_measure_id: int | None = None
    # The file is the source measure's record (笔录): it becomes the measure's record document.
    as_record: bool = False


@dataclass(frozen=True)
class CheckedEvidence:
    """An upload that passed the checks that need no row: what ``enter_evidence`` stores."""

    data: EvidenceInput
    title: str
    name: str
    content_type: str
    sha256: str
    sm3: str


@dataclass(frozen=True)
class Locker:
    """Where an item is entered: the clue's inventory, and what the matter (初核 or 案件) adds."""

    commission_id: int
    clue_id: int
    # The measures the file may come from (the clue's in 初核, the case's in 审查调查).
    measures: QuerySet[Measure]
    # The refusal when the chosen measure is not among them.
    foreign_measure: str
    # The audit action when the file becomes the measure's record document.
    record_attached: str
    # The matter's link on the item: {"verification": v} or {"case_id": pk}.
    link: dict[str, Any] = field(default_factory=dict)
    # Added to the "evidence.collected" audit detail.
    detail: dict[str, Any] = field(default_factory=dict)


def check_evidence(data: EvidenceInput) -> CheckedEvidence:
    """The title, the kind, the file's name, its size against the ceiling, its type by content, and
    its digests; refused with the field to correct."""
    title = (data.title or "").strip()
    if not title:
        raise ValidationFailed("请填写证据名称。", field_errors={"title": ["请填写证据名称。"]})
    if len(title) > 200:
        raise ValidationFailed("证据名称不能超过 200 字。", field_errors={"title": ["过长。"]})
    if data.kind not in EvidenceKind.values:
        raise ValidationFailed("请选择证据种类。", field_errors={"kind": ["请选择。"]})
    name = clean_name(data.file_name)
    if len(data.data) > MAX_EVIDENCE_SIZE:
        raise ValidationFailed(
            f"文件“{name}”超过 {MAX_EVIDENCE_SIZE // (1024 * 1024)} MB，不能入库；请拆分或压缩后再上传。",
            field_errors={"file": ["文件过大。"]},
        )
    try:
        kind = sniff(name, data.data)
    except RefusedFile as exc:
        raise ValidationFailed(exc.message, field_errors={"file": [exc.message]}) from None
    return CheckedEvidence(
        data=data,
        title=title,
        name=name,
        content_type=kind.content_type,
        sha256=hashlib.sha256(data.data).hexdigest(),
        sm3=sm3_hex(data.data),
    )


def enter_evidence(
    *, actor: Actor, checked: CheckedEvidence, locker: Locker, request: HttpRequest | None = None
) -> EvidenceItem:
    """Enter a checked file in the clue's locker, inside the caller's transaction (its matter locked,
    the actor and the state checked): refused when the clue holds it already or the source measure is
    not the matter's; the measure's record document when ``as_record``."""
    data = checked.data
    same = EvidenceItem.objects.filter(clue_id=locker.clue_id, sha256=checked.sha256).first()
    if same is not None:
        raise RuleViolation(f"该文件已作为证据 {same.number}（{same.title}）入库，无需重复上传。")
    measure = None
    if data.source_measure_id:
        measure = locker.measures.select_for_update().filter(pk=data.source_measure_id).first()
        if measure is None:
            raise ValidationFailed(locker.foreign_measure, field_errors={"source_measure": ["请重新选择。"]})
        # Before the file is stored: a refusal after it would leave the sealed blob on disk.
        if data.as_record and measure.record_document_id is not None:
            raise RuleViolation("该措施已有措施文书；如需更正，请作为普通证据上传并说明。")
    elif data.as_record:
        raise ValidationFailed("作为措施文书上传时，请选择对应的措施。", field_errors={"source_measure": ["请选择。"]})
    number = (EvidenceItem.objects.filter(clue_id=locker.clue_id).aggregate(top=Max("number"))["top"] or 0) + 1
    storage_name = store_evidence(data.data, checked.sha256, checked.sm3)
    assert actor.user_id is not None
    item = EvidenceItem.objects.create(
        commission_id=locker.commission_id,
        clue_id=locker.clue_id,
        **locker.link,
        number=number,
        title=checked.title,
        kind=data.kind,
        description=(data.description or "").strip(),
        original_name=checked.name[:120],
        content_type=checked.content_type,
        size=len(data.data),
        sha256=checked.sha256,
        sm3=checked.sm3,
        storage_name=storage_name,
        source_measure=measure,
        collected_by_id=actor.user_id,
        last_verified_at=timezone.now(),
    )
    CustodyEvent.objects.create(evidence=item, action=CustodyAction.COLLECTED, user_id=actor.user_id)
    record_event(
        actor=actor,
        action="evidence.collected",
        target=item,
        changes={"number": [None, number]},
        detail={
            **locker.detail,
            "sha256": checked.sha256,
            "sm3": checked.sm3,
            "size": item.size,
            "content_type": item.content_type,
        },
        request=request,
    )
    if measure is not None and data.as_record:
        measure.record_document = item
        measure.save(update_fields=["record_document"])
        record_event(
            actor=actor,
            action=locker.record_attached,
            target=measure,
            changes={"record_document": [None, item.pk]},
            request=request,
        )
    return item
