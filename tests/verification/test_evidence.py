"""The evidence locker: uploads checked by content type and size, stored content-addressed, hashed
(SHA-256 and SM3), sealed at rest; every download re-hashes and compares; a tampered file on disk is
refused, recorded (custody, audit ``evidence.tamper_detected``), shown on the inventory, and named by
``xiezuoqu evidence_verify``."""

from __future__ import annotations

import hashlib
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from docx import Document
from openpyxl import load_workbook

from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.errors import RuleViolation, ValidationFailed
from xiezuoqu.public.files import IntegrityFailed, sm3_hex
from xiezuoqu.verification import evidence as locker
from xiezuoqu.verification import services
from xiezuoqu.verification.models import CustodyEvent, EvidenceItem

from .conftest import LEAD, PDF, api_token, approved, demo_actor, evidence, login

pytestmark = pytest.mark.django_db


def _path(item: EvidenceItem) -> Path:
    return Path(settings.MEDIA_ROOT) / item.storage_name


def _tamper(item: EvidenceItem) -> None:
    path = _path(item)
    blob = bytearray(path.read_bytes())
    blob[-20] ^= 0x01  # one bit of the ciphertext
    path.write_bytes(bytes(blob))


def test_an_upload_is_hashed_sealed_and_stored_by_its_content(demo):
    verification = approved()
    item = evidence(verification)
    sha = hashlib.sha256(PDF).hexdigest()
    assert item.sha256 == sha and item.sm3 == sm3_hex(PDF)
    assert item.storage_name == f"evidence/{sha[:2]}/{sha}"
    assert item.content_type == "application/pdf" and item.size == len(PDF) and item.number == 1
    stored = _path(item).read_bytes()
    assert PDF not in stored and b"%PDF" not in stored  # encrypted at rest
    assert list(item.custody_events.values_list("action", flat=True)) == ["collected"]
    verification.refresh_from_db()
    assert verification.state == "in_progress"


def test_the_type_is_taken_from_the_content_not_the_name(demo):
    verification = approved()
    with pytest.raises(ValidationFailed) as caught:
        evidence(verification, data=b"MZ\x90\x00 not a pdf", file_name="笔录.pdf")
    assert "可执行程序" in caught.value.message
    with pytest.raises(ValidationFailed) as caught:
        evidence(verification, data=b"<html><script>alert(1)</script></html>", file_name="a.txt")
    assert "网页" in caught.value.message
    assert not EvidenceItem.objects.filter(verification=verification).exists()


def test_an_oversized_upload_is_refused(demo, monkeypatch):
    verification = approved()
    monkeypatch.setattr(locker, "MAX_EVIDENCE_SIZE", 16)  # where the ceiling is read, for 初核 and 审查调查
    with pytest.raises(ValidationFailed) as caught:
        evidence(verification)
    assert "超过" in caught.value.message
    assert not EvidenceItem.objects.filter(verification=verification).exists()


def test_the_same_file_is_not_entered_twice_for_a_matter(demo):
    verification = approved()
    evidence(verification)
    with pytest.raises(RuleViolation) as caught:
        evidence(verification, title="再次上传")
    assert "已作为证据 1" in caught.value.message


def test_a_download_verifies_both_digests_and_is_a_custody_event(demo):
    verification = approved()
    item = evidence(verification)
    got, content = services.download_evidence(actor=demo_actor(LEAD), evidence_id=item.pk)
    assert content == PDF
    assert got.integrity == "intact"
    assert list(item.custody_events.values_list("action", flat=True)) == ["collected", "exported"]
    assert AuditEvent.objects.filter(action="evidence.downloaded", target_id=str(item.pk)).exists()


def test_a_tampered_file_is_refused_recorded_and_shown(demo, client):
    verification = approved()
    item = evidence(verification)
    _tamper(item)
    with pytest.raises(IntegrityFailed) as caught:
        services.download_evidence(actor=demo_actor(LEAD), evidence_id=item.pk)
    assert "完整性校验失败" in caught.value.message and "已拒绝下载" in caught.value.message
    item.refresh_from_db()
    assert item.integrity == "failed"
    assert item.custody_events.filter(action="verify_failed").exists()
    assert AuditEvent.objects.filter(action="evidence.tamper_detected", target_id=str(item.pk)).exists()
    # The page: the download is refused with the message, and the inventory shows the item in red.
    login(client, LEAD)
    response = client.get(f"/verification/evidence/{item.pk}/download/", follow=True)
    body = response.content.decode()
    assert response.redirect_chain and "已拒绝下载" in body
    assert "校验失败（疑似篡改）" in body
    assert item.custody_events.filter(action="verify_failed").count() == 2


def test_a_file_whose_content_was_replaced_consistently_is_caught_by_the_digests(demo, monkeypatch):
    """Even a blob re-sealed with the right key (a forged file) fails: the digests taken at upload differ."""
    from xiezuoqu.public.files import encrypt_bytes

    verification = approved()
    item = evidence(verification)
    forged = PDF.replace(b"Catalog", b"Cataloh")
    _path(item).write_bytes(encrypt_bytes(forged, purpose="evidence", context=item.sha256.encode()))
    with pytest.raises(IntegrityFailed) as caught:
        services.download_evidence(actor=demo_actor(LEAD), evidence_id=item.pk)
    assert "SHA-256" in caught.value.message


def test_a_missing_file_is_reported_not_a_crash(demo):
    verification = approved()
    item = evidence(verification)
    _path(item).unlink()
    with pytest.raises(IntegrityFailed) as caught:
        services.download_evidence(actor=demo_actor(LEAD), evidence_id=item.pk)
    assert "缺失" in caught.value.message


def test_the_api_answers_a_tampered_download_with_a_problem(demo, client):
    verification = approved()
    item = evidence(verification)
    token = api_token(demo.user(LEAD))
    ok = client.get(f"/api/v1/verification/evidence/{item.pk}/download", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert ok.status_code == 200 and ok.content == PDF
    _tamper(item)
    bad = client.get(f"/api/v1/verification/evidence/{item.pk}/download", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert bad.status_code == 409
    assert bad["Content-Type"] == "application/problem+json"
    assert "完整性校验失败" in bad.json()["detail"]


def test_the_verify_command_names_the_bad_files(demo):
    verification = approved()
    good = evidence(verification)
    bad = evidence(verification, data=PDF + b"% second\n", title="银行流水")
    _tamper(bad)
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("evidence_verify", stdout=out)
    text = out.getvalue()
    assert f"证据 {bad.number}“银行流水”" in text and f"id={bad.pk}" in text
    assert f"id={good.pk}" not in text
    assert "校验失败 1 项" in text
    assert CustodyEvent.objects.filter(evidence=good, action="verified").exists()
    assert CustodyEvent.objects.filter(evidence=bad, action="verify_failed").exists()


def test_the_inventory_exports_as_excel_and_word(demo, client):
    verification = approved()
    item = evidence(verification)
    login(client, LEAD)
    xlsx = client.get(f"/verification/clue/{verification.clue_id}/evidence/inventory.xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(BytesIO(xlsx.content)).active
    assert sheet["B3"].value == "补贴发放名册" and sheet["G3"].value == item.sha256
    docx = client.get(f"/verification/clue/{verification.clue_id}/evidence/inventory.docx")
    assert docx.status_code == 200
    text = "\n".join(cell.text for table in Document(BytesIO(docx.content)).tables for cell in table._cells)
    assert item.sm3 in text
    assert item.custody_events.filter(action="exported").count() == 2


def test_the_upload_page_stores_a_file(demo, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    verification = approved()
    login(client, LEAD)
    response = client.post(
        f"/verification/{verification.pk}/evidence/new/",
        {"title": "村账本照片", "kind": "document", "file": SimpleUploadedFile("账本.pdf", PDF)},
    )
    assert response.status_code == 302
    assert EvidenceItem.objects.get(verification=verification).title == "村账本照片"
