"""The reporter's files are stored encrypted (SM4-GCM), named by a keyed digest, and read back by staff
who may see the report — verified against the hashes taken at upload, every download on record."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template

from tests.public.conftest import PDF, latest_report, submit, upload
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.intake.models import Report
from xiezuoqu.public import files
from xiezuoqu.public.models import Attachment
from xiezuoqu.public.selectors import ATTACHMENTS, attachments_for

pytestmark = pytest.mark.django_db

SECRET = b"%PDF-1.4\n% \xe5\x86\x92\xe9\xa2\x86\xe8\xa1\xa5\xe8\xb4\xb4\xe5\x90\x8d\xe5\x8d\x95 MARKER-7f3a9c\n%%EOF\n"


@pytest.fixture
def stored(demo, reporter) -> Attachment:
    response = submit(reporter, attachments=[upload("冒领名单.pdf", SECRET, "application/pdf")])
    assert response.status_code == 200
    return Attachment.objects.get(report=latest_report())


def blob_path(attachment: Attachment) -> Path:
    return Path(settings.MEDIA_ROOT) / attachment.storage_name


def test_the_stored_file_is_encrypted_and_named_by_a_keyed_digest(stored):
    raw = blob_path(stored).read_bytes()
    assert b"MARKER-7f3a9c" not in raw and SECRET not in raw
    assert raw.startswith(files.BLOB_MAGIC) and len(raw) == len(files.BLOB_MAGIC) + 12 + len(SECRET) + 16
    assert stored.sha256 == hashlib.sha256(SECRET).hexdigest() and len(stored.sm3) == 64
    assert stored.sha256 not in stored.storage_name and stored.storage_name.startswith("evidence/public/")
    assert stored.content_type == "application/pdf" and stored.source == "public"


def test_equal_content_is_stored_once_with_a_fresh_nonce_per_encryption(demo, stored, reporter):
    submit(reporter, address="203.0.113.50", attachments=[upload("另一份.pdf", SECRET)])
    second = Attachment.objects.exclude(pk=stored.pk).get()
    assert second.storage_name == stored.storage_name
    one = files.encrypt_bytes(SECRET, context=b"x")
    two = files.encrypt_bytes(SECRET, context=b"x")
    assert one != two and files.decrypt_bytes(one, context=b"x") == SECRET


def test_petition_staff_download_the_verified_file_and_it_is_recorded(demo, stored, client):
    client.force_login(demo.user("xinfang"))
    response = client.get(f"/report/staff/attachments/{stored.pk}/")
    assert response.status_code == 200
    assert response.content == SECRET and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"] and "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="attachment.viewed", target_id=str(stored.pk))
    assert event.actor_name == "xinfang" and event.detail["download"] is True
    assert "冒领名单" not in event.target_label


@pytest.mark.parametrize("username", ["xzganbu", "xitong", "shenji"])
def test_someone_who_cannot_see_the_report_gets_404(demo, stored, client, username):
    """A township cadre (the report is not theirs) and the system and audit administrators (三员分立)."""
    client.force_login(demo.user(username))
    assert client.get(f"/report/staff/attachments/{stored.pk}/").status_code == 404
    assert client.get("/report/staff/attachments/999999/").status_code == 404
    assert not ATTACHMENTS.scope(demo.actor(username)).exists()


def test_a_tampered_file_is_refused_with_a_clear_message_not_a_500(demo, stored, client):
    path = blob_path(stored)
    raw = bytearray(path.read_bytes())
    raw[len(files.BLOB_MAGIC) + 12 + 3] ^= 0x01
    path.write_bytes(bytes(raw))
    client.force_login(demo.user("xinfang"))
    response = client.get(f"/report/staff/attachments/{stored.pk}/")
    assert response.status_code == 409
    page = response.content.decode()
    assert "附件校验失败" in page and "未通过完整性校验" in page and "已记入审计日志" in page
    event = AuditEvent.objects.get(action="attachment.integrity_failed", target_id=str(stored.pk))
    assert event.outcome == AuditEvent.Outcome.REFUSED and event.actor_name == "xinfang"


def test_a_swapped_file_fails_the_hash_check(demo, stored, client):
    """A blob that decrypts (encrypted by the same key) but holds other content is caught by SHA-256."""
    other = files.encrypt_bytes(PDF, context=stored.sha256.encode())
    blob_path(stored).write_bytes(other)
    client.force_login(demo.user("xinfang"))
    response = client.get(f"/report/staff/attachments/{stored.pk}/")
    assert response.status_code == 409 and "SHA-256" in response.content.decode()


def test_a_missing_file_is_a_clear_error(demo, stored, client):
    blob_path(stored).unlink()
    client.force_login(demo.user("xinfang"))
    response = client.get(f"/report/staff/attachments/{stored.pk}/")
    assert response.status_code == 409 and "缺失" in response.content.decode()


def test_the_staff_partial_lists_the_files_with_download_links(demo, stored):
    report = Report.objects.get(pk=stored.report_id)
    rows = attachments_for(report)
    assert [r.name for r in rows] == ["冒领名单.pdf"] and rows[0].kind == "PDF 文档"
    html = Template("{% load public_attachments %}{% report_attachments report %}").render(Context({"report": report}))
    assert f"/report/staff/attachments/{stored.pk}/" in html and "冒领名单.pdf" in html and "举报人上传的附件" in html


def test_the_policy_scope_and_predicate_agree(demo, stored):
    for username in ("xinfang", "dengji", "anguan", "xzganbu", "zuzhang1"):
        actor = demo.actor(username)
        scoped = set(ATTACHMENTS.scope(actor).values_list("pk", flat=True))
        predicate = {a.pk for a in Attachment.objects.all() if ATTACHMENTS.can_view(actor, a)}
        assert scoped == predicate, username
