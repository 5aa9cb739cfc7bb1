"""PDF and MP4 files lose what can name the reporter before the public site stores them (issue 16)."""

from __future__ import annotations

import hashlib
import io
import struct

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from tests.public.conftest import latest_report, submit
from tests.uploads.corpus import (
    GPS_MARK,
    MAKER,
    MP4_SAMPLES,
    PLACE,
    RECORDED,
    REPORTER_NAME,
    mp4_with_location,
    pdf_with_names,
)
from xiezuoqu.public import files, video
from xiezuoqu.public.models import Attachment

NAME_UTF16 = REPORTER_NAME.encode("utf-16-be")


def _stored(name: str) -> tuple[Attachment, bytes]:
    attachment = Attachment.objects.get(report=latest_report(), original_name=name)
    data = files.read_verified(storage_name=attachment.storage_name, sha256=attachment.sha256, sm3=attachment.sm3)
    return attachment, data


def _pdf_has_names(data: bytes) -> bool:
    return any(mark in data for mark in (NAME_UTF16, REPORTER_NAME.encode(), GPS_MARK, b"XZQ-", b"xmpmeta"))


def test_the_reporters_pdf_loses_author_program_times_xmp_and_comment_author_before_storage(demo, reporter):
    original = pdf_with_names()
    assert _pdf_has_names(original) and b"XZQ-SECOND-REVISION" in original
    before = PdfReader(io.BytesIO(original))
    assert before.metadata is not None and before.metadata.producer == "XZQ-SECOND-REVISION"  # the update reads
    response = submit(reporter, attachments=[SimpleUploadedFile("材料.pdf", original)])
    assert response.status_code == 200, response.content.decode()[:2000]
    attachment, data = _stored("材料.pdf")
    assert not _pdf_has_names(data) and b"/Info" not in data and b"/Metadata" not in data
    assert b"/CreationDate" not in data and b"/ModDate" not in data and b"pypdf" not in data
    reader = PdfReader(io.BytesIO(data))  # still a PDF: same page, the comment's text kept, its author not
    assert reader.metadata is None and len(reader.pages) == 1 and reader.pages[0].mediabox.width == 595
    comment = reader.pages[0]["/Annots"][0].get_object()  # type: ignore[index]
    assert comment["/Contents"] == "请核对名单" and comment["/T"] == "匿名" and "/M" not in comment
    assert attachment.sha256 == hashlib.sha256(data).hexdigest() and attachment.size == len(data)
    assert attachment.sm3 == files.sm3_hex(data) and attachment.content_type == "application/pdf"


def test_a_pdf_with_nothing_to_clean_is_kept_as_it_came():
    plain = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    assert files.strip_metadata("a.pdf", files.PDF, plain) is plain


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\n1 0 obj << /Author (" + REPORTER_NAME.encode() + b") >> endobj\n%%EOF\n",  # no xref, no pages
        b"%PDF-1.7\n1 0 obj << /Type /ObjStm /N 1 /First 4 /Length 999 >>\nstream\nx\n%%EOF",
        b"%PDF-1.4\n1 0 obj << /Au#74hor (x) >> endobj\ntrailer << /Root 9 0 R >>\nstartxref\n0\n%%EOF\n",
    ],
    ids=["author-without-xref", "broken-object-stream", "escaped-name"],
)
def test_a_pdf_that_cannot_be_cleaned_is_refused_on_the_report_form_and_nothing_is_stored(demo, reporter, data):
    attachments = Attachment.objects.count()
    response = submit(reporter, attachments=[SimpleUploadedFile("材料.pdf", data)])
    assert response.status_code == 422
    assert "附件“材料.pdf”无法读取，不能去除其中可能记录的作者等信息" in response.content.decode()
    assert Attachment.objects.count() == attachments


def test_a_pdf_with_an_open_password_is_refused_in_chinese():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.encrypt(user_password="secret", owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(files.RefusedFile, match="设置了打开密码"):
        files.strip_metadata("a.pdf", files.PDF, buffer.getvalue())


# --- MP4 ---------------------------------------------------------------------------------------------------


def _find(boxes: list[video.Box], path: list[bytes]) -> video.Box:
    for box in boxes:
        if box.kind == path[0]:
            if len(path) == 1:
                return box
            assert box.children is not None
            return _find(box.children, path[1:])
    raise AssertionError(f"no {path!r}")


def _kinds(boxes: list[video.Box]) -> list[bytes]:
    found: list[bytes] = []
    for box in boxes:
        found.append(box.kind)
        found.extend(_kinds(box.children or []))
    return found


def _chunk_offsets(data: bytes) -> list[int]:
    top = video._boxes(data, 0, len(data), 0)
    stbl = _find(top, [b"moov", b"trak", b"mdia", b"minf", b"stbl"])
    assert stbl.children is not None
    box = next(b for b in stbl.children if b.kind in (b"stco", b"co64"))
    body = data[box.start + box.header : box.end]
    (count,) = struct.unpack(">I", body[4:8])
    fmt, width = (">I", 4) if box.kind == b"stco" else (">Q", 8)
    return [struct.unpack(fmt, body[8 + i * width : 8 + (i + 1) * width])[0] for i in range(count)]


def _samples_at_their_offsets(data: bytes) -> list[bytes]:
    return [data[o : o + len(s)] for o, s in zip(_chunk_offsets(data), MP4_SAMPLES, strict=True)]


@pytest.mark.parametrize(
    ("moov_first", "co64"),
    [(True, False), (False, False), (True, True)],
    ids=["moov-before-mdat", "mdat-before-moov", "moov-before-mdat-co64"],
)
def test_the_reporters_video_loses_place_date_maker_and_xmp_and_its_samples_are_still_found(
    demo, reporter, moov_first, co64
):
    original = mp4_with_location(moov_first=moov_first, co64=co64)
    assert _samples_at_their_offsets(original) == list(MP4_SAMPLES)
    response = submit(reporter, attachments=[SimpleUploadedFile("现场.mp4", original)])
    assert response.status_code == 200, response.content.decode()[:2000]
    attachment, data = _stored("现场.mp4")
    for mark in (PLACE, GPS_MARK, MAKER, REPORTER_NAME.encode(), b"ZSF-TRACK", b"2026-03-01", b"location"):
        assert mark not in data, mark
    top = video._boxes(data, 0, len(data), 0)  # it still parses, every box in bounds
    kinds = _kinds(top)
    assert not {b"udta", b"meta", b"uuid", b"\xa9xyz", b"\xa9day", b"ilst"} & set(kinds)
    assert [b.kind for b in top] == ([b"ftyp", b"moov", b"mdat"] if moov_first else [b"ftyp", b"mdat", b"moov"])
    # The samples are where the index says they are: moved when the index before them shrank.
    assert _samples_at_their_offsets(data) == list(MP4_SAMPLES)
    moved = _chunk_offsets(data) != _chunk_offsets(original)
    assert moved is moov_first
    for path in ([b"moov", b"mvhd"], [b"moov", b"trak", b"tkhd"], [b"moov", b"trak", b"mdia", b"mdhd"]):
        header = _find(top, path)
        assert data[header.start + 12 : header.start + 20] == bytes(8)  # creation and modification times
        assert struct.pack(">I", RECORDED) in original
    assert attachment.sha256 == hashlib.sha256(data).hexdigest() and attachment.size == len(data)
    assert attachment.content_type == "video/mp4"


def test_a_video_without_metadata_is_kept_and_a_damaged_one_is_refused(demo, reporter):
    plain = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x10mdat" + bytes(8)
    assert files.strip_metadata("a.mp4", files.MP4, plain) is plain
    damaged = mp4_with_location(moov_first=True)
    damaged = damaged[:32] + b"\x7f\xff\xff\xff" + damaged[36:]  # the movie header claiming 2 GB
    attachments = Attachment.objects.count()
    response = submit(reporter, attachments=[SimpleUploadedFile("现场.mp4", damaged)])
    assert response.status_code == 422 and "附件“现场.mp4”已损坏，无法去除其中可能记录的拍摄地点" in (
        response.content.decode()
    )
    assert Attachment.objects.count() == attachments
