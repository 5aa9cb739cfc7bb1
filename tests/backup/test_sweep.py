"""Orphaned stored files (issue 16): a report whose second attachment meets a full disk is rolled back
whole, but its first attachment was already written; ``sweep_files`` finds exactly such files, removes
them on request (on the audit chain), and never touches a referenced, a recent or a key file."""

from __future__ import annotations

import errno
import os
import time
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from tests.public.conftest import PDF, submit
from tests.public.conftest import reporter as reporter
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.backup.sweep import sweep_unreferenced_files
from xiezuoqu.public.models import Attachment

pytestmark = pytest.mark.django_db
DAY = 24 * 3600


class SecondWriteFails(FileSystemStorage):
    """A disk that fills up after one more file."""

    writes = 0

    def _save(self, name: str, content: Any) -> str:
        type(self).writes += 1
        if type(self).writes > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return super()._save(name, content)


def _age(name: str, seconds: float) -> None:
    path = Path(settings.MEDIA_ROOT) / name
    os.utime(path, (time.time() - seconds, time.time() - seconds))


def test_the_first_file_of_a_rolled_back_report_is_found_and_swept_and_nothing_else(demo, reporter, settings):
    kept = submit(reporter, attachments=[SimpleUploadedFile("名单.pdf", PDF)])
    assert kept.status_code == 200
    referenced = Attachment.objects.get().storage_name
    _age(referenced, 2 * DAY)

    SecondWriteFails.writes = 0
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": f"{__name__}.SecondWriteFails"}}
    other = PDF.replace(b"%%EOF", b"% another\n%%EOF")
    failed = submit(
        reporter,
        address="203.0.113.11",
        attachments=[SimpleUploadedFile("账目.pdf", other), SimpleUploadedFile("照片.pdf", other + b"\n")],
    )
    assert failed.status_code == 503 and Attachment.objects.count() == 1
    media = Path(settings.MEDIA_ROOT)
    stored = {p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file()}
    (orphan,) = stored - {referenced}

    # Just written: it may belong to a transaction still running, so it is not an orphan yet.
    assert sweep_unreferenced_files().orphans == [] and sweep_unreferenced_files().kept_recent == 1
    _age(orphan, 2 * DAY)
    out = StringIO()
    call_command("sweep_files", stdout=out)
    assert orphan in out.getvalue() and "发现孤立文件 1 个" in out.getvalue()
    assert (media / orphan).exists()  # listing changes nothing

    events = AuditEvent.objects.filter(action="files.swept").count()
    call_command("sweep_files", "--delete", stdout=StringIO())
    assert not (media / orphan).exists() and (media / referenced).exists()
    event = AuditEvent.objects.filter(action="files.swept").latest("seq")
    assert AuditEvent.objects.filter(action="files.swept").count() == events + 1
    assert event.detail["count"] == 1 and event.detail["files"] == [orphan]


def test_a_reused_blob_is_touched_so_a_sweep_cannot_take_it_from_a_running_transaction(demo, reporter, settings):
    import hashlib

    from xiezuoqu.public.files import Upload, blob_name, sm3_hex, store

    upload = Upload(name="a.pdf", data=PDF, kind="pdf", sha256=hashlib.sha256(PDF).hexdigest(), sm3=sm3_hex(PDF))
    name = store(upload)
    _age(name, 2 * DAY)
    assert sweep_unreferenced_files().orphans == [name]  # unreferenced and old: an orphan
    assert store(upload) == name == blob_name(upload.sha256)  # reused by a new report...
    assert sweep_unreferenced_files().orphans == []  # ...and so fresh again


def test_a_blob_reused_while_the_sweep_runs_is_not_deleted(demo, reporter, settings, monkeypatch):
    import hashlib

    from xiezuoqu.backup import sweep
    from xiezuoqu.public.files import Upload, sm3_hex, store

    upload = Upload(name="a.pdf", data=PDF, kind="pdf", sha256=hashlib.sha256(PDF).hexdigest(), sm3=sm3_hex(PDF))
    name = store(upload)
    _age(name, 2 * DAY)
    listed = sweep.referenced_names
    calls = []

    def reused_after_listing() -> set[str]:
        calls.append(1)
        if len(calls) == 2:  # the listing is done; a report now reuses the blob (touch_stored)
            store(upload)
        return listed()

    monkeypatch.setattr(sweep, "referenced_names", reused_after_listing)
    summary = sweep.sweep_unreferenced_files(delete=True)
    assert summary.orphans == [name] and len(calls) == 2
    assert (Path(settings.MEDIA_ROOT) / name).exists()


def test_a_sweep_younger_than_an_hour_is_refused(demo):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="至少为 1 小时"):
        call_command("sweep_files", "--delete", "--older-than", "0", stdout=StringIO())
    with pytest.raises(CommandError, match="至少为 1 小时"):
        call_command("sweep_files", "--older-than", "nan", stdout=StringIO())
