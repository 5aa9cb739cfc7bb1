"""The upload ceiling (issue 16): a staff upload larger than any form takes is refused while the body is
parsed — the rest of the file is never read, let alone written to a temporary file — with a Chinese 413
on the page and problem JSON on the API, and nothing is saved."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from tests.intake.conftest import login
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.verification.models import CustodyEvent, EvidenceItem
from xiezuoqu.web.uploads import UPLOAD_CEILING

pytestmark = pytest.mark.django_db
CHUNK = 64 * 1024


class Counting(FileUploadHandler):
    """Behind the ceiling: how many bytes of a file got past it."""

    seen = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        type(self).seen = max(type(self).seen, start + len(raw_data))
        return None

    def file_complete(self, file_size: int) -> Any:
        return SimpleUploadedFile(self.file_name, b"", self.content_type)


@pytest.fixture
def counted(settings):
    Counting.seen = 0
    settings.FILE_UPLOAD_HANDLERS = ["xiezuoqu.web.uploads.UploadCeilingHandler", f"{__name__}.Counting"]
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = CHUNK


def too_large() -> SimpleUploadedFile:
    return SimpleUploadedFile("全部录像.pdf", b"%PDF-1.4\n" + b"0" * (UPLOAD_CEILING + 5 * CHUNK), "application/pdf")


def counts() -> tuple[int, int, int]:
    return EvidenceItem.objects.count(), CustodyEvent.objects.count(), AuditEvent.objects.count()


def test_an_oversized_case_evidence_upload_is_a_chinese_413_before_the_view_and_saves_nothing(demo, client, counted):
    from tests.cases.conftest import investigating

    case = investigating()
    before = counts()
    response = login(client, "xzganbu").post(
        f"/cases/{case.pk}/act/", {"action": "add_evidence", "title": "录像", "kind": "document", "file": too_large()}
    )
    assert response.status_code == 413
    body = response.content.decode()
    assert "文件“全部录像.pdf”超过 50 MB" in body and "未保存任何内容" in body
    assert counts() == before
    assert Counting.seen <= UPLOAD_CEILING  # the parse stopped at the ceiling: the rest was never read


def test_an_oversized_evidence_upload_on_the_api_is_problem_json_413(demo, client, counted):
    from tests.verification.conftest import approved

    verification = approved()
    before = counts()
    response = login(client, "jianchashi1").post(
        f"/api/v1/verification/{verification.pk}/evidence", {"title": "录像", "kind": "document", "file": too_large()}
    )
    assert response.status_code == 413 and response["Content-Type"] == "application/problem+json"
    assert "超过 50 MB" in response.json()["detail"]
    assert counts() == before
    assert Counting.seen <= UPLOAD_CEILING


def test_a_file_under_the_ceiling_passes_it_whole(demo, client, counted):
    from tests.verification.conftest import approved

    verification = approved()
    login(client, "jianchashi1").post(
        f"/api/v1/verification/{verification.pk}/evidence",
        {"title": "笔录", "kind": "document", "file": SimpleUploadedFile("a.pdf", b"%PDF-1.4\n" + b"1" * (3 * CHUNK))},
    )
    assert Counting.seen == len(b"%PDF-1.4\n") + 3 * CHUNK


def test_many_files_each_under_the_ceiling_are_refused_together_past_the_request_total(
    demo, client, counted, monkeypatch
):
    from tests.verification.conftest import approved
    from xiezuoqu.web import uploads

    monkeypatch.setattr(uploads, "REQUEST_CEILING", 5 * CHUNK)  # each file passes the per-file ceiling
    verification = approved()
    before = counts()
    files = [SimpleUploadedFile(f"{i}.pdf", b"%PDF-1.4\n" + b"2" * (2 * CHUNK)) for i in range(4)]
    response = login(client, "jianchashi1").post(
        f"/api/v1/verification/{verification.pk}/evidence", {"title": "笔录", "kind": "document", "file": files}
    )
    assert response.status_code == 413 and "合计超过" in response.json()["detail"]
    assert counts() == before
    assert Counting.seen <= 2 * CHUNK + len(b"%PDF-1.4\n")  # the third file stopped the parse
