"""Every upload — the public report form, the reporter's material, the evidence locker of 初核 and of
审查调查, page and API — refuses each file of the corpus with a Chinese message (a field error on the
page, problem JSON in the API), stores nothing for it (no row, no file on disk), and never answers 500.
Odd names are cleaned, and the reporter's photos lose their metadata (place, phone) before storage."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from docx import Document
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment

from tests.cases.conftest import investigating
from tests.intake.conftest import api_token, login
from tests.public.conftest import latest_report, lookup, report_data, submit
from tests.uploads.corpus import (
    GPS_MARK,
    MAKER,
    PDF,
    PHOTO,
    TRICK_NAMES,
    Bad,
    corpus,
    multipart,
    photo_with_location,
    png,
)
from tests.uploads.corpus import (
    office as corpus_office,
)
from tests.verification.conftest import LEAD, approved
from xiezuoqu.accounts.models import User
from xiezuoqu.archive.models import ArchivePackage
from xiezuoqu.cases import services as case_services
from xiezuoqu.errors import RuleViolation
from xiezuoqu.intake.models import Report, ReportMessage
from xiezuoqu.public import files
from xiezuoqu.public.models import Attachment
from xiezuoqu.verification import evidence as verification_evidence
from xiezuoqu.verification import services as verification_services
from xiezuoqu.verification.models import CustodyEvent, EvidenceItem

pytestmark = pytest.mark.django_db

STAFF_LIMIT = 1024 * 1024  # the evidence limit (50 MB) lowered for the test, so the oversize file stays small
Send = Callable[[str, bytes, int], tuple[int, str]]


def oversize(limit: int) -> Bad:
    return Bad("oversize", "超大.pdf", PDF + b"0" * limit, "超过|过大")


def stored_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def rows() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Report, ReportMessage, Attachment, EvidenceItem, CustodyEvent, ArchivePackage)
    }


def text_of(response: Any) -> str:
    if response.get("Content-Type", "").startswith("application/problem+json") or "json" in response.get(
        "Content-Type", ""
    ):
        return json.dumps(response.json(), ensure_ascii=False)
    return response.content.decode()


def run_corpus(send: Send, bad_files: list[Bad], *, refused_status: tuple[int, ...]) -> None:
    """Send each file; collect every way it was not refused cleanly, then fail once with all of them."""
    problems = []
    for index, bad in enumerate(bad_files):
        before_rows, before_files = rows(), stored_files()
        status, text = send(bad.name, bad.data, index)
        if status >= 500 or status not in refused_status:
            problems.append(f"{bad.label}: answered {status}")
        if not any(words in text for words in bad.words.split("|")):
            problems.append(f"{bad.label}: the message does not say “{bad.words}”")
        if rows() != before_rows:
            problems.append(f"{bad.label}: rows were written {before_rows} → {rows()}")
        if stored_files() != before_files:
            problems.append(f"{bad.label}: a file was stored {stored_files() - before_files}")
    assert not problems, "\n".join(problems)


# --- the public site --------------------------------------------------------------------------------------


def public_new(reporter: Client) -> Send:
    def send(name: str, data: bytes, index: int) -> tuple[int, str]:
        upload = SimpleUploadedFile(name, data, content_type="application/octet-stream")
        response = submit(reporter, address=f"198.51.100.{index + 1}", attachments=[upload])
        return response.status_code, response.content.decode()

    return send


def test_the_report_form_refuses_every_bad_file(demo, reporter):
    run_corpus(public_new(reporter), [*corpus(), oversize(files.MAX_FILE_SIZE)], refused_status=(422,))
    assert not Report.objects.filter(source_public=True).exists()


def test_material_from_the_status_page_refuses_every_bad_file(demo, filed, reporter):
    report, code = filed
    lookup(reporter, code)

    def send(name: str, data: bytes, index: int) -> tuple[int, str]:
        upload = SimpleUploadedFile(name, data, content_type="application/octet-stream")
        response = reporter.post(
            "/report/status/material/",
            {"text": "补充材料。", "attachments": [upload]},
            REMOTE_ADDR=f"198.51.100.{index + 1}",
        )
        return response.status_code, response.content.decode()

    run_corpus(send, [*corpus(), oversize(files.MAX_FILE_SIZE)], refused_status=(422,))
    assert not Attachment.objects.filter(report=report).exists()


# --- the evidence locker: 初核 and 审查调查, page and API -----------------------------------------------


@pytest.fixture
def staff_limit(monkeypatch):
    monkeypatch.setattr(verification_services, "MAX_EVIDENCE_SIZE", STAFF_LIMIT)
    monkeypatch.setattr(case_services, "MAX_EVIDENCE_SIZE", STAFF_LIMIT)
    monkeypatch.setattr(verification_evidence, "MAX_EVIDENCE_SIZE", STAFF_LIMIT)  # the services' own check


def staff_corpus() -> list[Bad]:
    return [*corpus(), oversize(STAFF_LIMIT)]


def test_the_verification_evidence_page_refuses_every_bad_file(demo, staff_limit):
    verification = approved()
    client = login(Client(), LEAD)

    def send(name: str, data: bytes, index: int) -> tuple[int, str]:
        response = client.post(
            f"/verification/{verification.pk}/evidence/new/",
            {"title": "名册", "kind": "document", "file": SimpleUploadedFile(name, data)},
        )
        return response.status_code, response.content.decode()

    run_corpus(send, staff_corpus(), refused_status=(200, 422))


def test_the_verification_evidence_api_refuses_every_bad_file_with_problem_json(demo, staff_limit):
    verification = approved()
    token = api_token(User.objects.get(username=LEAD))

    def send(name: str, data: bytes, index: int) -> tuple[int, str]:
        response = Client().post(
            f"/api/v1/verification/{verification.pk}/evidence",
            {"title": "名册", "kind": "document", "file": SimpleUploadedFile(name, data)},
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert response["Content-Type"].startswith("application/problem+json"), (name, response.content[:300])
        return response.status_code, text_of(response)

    run_corpus(send, staff_corpus(), refused_status=(400, 422))


def test_the_case_evidence_page_refuses_every_bad_file(demo, staff_limit):
    case = investigating()
    client = login(Client(), "xzshuji")

    def send(name: str, data: bytes, index: int) -> tuple[int, str]:
        response = client.post(
            f"/cases/{case.pk}/act/",
            {"action": "add_evidence", "title": "书证", "kind": "document", "file": SimpleUploadedFile(name, data)},
            follow=True,
        )
        return response.status_code, response.content.decode()

    run_corpus(send, staff_corpus(), refused_status=(200,))


def test_the_case_evidence_api_refuses_every_bad_file_with_problem_json(demo, staff_limit):
    case = investigating()
    token = api_token(User.objects.get(username="xzganbu"))

    def send(name: str, data: bytes, index: int) -> tuple[int, str]:
        response = Client().post(
            f"/api/v1/cases/{case.pk}/evidence",
            {"title": "书证", "kind": "document", "file": SimpleUploadedFile(name, data)},
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert response["Content-Type"].startswith("application/problem+json"), (name, response.content[:300])
        return response.status_code, text_of(response)

    run_corpus(send, staff_corpus(), refused_status=(400, 422))


def test_the_archive_package_check_reads_the_corpus_without_a_500(demo):
    """校验归档包 stores nothing: every bad file is answered with what is wrong with it, never a 500."""
    client = login(Client(), "anguan")
    token = api_token(User.objects.get(username="anguan"))
    for bad in corpus():
        before_rows, before_files = rows(), stored_files()
        page = client.post("/archive/verify/", {"file": SimpleUploadedFile(bad.name, bad.data)})
        api = Client().post(
            "/api/v1/archive/verify",
            {"file": SimpleUploadedFile(bad.name, bad.data)},
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert page.status_code < 500 and api.status_code < 500, bad.label
        assert rows() == before_rows and stored_files() == before_files, bad.label


# --- cleaned, then taken ------------------------------------------------------------------------------


def _stored_bytes(attachment: Attachment) -> bytes:
    return files.read_verified(storage_name=attachment.storage_name, sha256=attachment.sha256, sm3=attachment.sm3)


def test_the_reporters_photo_loses_its_location_and_phone_before_storage(demo, reporter):
    photo = photo_with_location(trailer=b"\x00\x00motion-video" + GPS_MARK)
    picture = png(metadata=True, trailer=b"IEND-after" + GPS_MARK)
    response = submit(
        reporter,
        attachments=[SimpleUploadedFile("现场.jpg", photo), SimpleUploadedFile("截图.png", picture)],
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    stored = {a.original_name: a for a in Attachment.objects.filter(report=latest_report())}
    jpeg, image = _stored_bytes(stored["现场.jpg"]), _stored_bytes(stored["截图.png"])
    for data in (jpeg, image):
        assert GPS_MARK not in data and MAKER not in data and b"xmpmeta" not in data
    # The picture itself is kept: the JPEG's tables and scan, the PNG's header, pixels and end.
    scan = PHOTO[PHOTO.index(b"\xff\xdb") :]
    assert jpeg.startswith(b"\xff\xd8\xff\xe0") and jpeg.endswith(scan)
    assert b"Exif\x00\x00MM" in jpeg and b"\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06" in jpeg  # orientation only
    assert image == png()
    assert stored["现场.jpg"].size == len(jpeg) and stored["截图.png"].size == len(image)
    assert stored["现场.jpg"].content_type == "image/jpeg" and stored["截图.png"].content_type == "image/png"


AUTHOR = "张三丰"
TRACKED_CHANGE = (
    f'<w:p><w:ins w:id="90" w:author="{AUTHOR}" w:date="2026-03-01T00:00:00Z"><w:r><w:t>补充</w:t></w:r></w:ins></w:p>'
).encode()


def word_file_with_names() -> bytes:
    """A .docx as a reporter's computer saves it: author and editor, company, a comment and a tracked
    change under the account's name, and a phone photo (with its GPS) pasted in."""
    document = Document()
    paragraph = document.add_paragraph("双山子村冒领补贴名单")
    document.core_properties.author = AUTHOR
    document.core_properties.last_modified_by = AUTHOR
    document.add_comment(paragraph.runs, text="请核对", author=AUTHOR, initials="ZSF")
    document.add_picture(io.BytesIO(photo_with_location()))
    buffer = io.BytesIO()
    document.save(buffer)
    return rewrite_zip(
        buffer.getvalue(),
        {
            "docProps/app.xml": lambda xml: xml.replace(
                b"</Properties>", f"<Company>{AUTHOR}的单位</Company></Properties>".encode()
            ),
            "word/document.xml": lambda xml: xml.replace(b"</w:body>", TRACKED_CHANGE + b"</w:body>"),
        },
    )


def excel_file_with_names() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["A1"] = "名单"
    sheet["A1"].comment = Comment("请核对", AUTHOR)
    workbook.properties.creator = AUTHOR
    workbook.properties.lastModifiedBy = AUTHOR
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewrite_zip(data: bytes, changes: dict[str, Callable[[bytes], bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            target.writestr(info.filename, changes.get(info.filename, lambda x: x)(content))
    return buffer.getvalue()


def all_parts(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return b"".join(archive.read(info) for info in archive.infolist())


def test_the_reporters_office_files_lose_author_company_and_photo_location_before_storage(demo, reporter):
    word, excel = word_file_with_names(), excel_file_with_names()
    assert AUTHOR.encode() in all_parts(word) and GPS_MARK in all_parts(word) and AUTHOR.encode() in all_parts(excel)
    response = submit(
        reporter, attachments=[SimpleUploadedFile("名单.docx", word), SimpleUploadedFile("名单.xlsx", excel)]
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    stored = {a.original_name: _stored_bytes(a) for a in Attachment.objects.filter(report=latest_report())}
    for data in stored.values():
        parts = all_parts(data)
        assert AUTHOR.encode() not in parts and GPS_MARK not in parts and MAKER not in parts
    document = Document(io.BytesIO(stored["名单.docx"]))
    assert document.paragraphs[0].text == "双山子村冒领补贴名单" and document.core_properties.author == ""
    assert [c.text for c in document.comments] == ["请核对"] and document.inline_shapes[0].width > 0
    sheet = load_workbook(io.BytesIO(stored["名单.xlsx"])).active
    assert sheet is not None and sheet["A1"].value == "名单" and sheet["A1"].comment.text.startswith("请核对")
    plain = corpus_office()
    assert files.strip_metadata("a.docx", files.DOCX, plain) is plain  # nothing to clean: kept as it came


def test_a_damaged_photo_is_refused_on_the_report_form(demo, reporter):
    broken = PHOTO[:200]  # cut off inside the tables: no scan, no end of image
    response = submit(reporter, attachments=[SimpleUploadedFile("照片.jpg", broken)])
    assert response.status_code == 422 and "附件“照片.jpg”已损坏" in response.content.decode()
    bad_crc = bytearray(png())
    bad_crc[-20] ^= 0x01
    response = submit(reporter, address="198.51.100.77", attachments=[SimpleUploadedFile("图.png", bytes(bad_crc))])
    assert response.status_code == 422 and "附件“图.png”已损坏" in response.content.decode()
    assert not Attachment.objects.exists() and not stored_files()


def test_a_file_whose_extension_lies_is_stored_as_what_it_is_and_downloaded_under_its_true_type(demo, reporter):
    response = submit(reporter, attachments=[SimpleUploadedFile("照片.jpg", png())])
    assert response.status_code == 200
    stored = Attachment.objects.get(report=latest_report())
    assert stored.content_type == "image/png"
    assert files.download_name(stored.original_name, stored.content_type) == "照片.jpg.png"


def _check_names(names: list[str]) -> None:
    for (trick, expected), name in zip(TRICK_NAMES, names, strict=True):
        assert not any(ch in name for ch in "/\\\x00\u202e"), (trick, name)
        assert len(name) <= files.MAX_NAME, trick
        if expected is None:
            assert name.endswith(".pdf")
        else:
            assert name == expected, trick


def test_path_tricks_in_names_are_cleaned_on_the_public_site(demo, reporter):
    names = []
    for index, (trick, _) in enumerate(TRICK_NAMES):
        body, content_type = multipart(report_data(), [("attachments", trick, PDF + str(index).encode())])
        response = reporter.post(
            "/report/new/", body, content_type=content_type, REMOTE_ADDR=f"198.51.100.{index + 100}"
        )
        assert response.status_code == 200, (trick, response.content.decode()[:1000])
        names.append(Attachment.objects.get(report=latest_report()).original_name)
    _check_names(names)


def test_path_tricks_in_names_are_cleaned_in_the_evidence_locker(demo):
    verification = approved()
    client = login(Client(), LEAD)
    for index, (trick, _) in enumerate(TRICK_NAMES):
        fields = {"title": f"名册{index}", "kind": "document"}
        body, content_type = multipart(fields, [("file", trick, PDF + str(index).encode())])
        response = client.post(f"/verification/{verification.pk}/evidence/new/", body, content_type=content_type)
        assert response.status_code == 302, (trick, response.content.decode()[:1000])
    items = EvidenceItem.objects.filter(verification=verification).order_by("number")
    _check_names(list(items.values_list("original_name", flat=True)))


def test_a_name_too_long_to_parse_is_a_chinese_400_on_the_page_and_problem_json_in_the_api(demo, reporter):
    """Django reads at most 1 KB of a part's headers: a longer file name is refused before any view runs
    — with a message in Chinese, and nothing stored."""
    name = "很长" * 200 + ".pdf"
    body, content_type = multipart(report_data(), [("attachments", name, PDF)])
    page = reporter.post("/report/new/", body, content_type=content_type)
    assert page.status_code == 400 and "文件名过长" in page.content.decode()
    no_boundary = reporter.post("/report/new/", body, content_type="multipart/form-data; boundary=")
    assert no_boundary.status_code == 400 and "请求无法处理" in no_boundary.content.decode()
    verification = approved()
    body, content_type = multipart({"title": "名册", "kind": "document"}, [("file", name, PDF)])
    api = Client().post(
        f"/api/v1/verification/{verification.pk}/evidence",
        body,
        content_type=content_type,
        HTTP_AUTHORIZATION=f"Bearer {api_token(User.objects.get(username=LEAD))}",
    )
    assert api.status_code == 400 and api["Content-Type"] == "application/problem+json"
    assert "文件名过长" in api.json()["detail"]
    assert not Report.objects.filter(source_public=True).exists() and not EvidenceItem.objects.exists()
    assert not stored_files()


def test_evidence_keeps_photos_and_documents_bit_for_bit(demo):
    """Where a photo was taken, who wrote a document, can be evidence: the locker stores what was
    collected, unchanged."""
    from tests.verification.conftest import evidence

    verification = approved()
    for name, data in (("现场.jpg", photo_with_location()), ("名单.docx", word_file_with_names())):
        item = evidence(verification, data=data, file_name=name, title=name)
        assert verification_services.read_evidence(item.storage_name, item.sha256, item.sm3) == data


def test_a_second_record_for_a_measure_is_refused_before_its_file_is_stored(demo):
    """措施文书 already attached: the upload is refused, and its sealed file is not left on disk."""
    from tests.verification.conftest import evidence, measured

    verification = approved()
    measure = measured(verification)
    evidence(verification, kind="transcript", title="谈话笔录", source_measure_id=measure.pk, as_record=True)
    before_rows, before_files = rows(), stored_files()
    with pytest.raises(RuleViolation) as caught:
        evidence(
            verification,
            data=PDF + b"second",
            kind="transcript",
            title="谈话笔录（重录）",
            source_measure_id=measure.pk,
            as_record=True,
        )
    assert "已有措施文书" in caught.value.message
    assert rows() == before_rows and stored_files() == before_files
