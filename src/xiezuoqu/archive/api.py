"""The archive API: build a package (the .zip in the response), verify one (multipart upload), list a
matter's packages, download one. Same scope and services as the pages."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from ninja import File, Router, Schema
from ninja.files import UploadedFile

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.errors import NotFound, ValidationFailed

from . import services
from .models import ArchivePackage
from .selectors import packages_of

router = Router(tags=["archive"])


def _actor(request: HttpRequest) -> Actor:
    actor = actor_for(request.user)
    if not actor.is_staff_worker or actor.is_admin:
        raise NotFound()
    return actor


class PackageOut(Schema):
    id: int
    matter_kind: str
    matter_number: str
    clue_id: int
    case_id: int | None
    filename: str
    sha256: str
    sm3: str
    size: int
    file_count: int
    audit_rows: int
    include_evidence: bool
    built_by: str
    built_at: datetime


class RecordOut(Schema):
    id: int
    matter_number: str
    built_by: str
    built_at: datetime


class PackageVerifyOut(Schema):
    ok: bool
    sha256: str
    matter_number: str
    files_checked: int
    audit_rows_checked: int
    live_checked: bool
    summary: str
    problems: list[str]
    records: list[RecordOut]


def _package(p: ArchivePackage) -> PackageOut:
    return PackageOut(
        id=p.pk,
        matter_kind=p.matter_kind,
        matter_number=p.matter_number,
        clue_id=p.clue_id,
        case_id=p.case_id,
        filename=p.filename,
        sha256=p.sha256,
        sm3=p.sm3,
        size=p.size,
        file_count=p.file_count,
        audit_rows=p.audit_rows,
        include_evidence=p.include_evidence,
        built_by=str(p.built_by),
        built_at=p.built_at,
    )


# The build and download answers are the .zip itself, not JSON: documented as such for clients.
ZIP_ANSWER = {
    "responses": {
        200: {
            "description": "归档包（.zip）",
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def _zip(filename: str, data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@router.post("/cases/{case_id}/build", openapi_extra=ZIP_ANSWER)
def build_for_case(request: HttpRequest, case_id: int, include_evidence: bool = False) -> HttpResponse:
    """生成案件的归档包：响应即 .zip（同时留存并登记其摘要）。"""
    filename, data = services.build_archive_package(
        actor=_actor(request), case_id=case_id, include_evidence=include_evidence, request=request
    )
    return _zip(filename, data)


@router.post("/clues/{clue_id}/build", openapi_extra=ZIP_ANSWER)
def build_for_clue(request: HttpRequest, clue_id: int, include_evidence: bool = False) -> HttpResponse:
    """生成予以了结线索的归档包：响应即 .zip。"""
    filename, data = services.build_archive_package(
        actor=_actor(request), clue_id=clue_id, include_evidence=include_evidence, request=request
    )
    return _zip(filename, data)


@router.get("/cases/{case_id}/packages", response=list[PackageOut])
def case_packages(request: HttpRequest, case_id: int) -> list[PackageOut]:
    actor = _actor(request)
    matter = services.resolve_matter(actor, case_id=case_id)
    return [_package(p) for p in packages_of(actor, clue=matter.clue, case=matter.case)]


@router.get("/clues/{clue_id}/packages", response=list[PackageOut])
def clue_packages(request: HttpRequest, clue_id: int) -> list[PackageOut]:
    actor = _actor(request)
    matter = services.resolve_matter(actor, clue_id=clue_id)
    return [_package(p) for p in packages_of(actor, clue=matter.clue)]


@router.get("/packages/{package_id}/download", openapi_extra=ZIP_ANSWER)
def download(request: HttpRequest, package_id: int) -> HttpResponse:
    filename, data = services.download_package(actor=_actor(request), package_id=package_id, request=request)
    return _zip(filename, data)


@router.post("/verify", response=PackageVerifyOut)
def verify(request: HttpRequest, file: File[UploadedFile]) -> PackageVerifyOut:
    """校验归档包（multipart 上传 file）：签名、文件摘要、文件齐全、审计摘录逐条 MAC 并与现行审计链比对。"""
    actor = _actor(request)
    if file.size is not None and file.size > services.MAX_UPLOAD:
        raise ValidationFailed("文件过大，不是本系统生成的归档包。", field_errors={"file": ["文件过大。"]})
    result, records = services.verify_uploaded(actor=actor, data=file.read(), request=request)
    return PackageVerifyOut(
        ok=result.ok,
        sha256=result.sha256,
        matter_number=result.matter_number,
        files_checked=result.files_checked,
        audit_rows_checked=result.audit_rows_checked,
        live_checked=result.live_checked,
        summary=result.summary(),
        problems=result.problems,
        records=[
            RecordOut(id=r.pk, matter_number=r.matter_number, built_by=str(r.built_by), built_at=r.built_at)
            for r in records
        ],
    )
