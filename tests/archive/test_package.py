"""An archive package holds the matter's generated documents, the evidence inventory with both digests,
the audit extract with its chain fields, and a signed manifest; ``verify_package`` accepts it as built
and names, in Chinese, every kind of tampering: a changed, missing or extra file, an edited manifest,
a forged signature, an edited audit row."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.archive.conftest import cleared, closed_clue, filed_case, members, rezip, slips_of
from tests.clues.conftest import demo_actor
from xiezuoqu.archive.package import (
    AUDIT_EXTRACT,
    INVENTORY,
    MANIFEST,
    SIGNATURE,
    build_package,
    sign,
    verify_package,
)
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.public.files import sm3_hex
from xiezuoqu.verification.models import CustodyAction, CustodyEvent, EvidenceItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(demo):
    return filed_case()


@pytest.fixture
def package(case):
    return build_package(case, actor=demo_actor("anguan"))


def _manifest(files: dict[str, bytes]) -> dict:
    return json.loads(files[MANIFEST])


def _resign(files: dict[str, bytes]) -> dict[str, bytes]:
    """What someone holding the manifest key (but not the audit key) could do: fix the manifest's
    digests to the edited files and sign it again."""
    manifest = _manifest(files)
    for entry in manifest["files"]:
        content = files[entry["path"]]
        entry.update(sha256=hashlib.sha256(content).hexdigest(), sm3=sm3_hex(content), size=len(content))
    files[MANIFEST] = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
    files[SIGNATURE] = sign(files[MANIFEST], manifest["signature"]["algorithm"]).encode()
    return files


def test_a_case_package_holds_documents_inventory_audit_extract_and_verifies(case, package):
    files = members(package)
    manifest = _manifest(files)
    assert manifest["matter"]["kind"] == "case"
    assert manifest["matter"]["number"] == case.case_number
    assert manifest["matter"]["case"]["filed_on"] == case.filed_on.isoformat()
    assert manifest["matter"]["clue"]["ledger_number"] == case.clue.ledger_number
    assert manifest["generator"]["name"] == "xiezuoqu" and manifest["generator"]["version"]
    assert manifest["generated_by"] == "anguan"
    kinds = {entry["kind"] for entry in manifest["files"]}
    assert {"filing_request", "minutes", "evidence_inventory", "evidence_inventory_json", "audit_extract"} <= kinds
    # Every file is listed with its two digests, and nothing else is in the zip.
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert set(files) == set(listed) | {MANIFEST, SIGNATURE}
    for path, entry in listed.items():
        assert entry["sha256"] == hashlib.sha256(files[path]).hexdigest()
        assert entry["sm3"] == sm3_hex(files[path])
    result = verify_package(package, check_live=True)
    assert result.ok, result.problems
    assert result.files_checked == len(listed)
    assert result.audit_rows_checked == manifest["audit"]["rows"] > 0


def test_the_inventory_lists_every_evidence_item_with_both_digests_but_not_the_files(case, package):
    files = members(package)
    inventory = json.loads(files[INVENTORY])
    items = list(EvidenceItem.objects.filter(clue=case.clue).order_by("number"))
    assert [(i["number"], i["sha256"], i["sm3"], i["size"]) for i in inventory] == [
        (e.number, e.sha256, e.sm3, e.size) for e in items
    ]
    assert not any(name.startswith("evidence/files/") for name in files)
    # Building the package exported the inventory: a custody event of every item listed.
    assert CustodyEvent.objects.filter(evidence__in=items, action=CustodyAction.EXPORTED).count() == 2 * len(items)


def test_the_audit_extract_has_the_matters_events_with_their_chain_fields(case, package):
    rows = [json.loads(line) for line in members(package)[AUDIT_EXTRACT].decode().splitlines()]
    targets = {(row["target_type"], row["target_id"]) for row in rows}
    evidence = EvidenceItem.objects.filter(clue=case.clue).first()
    assert ("clues.clue", str(case.clue_id)) in targets
    assert ("filing.filingproposal", str(case.filing_id)) in targets
    assert ("verification.evidenceitem", str(evidence.pk)) in targets
    decided = [r for r in rows if r["action"] == "meeting.item_decided"]
    assert [r["detail"]["item"] for r in decided] == [case.filing.zone_resolution.item_id]
    assert any(r["action"] == "meeting.attendance_recorded" for r in rows)
    assert any(t == "verification.verification" for t, _ in targets)
    assert any(t == "approvals.approvalrequest" for t, _ in targets)
    # The chain fields are the live chain's: the same seq, prev_mac and mac.
    live = dict(AuditEvent.objects.filter(seq__in=[r["seq"] for r in rows]).values_list("seq", "mac"))
    assert {row["seq"]: row["mac"] for row in rows} == live
    assert [row["seq"] for row in rows] == sorted(row["seq"] for row in rows)
    # Another matter's events are not in it.
    other = closed_clue()
    assert ("clues.clue", str(other.pk)) not in targets


def test_a_closed_clue_package_has_its_clearing_letter_and_supervision_slip(demo):
    clue = closed_clue(slip=True)
    clearing = cleared(clue)
    slips = slips_of(clue)
    assert slips
    data = build_package(clue, actor=demo_actor("xzshuji"))
    manifest = _manifest(members(data))
    assert manifest["matter"]["kind"] == "clue" and "case" not in manifest["matter"]
    paths = [entry["path"] for entry in manifest["files"]]
    assert f"documents/澄清正名-{clearing.number}.docx" in paths
    assert f"documents/督办单-{slips[0].number}.docx" in paths
    assert verify_package(data, check_live=True).ok


def test_with_include_evidence_the_files_are_decrypted_checked_and_included(case):
    data = build_package(case, actor=demo_actor("xzshuji"), include_evidence=True)
    files = members(data)
    item = EvidenceItem.objects.filter(clue=case.clue).first()
    (name,) = [n for n in files if n.startswith("evidence/files/")]
    assert hashlib.sha256(files[name]).hexdigest() == item.sha256
    assert AuditEvent.objects.filter(action="evidence.downloaded", target_id=str(item.pk)).exists()
    assert verify_package(data).ok


def test_a_tampered_evidence_file_refuses_a_package_with_evidence(case, settings):
    from pathlib import Path

    from xiezuoqu.public.files import IntegrityFailed

    item = EvidenceItem.objects.filter(clue=case.clue).first()
    stored = Path(settings.MEDIA_ROOT) / item.storage_name
    blob = bytearray(stored.read_bytes())
    blob[-1] ^= 1
    stored.write_bytes(bytes(blob))
    with pytest.raises(IntegrityFailed, match="完整性校验失败"):
        build_package(case, actor=demo_actor("xzshuji"), include_evidence=True)
    assert AuditEvent.objects.filter(action="evidence.tamper_detected", target_id=str(item.pk)).exists()


def test_a_changed_file_is_named(package):
    files = members(package)
    path = next(p for p in files if p.endswith(".docx"))
    files[path] = files[path] + b"\0"
    result = verify_package(rezip(files))
    assert not result.ok
    assert f"文件 {path} 的 SHA-256 与清单不符：文件被改动。" in result.problems
    assert f"文件 {path} 的 SM3 与清单不符：文件被改动。" in result.problems


def test_a_missing_file_is_named(package):
    files = members(package)
    del files[INVENTORY]
    result = verify_package(rezip(files))
    assert result.problems == [f"缺少文件：{INVENTORY}（清单中有，归档包中没有）。"]


def test_an_extra_file_is_named(package):
    files = members(package)
    files["documents/补充说明.docx"] = b"PK\3\4 later addition"
    result = verify_package(rezip(files))
    assert result.problems == ["多出清单外的文件：documents/补充说明.docx（清单中没有此文件，可能是后来放入的）。"]


def test_an_edited_manifest_breaks_the_signature(package):
    files = members(package)
    manifest = _manifest(files)
    manifest["matter"]["number"] = "凤纪立〔2026〕99号"
    files[MANIFEST] = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
    result = verify_package(rezip(files))
    assert len(result.problems) == 1
    assert result.problems[0].startswith("清单签名不符")


def test_a_signature_made_with_another_key_is_refused(package):
    files = members(package)
    forged = hmac.new(b"not-the-archive-key-0123456789abcdef", files[MANIFEST], hashlib.sha256).hexdigest()
    files[SIGNATURE] = forged.encode()
    result = verify_package(rezip(files))
    assert len(result.problems) == 1 and result.problems[0].startswith("清单签名不符")
    del files[SIGNATURE]
    assert verify_package(rezip(files)).problems == ["缺少 manifest.sig（清单签名），无法确认清单未被改动。"]


def test_an_edited_audit_row_is_caught_by_its_mac_even_with_a_resigned_manifest(package):
    files = members(package)
    lines = files[AUDIT_EXTRACT].decode().splitlines()
    row = json.loads(lines[2])
    row["actor_name"] = "someone_else"
    lines[2] = json.dumps(row, ensure_ascii=False, separators=(",", ":"))
    files[AUDIT_EXTRACT] = ("\n".join(lines) + "\n").encode()
    result = verify_package(rezip(_resign(files)))
    assert result.problems == [f"审计摘录第 3 行（seq={row['seq']}）的 MAC 不符：该审计记录的内容被改动。"]
    # Without re-signing, the file's digests, its size and the row are all reported.
    plain = members(package)
    plain[AUDIT_EXTRACT] = files[AUDIT_EXTRACT]
    problems = verify_package(rezip(plain)).problems
    assert len(problems) == 4 and any("MAC 不符" in p for p in problems)


def test_a_dropped_audit_row_is_caught(package):
    files = members(package)
    lines = files[AUDIT_EXTRACT].decode().splitlines()
    files[AUDIT_EXTRACT] = ("\n".join(lines[1:]) + "\n").encode()
    result = verify_package(rezip(_resign(files)))
    assert result.problems == [f"审计摘录应有 {len(lines)} 条记录，实际为 {len(lines) - 1} 条。"]


def test_garbage_is_not_a_package():
    assert verify_package(b"not a zip").problems == ["不是有效的 zip 文件，无法读取归档包。"]
    assert verify_package(rezip({"a.txt": b"x"})).problems == ["缺少 manifest.json（归档清单），无法校验。"]


def test_the_command_prints_the_result_and_fails_on_a_problem(package, tmp_path, capsys):
    good = tmp_path / "good.zip"
    good.write_bytes(package)
    call_command("archive_verify", str(good), "--live")
    out = capsys.readouterr().out
    assert "归档包完整" in out and "并已与现行审计链比对" in out
    files = members(package)
    del files[INVENTORY]
    bad = tmp_path / "bad.zip"
    bad.write_bytes(rezip(files))
    with pytest.raises(CommandError) as caught:
        call_command("archive_verify", str(bad))
    assert caught.value.returncode == 1
    assert f"缺少文件：{INVENTORY}" in capsys.readouterr().out


def test_a_meeting_that_studied_two_matters_gives_each_only_its_own_items(demo):
    """The minutes in a matter's package are the meeting's minutes with this matter's items only, and
    the meeting's audit events naming the other matter's item stay out of the extract."""
    from tests.archive.conftest import docx_text
    from tests.filing.conftest import attend, decide, on_agenda, planned_meeting, submitted
    from xiezuoqu.cases.models import Case
    from xiezuoqu.filing import services as filing_services
    from xiezuoqu.meetings import services as meeting_services

    ours, theirs = submitted(), submitted()
    meeting = planned_meeting()
    item, other = on_agenda(ours, meeting), on_agenda(theirs, meeting)
    attend(meeting)
    meeting_services.hold_meeting(actor=demo_actor("zuzhang1"), meeting_id=meeting.pk)
    decide(item)
    decide(other)
    filing_services.decide_as_body(actor=demo_actor("xzshuji"), proposal_id=ours.pk, decision="file", reason="同意立案")
    case = Case.objects.get(filing=ours)
    files = members(build_package(case, actor=demo_actor("anguan")))
    (minutes,) = [name for name in files if name.startswith("documents/会议纪要")]
    text = docx_text(files[minutes])
    assert ours.clue.ledger_number in text and theirs.clue.ledger_number not in text
    rows = [json.loads(line) for line in files[AUDIT_EXTRACT].decode().splitlines()]
    meeting_rows = [r for r in rows if r["target_type"] == "meetings.meeting"]
    assert {r["detail"].get("item") for r in meeting_rows if "item" in r["detail"]} == {item.pk}
    assert any(r["action"] == "meeting.convened" for r in meeting_rows)
    assert not any(str(theirs.pk) == r["target_id"] and r["target_type"] == "filing.filingproposal" for r in rows)
