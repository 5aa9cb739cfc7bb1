"""A full upload disk (issue 16, faults): a clear Chinese error and no row that points at a missing file."""

from __future__ import annotations

import errno
from typing import Any

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.public.conftest import PDF, submit
from tests.public.conftest import reporter as reporter
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.intake.models import Report
from xiezuoqu.public.models import Attachment


class FullDiskStorage(FileSystemStorage):
    """The file store of a disk with no space left: every write fails as the kernel says so."""

    def _save(self, name: str, content: Any) -> str:
        raise OSError(errno.ENOSPC, "No space left on device")


@pytest.fixture
def full_disk(settings):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": f"{__name__}.FullDiskStorage"}}


def test_the_report_form_on_a_full_disk_says_so_in_chinese_and_leaves_no_report(demo, reporter, full_disk):
    counts = (Report.objects.count(), Attachment.objects.count(), AuditEvent.objects.count())
    response = submit(reporter, attachments=[SimpleUploadedFile("名单.pdf", PDF)])
    assert response.status_code == 503
    assert "附件存储空间已满或暂时无法写入，本次提交未保存" in response.content.decode()
    assert (Report.objects.count(), Attachment.objects.count(), AuditEvent.objects.count()) == counts


def test_an_evidence_upload_on_a_full_disk_is_refused_in_chinese_and_records_nothing(demo, full_disk):
    from tests.verification.conftest import approved, evidence
    from xiezuoqu.public.files import StorageFailed
    from xiezuoqu.verification.models import CustodyEvent, EvidenceItem

    verification = approved()
    counts = (EvidenceItem.objects.count(), CustodyEvent.objects.count(), AuditEvent.objects.count())
    with pytest.raises(StorageFailed, match="证据存储空间已满或暂时无法写入") as refused:
        evidence(verification)
    assert refused.value.status == 503
    assert (EvidenceItem.objects.count(), CustodyEvent.objects.count(), AuditEvent.objects.count()) == counts


def test_a_case_evidence_upload_on_a_full_disk_is_refused_on_the_case_page_and_records_nothing(demo, client, full_disk):
    from tests.cases.conftest import investigating
    from tests.intake.conftest import login
    from xiezuoqu.verification.models import CustodyEvent, EvidenceItem

    case = investigating()
    counts = (EvidenceItem.objects.count(), CustodyEvent.objects.count(), AuditEvent.objects.count())
    response = login(client, "xzganbu").post(
        f"/cases/{case.pk}/act/",
        {
            "action": "add_evidence",
            "title": "讯问笔录",
            "kind": "transcript",
            "file": SimpleUploadedFile("bilu.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert (EvidenceItem.objects.count(), CustodyEvent.objects.count(), AuditEvent.objects.count()) == counts
    # The action form answers on the case page it was sent from, with the reason in Chinese.
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert "证据存储空间已满或暂时无法写入" in client.get(response["Location"]).content.decode()
