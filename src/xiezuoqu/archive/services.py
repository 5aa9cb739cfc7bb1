"""Building, downloading and verifying archive packages. Building is a sensitive action on record
(``archive.package_built``); so are a download and a verification."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.audit.services import record_event
from xiezuoqu.cases.models import Case
from xiezuoqu.cases.selectors import get_case_for
from xiezuoqu.clues.models import Clue
from xiezuoqu.clues.selectors import get_clue_for
from xiezuoqu.clues.workflow import State as ClueState
from xiezuoqu.errors import InvalidTransition, NotFound, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.public.files import IntegrityFailed, decrypt_bytes, encrypt_bytes, sm3_hex

from .models import ArchivePackage, MatterKind
from .package import Matter, VerificationResult, build_package, verify_package
from .selectors import get_package_for, may_build, packages_with_hash

STORAGE_DIR = "archive"
PURPOSE = "archive.package"
MAX_UPLOAD = 512 * 1024 * 1024
REFUSED = "生成或下载归档包，限于案件监督管理室、纪委书记、分管领导和承办本案的人员。"


def _staff(actor: Actor) -> None:
    if actor.user_id is None or actor.is_admin or not actor.is_staff_worker:
        raise NotFound()


def resolve_matter(actor: Actor, *, case_id: Any = None, clue_id: Any = None) -> Matter:
    """The matter through the scoped funnels (404 for missing and forbidden alike); a clue on its own
    only when it was closed (予以了结) without a case."""
    if (case_id is None) == (clue_id is None):
        raise ValidationFailed("请指定一个案件或一条问题线索。")
    if case_id is not None:
        case = get_case_for(actor, case_id)
        return Matter(clue=case.clue, case=case)
    clue = get_clue_for(actor, clue_id)
    if Case.objects.filter(clue=clue).exists():
        raise RuleViolation("该线索已立案，请在案件页面生成归档包。")
    if clue.state != ClueState.CLOSED:
        raise InvalidTransition(
            f"线索当前为“{clue.get_state_display()}”，予以了结后才能单独归档；已立案的线索请从案件归档。"
        )
    return Matter(clue=clue)


def _check_builder(actor: Actor, matter: Matter, action: str) -> None:
    if not may_build(actor, matter.clue):
        target = matter.case if matter.case is not None else matter.clue
        raise NotPermitted(REFUSED, audit_action=action, target_type=target._meta.label_lower, target_id=str(target.pk))


def package_filename(matter: Matter, built_at: Any) -> str:
    return f"归档包-{matter.number}-{timezone.localtime(built_at):%Y%m%d%H%M%S}.zip"


def build_archive_package(
    *,
    actor: Actor,
    case_id: Any = None,
    clue_id: Any = None,
    include_evidence: bool = False,
    request: HttpRequest | None = None,
) -> tuple[str, bytes]:
    """生成归档包: the .zip of the matter (``package.build_package``), kept sealed and recorded
    (``ArchivePackage``: its SHA-256 and SM3) so that a package handed over can be checked later."""
    _staff(actor)
    matter = resolve_matter(actor, case_id=case_id, clue_id=clue_id)
    _check_builder(actor, matter, "archive.package_built")
    built_at = timezone.now()
    # Not in one transaction with the record: an evidence file that fails its check is recorded as
    # such (custody, audit) by the locker and must stay recorded although the package is refused.
    target = matter.case if matter.case is not None else matter.clue
    data = build_package(target, actor=actor, include_evidence=include_evidence, request=request, now=built_at)
    sha256 = hashlib.sha256(data).hexdigest()
    storage_name = default_storage.save(
        f"{STORAGE_DIR}/{sha256[:2]}/{sha256}",
        ContentFile(encrypt_bytes(data, purpose=PURPOSE, context=sha256.encode())),
    )
    filename = package_filename(matter, built_at)
    verified = verify_package(data)
    with transaction.atomic():
        assert actor.user_id is not None
        package = ArchivePackage.objects.create(
            commission_id=matter.clue.commission_id,
            matter_kind=MatterKind(matter.kind),
            clue=matter.clue,
            case=matter.case,
            matter_number=matter.number,
            filename=filename,
            sha256=sha256,
            sm3=sm3_hex(data),
            size=len(data),
            file_count=verified.files_checked,
            audit_rows=verified.audit_rows_checked,
            include_evidence=include_evidence,
            storage_name=storage_name,
            built_by_id=actor.user_id,
            built_at=built_at,
        )
        record_event(
            actor=actor,
            action="archive.package_built",
            target=package,
            detail={
                "matter": matter.kind,
                "number": matter.number,
                "case": matter.case.pk if matter.case else None,
                "clue": matter.clue.pk,
                "sha256": sha256,
                "sm3": package.sm3,
                "size": package.size,
                "files": package.file_count,
                "audit_rows": package.audit_rows,
                "include_evidence": include_evidence,
            },
            request=request,
        )
    if not verified.ok:  # a package this system just built must verify; say so loudly if not
        raise RuleViolation("归档包生成后自检未通过：" + "；".join(verified.problems[:5]))
    return filename, data


def download_package(*, actor: Actor, package_id: Any, request: HttpRequest | None = None) -> tuple[str, bytes]:
    """The stored package, exactly as built (its SHA-256 checked against the record); on record."""
    _staff(actor)
    package = get_package_for(actor, package_id)
    if not may_build(actor, package.clue):
        raise NotPermitted(
            REFUSED,
            audit_action="archive.package_downloaded",
            target_type=package._meta.label_lower,
            target_id=str(package.pk),
        )
    try:
        with default_storage.open(package.storage_name, "rb") as handle:
            blob = handle.read()
    except (FileNotFoundError, OSError) as exc:
        raise IntegrityFailed("归档包的存储文件缺失，请重新生成。") from exc
    data = decrypt_bytes(blob, purpose=PURPOSE, context=package.sha256.encode())
    if hashlib.sha256(data).hexdigest() != package.sha256:
        raise IntegrityFailed("归档包的存储文件与生成时的摘要不符，请报告案件监督管理室核查。")
    with transaction.atomic():
        record_event(
            actor=actor,
            action="archive.package_downloaded",
            target=package,
            detail={"sha256": package.sha256},
            request=request,
        )
    return package.filename, data


def verify_uploaded(
    *, actor: Actor, data: bytes, request: HttpRequest | None = None
) -> tuple[VerificationResult, list[ArchivePackage]]:
    """校验归档包: ``verify_package`` with the live audit chain, and the records (in scope) of a
    package with the same SHA-256. On record (the package's digest and the outcome)."""
    _staff(actor)
    if not data:
        raise ValidationFailed("请选择要校验的归档包（.zip）。", field_errors={"file": ["请选择文件。"]})
    if len(data) > MAX_UPLOAD:
        raise ValidationFailed("文件过大，不是本系统生成的归档包。", field_errors={"file": ["文件过大。"]})
    result = verify_package(data, check_live=True)
    records = packages_with_hash(actor, result.sha256)
    with transaction.atomic():
        record_event(
            actor=actor,
            action="archive.package_verified",
            target=records[0] if records else None,
            target_type="" if records else ArchivePackage._meta.label_lower,
            detail={
                "sha256": result.sha256,
                "ok": result.ok,
                "problems": result.problems[:20],
                "number": result.matter_number,
                "recorded": [r.pk for r in records],
            },
            request=request,
        )
    return result, records


def matter_target(matter: Matter) -> Clue | Case:
    return matter.case if matter.case is not None else matter.clue
