"""The archive package (归档包) of a matter — a case with its clue, or a closed clue without a case — as
one .zip, and its verification.

Layout of the .zip::

    manifest.json           the matter's identity, generated_at, generator, every file with SHA-256 and SM3
    manifest.sig            HMAC over manifest.json (the audit chain's algorithm; key "archive:manifest")
    documents/*.docx|.xlsx  the documents generated from the record (立案审查呈批报告, 会议纪要 of the
                            matter's agenda items, 证据清单, 澄清函 / 澄清通报, 督办单)
    evidence/inventory.json every evidence item: number, title, SHA-256, SM3, size, integrity
    evidence/files/*        the evidence files themselves, only with ``include_evidence=True``
    audit/extract.jsonl     every audit event whose target is the matter or an object hanging from it,
                            with the chain fields (seq, prev_mac, mac), one JSON object a line

``verify_package`` checks the signature, both hashes of every file, that no file is missing or extra,
and recomputes the MAC of every audit row (as ``xiezuoqu audit verify`` does per row); optionally each
row is also compared with the live chain. It needs the keys (the signature and the audit MACs are keyed)
and, for the live comparison only, the database.
"""

from __future__ import annotations

import hashlib
import hmac as std_hmac
import io
import json
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from cryptography.hazmat.primitives import hashes, hmac
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.audit.chain import (
    ALGORITHMS,
    SCALAR_FIELDS,
    Signer,
    canonical_json,
    configured_algorithm,
    mac_message,
    utc_iso,
)
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.cases.models import Case
from xiezuoqu.clues.models import Clue
from xiezuoqu.crypto import keyring
from xiezuoqu.public.files import clean_name, sm3_hex

FORMAT = "xiezuoqu-archive/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
INVENTORY = "evidence/inventory.json"
EVIDENCE_DIR = "evidence/files/"
AUDIT_EXTRACT = "audit/extract.jsonl"
KEY_PURPOSE = "archive:manifest"
# Limits for a package handed in for verification (a zip bomb must not exhaust the server).
MAX_ENTRIES = 5000
MAX_UNCOMPRESSED = 512 * 1024 * 1024
# Reverse relations not followed from the matter: another clue or case is another matter.
_OTHER_MATTERS = {"clues.clue", "cases.case"}


def generator_version() -> str:
    try:
        return version("xiezuoqu")
    except PackageNotFoundError:  # a source checkout without the package metadata
        return "unknown"


@dataclass(frozen=True)
class Matter:
    """What a package archives: a case (with its clue) or a clue without a case."""

    clue: Clue
    case: Case | None = None

    @property
    def kind(self) -> str:
        return "case" if self.case is not None else "clue"

    @property
    def number(self) -> str:
        return self.case.case_number if self.case is not None else self.clue.ledger_number

    @classmethod
    def of(cls, case_or_clue: Case | Clue) -> Matter:
        if isinstance(case_or_clue, Case):
            return cls(clue=case_or_clue.clue, case=case_or_clue)
        return cls(clue=case_or_clue)


# --- what hangs from the matter ---------------------------------------------------------------------------


def _reverse_relations(model: type[models.Model]) -> list[models.ForeignObjectRel]:
    """Every concrete many-to-one or one-to-one relation pointing at ``model`` (hidden ones too)."""
    out: list[models.ForeignObjectRel] = []
    for rel in model._meta.get_fields(include_hidden=True):
        if isinstance(rel, models.ManyToOneRel | models.OneToOneRel) and rel.field.concrete:
            out.append(rel)
    return out


def related_objects(matter: Matter) -> dict[str, set[int]]:
    """``{model label: ids}`` of the matter and of everything hanging from it: the models pointing at
    the clue or the case (verification, measures, evidence, filing proposals, meeting items, recusals,
    clearings, teams ...), the models pointing at those (plans, reports, resolutions, item recusals,
    custody ...), the deadlines, slips and approval requests aimed at any of them."""
    found: dict[str, set[int]] = defaultdict(set)
    found["clues.clue"].add(matter.clue.pk)
    roots: list[tuple[type[models.Model], list[int]]] = [(Clue, [matter.clue.pk])]
    if matter.case is not None:
        found["cases.case"].add(matter.case.pk)
        roots.append((Case, [matter.case.pk]))
    level: list[tuple[type[models.Model], list[int]]] = roots
    for _depth in range(2):
        following: list[tuple[type[models.Model], list[int]]] = []
        for model, ids in level:
            for rel in _reverse_relations(model):
                child = rel.related_model
                assert isinstance(child, type)
                label = child._meta.label_lower
                if label in _OTHER_MATTERS:
                    continue
                child_ids = set(
                    child._default_manager.filter(**{f"{rel.field.name}__in": ids}).values_list("pk", flat=True)
                )
                new = child_ids - found[label]
                if new:
                    found[label] |= new
                    following.append((child, sorted(new)))
        level = following
    _add_generic_targets(found)
    _add_approvals(found)
    return {label: ids for label, ids in found.items() if ids}


def _generic_filter(found: dict[str, set[int]], type_field: str, id_field: str) -> Q:
    """Rows whose (content type, id) pair names one of the objects found."""
    types = ContentType.objects.get_for_models(
        *[m for m in (_model(label) for label in found) if m is not None], for_concrete_models=True
    )
    rule = Q(pk__in=[])
    for model, content_type in types.items():
        ids = found.get(model._meta.label_lower)
        if ids:
            rule |= Q(**{type_field: content_type, f"{id_field}__in": sorted(ids)})
    return rule


def _model(label: str) -> type[models.Model] | None:
    from django.apps import apps

    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _add_generic_targets(found: dict[str, set[int]]) -> None:
    from xiezuoqu.deadlines.models import Deadline, DeadlineExtension, SupervisionSlip
    from xiezuoqu.meetings.models import AgendaItem

    items = set(
        AgendaItem.objects.filter(_generic_filter(found, "target_type", "target_id")).values_list("pk", flat=True)
    )
    found["meetings.agendaitem"] |= items
    deadlines = set(
        Deadline.objects.filter(_generic_filter(found, "target_type", "target_id")).values_list("pk", flat=True)
    )
    found["deadlines.deadline"] |= deadlines
    found["deadlines.supervisionslip"] |= set(
        SupervisionSlip.objects.filter(deadline_id__in=deadlines).values_list("pk", flat=True)
    )
    found["deadlines.deadlineextension"] |= set(
        DeadlineExtension.objects.filter(deadline_id__in=deadlines).values_list("pk", flat=True)
    )
    from xiezuoqu.meetings.models import ItemRecusal, Resolution

    all_items = found["meetings.agendaitem"]
    found["meetings.resolution"] |= set(Resolution.objects.filter(item_id__in=all_items).values_list("pk", flat=True))
    found["meetings.itemrecusal"] |= set(ItemRecusal.objects.filter(item_id__in=all_items).values_list("pk", flat=True))


def _add_approvals(found: dict[str, set[int]]) -> None:
    """Approval requests aimed at an object found, or referenced by one (a disposal's, a plan's ...)."""
    from xiezuoqu.approvals.models import ApprovalRequest

    approvals = set(
        ApprovalRequest.objects.filter(_generic_filter(found, "target_type", "target_id")).values_list("pk", flat=True)
    )
    for label, ids in list(found.items()):
        model = _model(label)
        if model is None or not ids:
            continue
        for f in model._meta.concrete_fields:
            if f.is_relation and f.related_model is ApprovalRequest:
                approvals |= {
                    pk for pk in model._default_manager.filter(pk__in=ids).values_list(f.attname, flat=True) if pk
                }
    found["approvals.approvalrequest"] |= approvals


def audit_rows(found: dict[str, set[int]]) -> list[dict[str, Any]]:
    """The audit events aimed at the objects found, oldest first, each with the fields its MAC covers.

    A meeting's events are the meeting's (it studies several matters): those naming one of this
    matter's items (``detail.item``: added, recused, decided) and those about the meeting as a whole
    (convened, attendance, held, minutes) are taken; those naming another matter's item are not."""
    from xiezuoqu.meetings.models import AgendaItem

    rule = Q(pk__in=[])
    for label, ids in found.items():
        rule |= Q(target_type=label, target_id__in=[str(i) for i in sorted(ids)])
    items = found.get("meetings.agendaitem", set())
    meetings = set(AgendaItem.objects.filter(pk__in=items).values_list("meeting_id", flat=True))
    if meetings:
        rule |= Q(target_type="meetings.meeting", target_id__in=[str(i) for i in sorted(meetings)])
    rows = []
    for event in AuditEvent.objects.filter(rule).order_by("seq").iterator(chunk_size=1000):
        if event.target_type == "meetings.meeting":
            item = event.detail.get("item") if isinstance(event.detail, dict) else None
            if item is not None and item not in items:
                continue
        rows.append(audit_row(event))
    return rows


def audit_row(event: AuditEvent) -> dict[str, Any]:
    row: dict[str, Any] = {name: getattr(event, name) for name in SCALAR_FIELDS}
    row["occurred_at"] = utc_iso(event.occurred_at)
    row["changes"] = event.changes
    row["detail"] = event.detail
    row["prev_mac"] = event.prev_mac
    row["mac"] = event.mac
    return row


def row_mac_valid(row: dict[str, Any], signer: Signer) -> bool:
    """The row's MAC recomputed from its fields (the chain's own message), as the chain verifier does."""
    try:
        scalars = [row[name] for name in SCALAR_FIELDS]
        message = mac_message(row["prev_mac"], scalars, canonical_json(row["changes"]), canonical_json(row["detail"]))
        return std_hmac.compare_digest(signer.mac(message, str(row["algorithm"])), str(row["mac"]))
    except (KeyError, TypeError, ValueError, AttributeError):
        return False


# --- documents ---------------------------------------------------------------------------------------------


@dataclass
class Entry:
    path: str
    data: bytes
    title: str
    kind: str

    def describe(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "title": self.title,
            "kind": self.kind,
            "size": len(self.data),
            "sha256": hashlib.sha256(self.data).hexdigest(),
            "sm3": sm3_hex(self.data),
        }


class _Entries:
    def __init__(self) -> None:
        self.items: list[Entry] = []
        self._paths: set[str] = set()

    def add(self, directory: str, filename: str, data: bytes, title: str, kind: str) -> None:
        name = clean_name(filename) or "file"
        stem, dot, ext = name.rpartition(".")
        if not dot:
            stem, ext = name, ""
        path, n = f"{directory}{name}", 1
        while path in self._paths:
            n += 1
            path = f"{directory}{stem}-{n}{dot}{ext}"
        self.add_fixed(path, data, title, kind)

    def add_fixed(self, path: str, data: bytes, title: str, kind: str) -> None:
        self._paths.add(path)
        self.items.append(Entry(path, data, title, kind))


def _filing_documents(matter: Matter, entries: _Entries) -> None:
    from xiezuoqu.filing.documents import filing_request_docx, filing_request_filename
    from xiezuoqu.filing.models import FilingProposal

    qs = FilingProposal.objects.filter(clue=matter.clue).select_related(
        "commission", "zone", "clue", "clue__handling_unit", "subject", "zone_resolution", "drafted_by"
    )
    if matter.case is not None:
        qs = qs.filter(subject_id=matter.case.subject_id)
    for proposal in qs.order_by("id"):
        entries.add(
            "documents/",
            filing_request_filename(proposal),
            filing_request_docx(proposal),
            f"立案审查呈批报告（{proposal.get_state_display()}）",
            "filing_request",
        )


def _minutes(matter: Matter, found: dict[str, set[int]], entries: _Entries) -> None:
    """会议纪要 of every held meeting with an item of this matter — the matter's items only (纪要摘录):
    other matters studied at the same meeting do not belong in this matter's archive."""
    from xiezuoqu.meetings.documents import minutes_docx, minutes_filename
    from xiezuoqu.meetings.models import AgendaItem, Attendance

    item_ids = found.get("meetings.agendaitem", set())
    items = list(
        AgendaItem.objects.filter(pk__in=item_ids, meeting__state__in=["held", "minutes_issued"])
        .select_related("meeting", "meeting__zone", "meeting__chair", "meeting__commission", "resolution")
        .prefetch_related("recusals__staff")
        .order_by("meeting__scheduled_at", "meeting_id", "order")
    )
    by_meeting: dict[int, list[AgendaItem]] = defaultdict(list)
    for item in items:
        by_meeting[item.meeting_id].append(item)
    for meeting_items in by_meeting.values():
        meeting = meeting_items[0].meeting
        attendances = list(Attendance.objects.filter(meeting=meeting).select_related("staff", "staff__home_unit"))
        entries.add(
            "documents/",
            minutes_filename(meeting).removesuffix(".docx") + "-本案议题.docx",
            minutes_docx(meeting, meeting_items, attendances),
            f"会议纪要（{meeting.title}，本案议题 {len(meeting_items)} 项）",
            "minutes",
        )


def _inventory_documents(actor: Actor, matter: Matter, entries: _Entries, request: HttpRequest | None) -> None:
    from xiezuoqu.verification import exports
    from xiezuoqu.verification.models import EvidenceItem

    if not EvidenceItem.objects.filter(clue=matter.clue).exists():
        return
    number = matter.clue.ledger_number
    entries.add(
        "documents/",
        f"证据清单-{number}.docx",
        exports.export_inventory_docx(actor, matter.clue, request=request),
        "证据清单（Word）",
        "evidence_inventory",
    )
    entries.add(
        "documents/",
        f"证据清单-{number}.xlsx",
        exports.export_inventory_xlsx(actor, matter.clue, request=request),
        "证据清单（Excel）",
        "evidence_inventory",
    )


def _clearing_documents(matter: Matter, entries: _Entries) -> None:
    from xiezuoqu.clearing.documents import clearing_docx, clearing_filename
    from xiezuoqu.clearing.models import Clearing, ClearingState

    for clearing in (
        Clearing.objects.filter(clue=matter.clue, state__in=[ClearingState.APPROVED, ClearingState.DONE])
        .select_related("subject", "clue", "commission")
        .order_by("id")
    ):
        entries.add(
            "documents/",
            clearing_filename(clearing),
            clearing_docx(clearing),
            f"{clearing.get_method_display()}（{clearing.subject.name}）",
            "clearing",
        )


def _slip_documents(found: dict[str, set[int]], entries: _Entries) -> None:
    from xiezuoqu.deadlines.documents import slip_docx, slip_filename
    from xiezuoqu.deadlines.models import SupervisionSlip
    from xiezuoqu.workdays.selectors import work_calendar

    slips = list(
        SupervisionSlip.objects.filter(pk__in=found.get("deadlines.supervisionslip", set()))
        .select_related("commission", "zone", "zone_leader", "deadline", "deadline__responsible_unit")
        .order_by("id")
    )
    if not slips:
        return
    calendar = work_calendar()
    for slip in slips:
        entries.add(
            "documents/", slip_filename(slip), slip_docx(slip, calendar=calendar), f"督办单 {slip.number}", "slip"
        )


def _case_documents(matter: Matter, entries: _Entries) -> None:
    """The case's approved decisions: 处分决定书 or 处理决定, one per person."""
    from xiezuoqu.cases.documents import decision_docx, decision_filename, document_title
    from xiezuoqu.cases.models import DecisionState, PersonDecision

    if matter.case is None:
        return
    for decision in (
        PersonDecision.objects.filter(case=matter.case, state=DecisionState.APPROVED)
        .select_related("case", "case__commission", "subject")
        .order_by("id")
    ):
        entries.add(
            "documents/",
            decision_filename(decision),
            decision_docx(decision),
            f"{document_title(decision)}（{decision.subject.name}）",
            "decision_notice",
        )


# --- evidence -----------------------------------------------------------------------------------------------


def _evidence(
    actor: Actor, matter: Matter, entries: _Entries, include_evidence: bool, request: HttpRequest | None
) -> None:
    from xiezuoqu.verification.models import EvidenceItem
    from xiezuoqu.verification.services import download_evidence

    items = list(EvidenceItem.objects.filter(clue=matter.clue).order_by("number"))
    inventory = [
        {
            "number": item.number,
            "title": item.title,
            "kind": item.kind,
            "original_name": item.original_name,
            "content_type": item.content_type,
            "size": item.size,
            "sha256": item.sha256,
            "sm3": item.sm3,
            "integrity": item.integrity,
            "collected_at": utc_iso(item.collected_at),
            "case_id": item.case_id,
        }
        for item in items
    ]
    entries.add_fixed(INVENTORY, _json(inventory), "证据目录（含摘要）", "evidence_inventory_json")
    if not include_evidence:
        return
    for item in items:
        # Through the locker's own download: decrypted, re-hashed (SHA-256, SM3), refused and recorded
        # on a mismatch, on the custody record and the audit chain otherwise.
        _item, plaintext = download_evidence(actor=actor, evidence_id=item.pk, request=request)
        entries.add(
            EVIDENCE_DIR,
            f"{item.number:03d}-{item.original_name}",
            plaintext,
            f"证据 {item.number}：{item.title}",
            "evidence",
        )


# --- the package ---------------------------------------------------------------------------------------------


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False).encode()


def sign(manifest: bytes, algorithm: str) -> str:
    if algorithm not in ALGORITHMS:
        raise ValueError(algorithm)
    factory: Callable[[], hashes.HashAlgorithm] = ALGORITHMS[algorithm]
    mac = hmac.HMAC(keyring().key_for(KEY_PURPOSE), factory())
    mac.update(manifest)
    return mac.finalize().hex()


def _matter_identity(matter: Matter) -> dict[str, Any]:
    clue = matter.clue
    identity: dict[str, Any] = {
        "kind": matter.kind,
        "number": matter.number,
        "commission": clue.commission.name,
        "clue": {
            "id": clue.pk,
            "ledger_number": clue.ledger_number,
            "received_on": clue.received_on.isoformat(),
            "state": clue.state,
            "handling_unit": clue.handling_unit.name,
            "zone": clue.zone.name if clue.zone_id and clue.zone else "",
        },
    }
    if matter.case is not None:
        case = matter.case
        identity["case"] = {
            "id": case.pk,
            "case_number": case.case_number,
            "filed_on": case.filed_on.isoformat(),
            "state": case.state,
            "subject": case.subject.name,
            "competent_body": case.competent_body_name,
        }
    return identity


def build_package(
    case_or_clue: Case | Clue,
    *,
    actor: Actor,
    include_evidence: bool = False,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> bytes:
    """The .zip of the matter. ``actor`` is who builds it: the inventory export and every evidence
    file taken are on the custody record and the audit chain in their name. Access is the caller's
    business (``services.build_archive_package``)."""
    matter = Matter.of(case_or_clue)
    now = now or timezone.now()
    entries = _Entries()
    found = related_objects(matter)
    _filing_documents(matter, entries)
    _minutes(matter, found, entries)
    _case_documents(matter, entries)
    _clearing_documents(matter, entries)
    _slip_documents(found, entries)
    _inventory_documents(actor, matter, entries, request)
    _evidence(actor, matter, entries, include_evidence, request)
    # Last, so that the exports just made are in the extract too.
    found = related_objects(matter)
    rows = audit_rows(found)
    extract = "".join(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n" for row in rows).encode()
    entries.add_fixed(AUDIT_EXTRACT, extract, "审计记录摘录", "audit_extract")

    algorithm = configured_algorithm()
    manifest = {
        "format": FORMAT,
        "generator": {"name": "xiezuoqu", "version": generator_version()},
        "generated_at": utc_iso(now),
        "generated_by": actor.username,
        "matter": _matter_identity(matter),
        "include_evidence": include_evidence,
        "signature": {"file": SIGNATURE, "algorithm": algorithm, "key": KEY_PURPOSE},
        "audit": {
            "rows": len(rows),
            "first_seq": rows[0]["seq"] if rows else None,
            "last_seq": rows[-1]["seq"] if rows else None,
        },
        "files": [entry.describe() for entry in entries.items],
    }
    manifest_bytes = _json(manifest)
    stamp = timezone.localtime(now).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in [
            (MANIFEST, manifest_bytes),
            (SIGNATURE, (sign(manifest_bytes, algorithm) + "\n").encode()),
            *[(entry.path, entry.data) for entry in entries.items],
        ]:
            info = zipfile.ZipInfo(name, date_time=stamp)  # type: ignore[arg-type]
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


# --- verification ---------------------------------------------------------------------------------------------


@dataclass
class VerificationResult:
    problems: list[str] = field(default_factory=list)
    manifest: dict[str, Any] | None = None
    files_checked: int = 0
    audit_rows_checked: int = 0
    live_checked: bool = False
    sha256: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def matter_number(self) -> str:
        if not self.manifest:
            return ""
        return str((self.manifest.get("matter") or {}).get("number", ""))

    def summary(self) -> str:
        if self.manifest is None:
            return "无法读取归档包。"
        head = (
            f"归档包（{self.matter_number}）：校验文件 {self.files_checked} 个，审计记录 {self.audit_rows_checked} 条"
        )
        head += "，并已与现行审计链比对" if self.live_checked else ""
        if self.ok:
            return head + "。签名正确，文件齐全且未被改动，审计记录 MAC 均正确。"
        return head + f"，发现 {len(self.problems)} 个问题。"


def _read_members(data: bytes, result: VerificationResult) -> dict[str, bytes] | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        result.problems.append("不是有效的 zip 文件，无法读取归档包。")
        return None
    with archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        if len(infos) > MAX_ENTRIES:
            result.problems.append(f"归档包内文件过多（{len(infos)} 个，上限 {MAX_ENTRIES} 个），不予校验。")
            return None
        if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED:
            result.problems.append("归档包解压后过大，不予校验。")
            return None
        members: dict[str, bytes] = {}
        for info in infos:
            name = info.filename
            if name in members:
                result.problems.append(f"归档包内有重名文件：{name}。")
                continue
            try:
                with archive.open(info) as handle:
                    content = handle.read(MAX_UNCOMPRESSED + 1)
            except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, NotImplementedError, EOFError):
                result.problems.append(f"文件 {name} 无法解压（已损坏或被改动）。")
                continue
            if len(content) > MAX_UNCOMPRESSED:
                result.problems.append("归档包解压后过大，不予校验。")
                return None
            members[name] = content
    return members


def verify_package(data: bytes, *, check_live: bool = False) -> VerificationResult:
    """Check a package: signature, every file's two hashes, no missing or extra file, every audit row's
    MAC; with ``check_live`` also each audit row against the live chain. Problems are in Chinese."""
    result = VerificationResult(sha256=hashlib.sha256(data).hexdigest())
    members = _read_members(data, result)
    if members is None:
        return result
    manifest_bytes = members.get(MANIFEST)
    if manifest_bytes is None:
        result.problems.append("缺少 manifest.json（归档清单），无法校验。")
        return result
    try:
        manifest = json.loads(manifest_bytes)
        if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
            raise ValueError
    except ValueError:
        result.problems.append("manifest.json 不是有效的归档清单（无法解析）。")
        return result
    result.manifest = manifest
    _check_signature(manifest, manifest_bytes, members.get(SIGNATURE), result)
    listed = _check_files(manifest, members, result)
    extra = sorted(set(members) - listed - {MANIFEST, SIGNATURE})
    for name in extra:
        result.problems.append(f"多出清单外的文件：{name}（清单中没有此文件，可能是后来放入的）。")
    if AUDIT_EXTRACT in members:
        _check_audit(members[AUDIT_EXTRACT], manifest, result, check_live)
    if INVENTORY in members:
        _check_evidence_files(members, result)
    return result


def _check_signature(
    manifest: dict[str, Any], manifest_bytes: bytes, signature: bytes | None, result: VerificationResult
) -> None:
    if signature is None:
        result.problems.append("缺少 manifest.sig（清单签名），无法确认清单未被改动。")
        return
    algorithm = str((manifest.get("signature") or {}).get("algorithm", ""))
    if algorithm not in ALGORITHMS:
        result.problems.append(f"清单签名算法“{algorithm}”不受支持：清单被改动，或不是本系统生成的归档包。")
        return
    expected = sign(manifest_bytes, algorithm)
    given = signature.decode("ascii", "replace").strip()
    if not std_hmac.compare_digest(expected, given):
        result.problems.append("清单签名不符：manifest.json 或 manifest.sig 被改动，或归档包不是用本系统的密钥生成的。")


def _check_files(manifest: dict[str, Any], members: dict[str, bytes], result: VerificationResult) -> set[str]:
    listed: set[str] = set()
    for entry in manifest["files"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            result.problems.append("manifest.json 中有无效的文件条目。")
            continue
        path = entry["path"]
        listed.add(path)
        content = members.get(path)
        if content is None:
            result.problems.append(f"缺少文件：{path}（清单中有，归档包中没有）。")
            continue
        result.files_checked += 1
        if hashlib.sha256(content).hexdigest() != entry.get("sha256"):
            result.problems.append(f"文件 {path} 的 SHA-256 与清单不符：文件被改动。")
        if sm3_hex(content) != entry.get("sm3"):
            result.problems.append(f"文件 {path} 的 SM3 与清单不符：文件被改动。")
        if len(content) != entry.get("size"):
            result.problems.append(f"文件 {path} 的大小与清单不符。")
    return listed


def _check_audit(extract: bytes, manifest: dict[str, Any], result: VerificationResult, check_live: bool) -> None:
    signer = Signer()
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(extract.decode("utf-8", "replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict):
                raise ValueError
        except ValueError:
            result.problems.append(f"审计摘录第 {number} 行不是有效的记录（无法解析）。")
            continue
        result.audit_rows_checked += 1
        if not row_mac_valid(row, signer):
            result.problems.append(
                f"审计摘录第 {number} 行（seq={row.get('seq')}）的 MAC 不符：该审计记录的内容被改动。"
            )
        rows.append(row)
    expected_rows = (manifest.get("audit") or {}).get("rows")
    if isinstance(expected_rows, int) and expected_rows != result.audit_rows_checked:
        result.problems.append(f"审计摘录应有 {expected_rows} 条记录，实际为 {result.audit_rows_checked} 条。")
    if check_live:
        _check_live(rows, result)


def _check_live(rows: Iterable[dict[str, Any]], result: VerificationResult) -> None:
    by_seq: dict[int, dict[str, Any]] = {row["seq"]: row for row in rows if isinstance(row.get("seq"), int)}
    live: dict[int, str] = {}
    seqs = sorted(by_seq)
    for start in range(0, len(seqs), 1000):
        chunk = seqs[start : start + 1000]
        live.update(AuditEvent.objects.filter(seq__in=chunk).values_list("seq", "mac"))
    for seq in seqs:
        if seq not in live:
            result.problems.append(f"审计摘录 seq={seq} 在现行审计链中不存在。")
        elif not std_hmac.compare_digest(live[seq], str(by_seq[seq].get("mac"))):
            result.problems.append(f"审计摘录 seq={seq} 与现行审计链中的记录不一致。")
    result.live_checked = True


def _check_evidence_files(members: dict[str, bytes], result: VerificationResult) -> None:
    try:
        inventory = json.loads(members[INVENTORY])
        known = {item["sha256"]: item for item in inventory}
    except (ValueError, TypeError, KeyError):
        result.problems.append("evidence/inventory.json 不是有效的证据目录（无法解析）。")
        return
    for name, content in members.items():
        if not name.startswith(EVIDENCE_DIR):
            continue
        digest = hashlib.sha256(content).hexdigest()
        item = known.get(digest)
        if item is None:
            result.problems.append(f"证据文件 {name} 不在证据目录中（摘要与任何证据都不符）。")
        elif sm3_hex(content) != item.get("sm3"):
            result.problems.append(f"证据文件 {name} 的 SM3 与证据目录不符。")
