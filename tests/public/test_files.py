"""Uploads are accepted by what they are, not by their names, within size limits, with Chinese messages
that name the file."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import SkipFile

from tests.public.conftest import EXE, PDF, PNG, SVG, latest_report, office_zip, plain_zip, submit, upload
from xiezuoqu.intake.models import Report
from xiezuoqu.public import files
from xiezuoqu.public.files import RefusedFile, accept_uploads, clean_name, sniff
from xiezuoqu.public.models import Attachment

MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 32
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + b"\x00" * 64


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("a.pdf", PDF, files.PDF),
        ("photo.JPG", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32, files.JPEG),
        ("no-extension", PNG, files.PNG),  # the name decides nothing
        ("报告.docx", office_zip("docx"), files.DOCX),
        ("台账.xlsx", office_zip("xlsx"), files.XLSX),
        ("说明.txt", "村里的补贴发放情况说明。\r\n".encode(), files.TEXT_UTF8),
        ("说明-gbk.txt", "村里的补贴发放情况说明。".encode("gb18030"), files.TEXT_GB18030),
        ("录音.mp3", MP3, files.MP3),
        ("视频.mp4", MP4, files.MP4),
    ],
)
def test_accepted_kinds_are_recognised_by_content(name, data, kind):
    assert sniff(name, data) is kind


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("证据.pdf", EXE, "可执行程序"),
        ("script.txt", b"#!/bin/sh\nrm -rf /\n", "可执行程序或脚本"),
        ("图片.svg", SVG, "SVG"),
        ("page.pdf", b"<!DOCTYPE html><html><body>hi</body></html>", "网页"),
        ("text-with-script.txt", b"hello <script>alert(1)</script>", "网页"),
        ("archive.docx", plain_zip(), "压缩包"),
        ("macro.docx", office_zip("docx", macro=True), "含有宏"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "旧版 Office"),
        ("binary.txt", bytes(range(256)) * 4, "无法识别"),
        ("empty.pdf", b"", "空文件"),
    ],
)
def test_refused_kinds_name_the_file_in_chinese(name, data, words):
    with pytest.raises(RefusedFile) as caught:
        sniff(name, data)
    assert f"“{name}”" in caught.value.message and words in caught.value.message


def test_names_are_cleaned_of_paths_and_direction_tricks():
    assert clean_name("C:\\Users\\me\\证据.pdf") == "证据.pdf"
    assert clean_name("../../etc/passwd") == "passwd"
    assert clean_name("invoice\u202efdp.exe") == "invoicefdp.exe"
    assert clean_name("a<b>.pdf") == "a_b_.pdf"
    assert clean_name("") == "附件"
    long = clean_name("很" * 150 + ".pdf")
    assert len(long) == 100 and long.endswith(".pdf")
    assert files.download_name("证据.pdf", files.PNG.content_type) == "证据.pdf.png"
    assert files.download_name("照片.JPEG", files.JPEG.content_type) == "照片.JPEG"


def test_size_and_count_limits():
    big = SimpleUploadedFile("大文件.pdf", PDF + b"0" * files.MAX_FILE_SIZE)
    accepted, errors = accept_uploads([big])
    assert not accepted and errors == ["附件“大文件.pdf”超过 10 MB，不能上传。"]
    six = [SimpleUploadedFile(f"{i}.pdf", PDF + bytes([i])) for i in range(6)]
    accepted, errors = accept_uploads(six)
    assert len(accepted) == 5 and "每次最多上传 5 个附件" in errors[0]
    near = [SimpleUploadedFile(f"{i}.pdf", PDF + b"0" * (9 * 1024 * 1024)) for i in range(4)]
    accepted, errors = accept_uploads(near)
    assert len(accepted) == 3 and "附件总大小超过 30 MB，“3.pdf”未能上传" in errors[0]


@pytest.mark.django_db
def test_a_pdf_is_taken_and_an_exe_renamed_pdf_is_refused_through_the_form(demo, reporter):
    refused = submit(reporter, attachments=[upload("证据.pdf", EXE, "application/pdf")])
    page = refused.content.decode()
    assert refused.status_code == 422
    assert "附件“证据.pdf”是可执行程序或脚本，不能上传" in page
    assert "请重新选择要上传的文件" in page and not Report.objects.exists()
    taken = submit(reporter, attachments=[upload("证据.pdf", PDF, "application/x-msdownload")])
    assert taken.status_code == 200
    stored = Attachment.objects.get(report=latest_report())
    assert stored.content_type == "application/pdf" and stored.size == len(PDF)


@pytest.mark.django_db
def test_svg_and_oversize_files_are_refused_through_the_form(demo, reporter):
    response = submit(
        reporter,
        attachments=[
            upload("示意图.svg", SVG, "image/svg+xml"),
            upload("超大.pdf", PDF + b"0" * files.MAX_FILE_SIZE, "application/pdf"),
        ],
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert "附件“示意图.svg”是网页、SVG 或 XML 文件" in page
    assert "附件“超大.pdf”超过 10 MB，不能上传" in page
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_the_upload_handler_drops_an_oversize_file_while_parsing(demo, reporter):
    """The limit applies while the request is read: the oversize file never reaches the view."""
    handler = files.UploadLimitHandler()
    handler.new_file("attachments", "巨大.mp4", "video/mp4", None)
    with pytest.raises(SkipFile):
        for offset in range(0, files.MAX_FILE_SIZE + 2 * 65536, 65536):
            handler.receive_data_chunk(b"0" * 65536, offset)
    assert handler.refused == ["附件“巨大.mp4”超过 10 MB，不能上传。"]
