"""A corpus of bad files, generated here (nothing binary is committed but one 543-byte photo).

Each ``Bad`` is a file every upload must refuse with a Chinese message containing ``words``; the
``cleaned_*`` helpers build files that are taken only after they were cleaned (names, photo metadata).
"""

from __future__ import annotations

import base64
import functools
import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"This program cannot be run."

# A real 16×16 baseline JPEG (JFIF, no metadata): CPython's test image, small enough to keep inline.
PHOTO = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8Q"
    "EBEQCgwSExIQEw8QEBD/2wBDAQMDAwQDBAgEBAgQCwkLEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ"
    "EBAQEBAQEBD/wAARCAAQABADASIAAhEBAxEB/8QAFgABAQEAAAAAAAAAAAAAAAAABwQF/8QAJBAAAQQBBAICAwAAAAAAAAAAAQID"
    "BAYFBwgSExEiABQJMTL/xAAVAQEBAAAAAAAAAAAAAAAAAAAABv/EACMRAAECBQMFAAAAAAAAAAAAAAECEQMEBQYhABIxFRZhgeH/"
    "2gAMAwEAAhEDEQA/ABSm0mobc8HmExLUlRzzEWPkJWW+ulrsaUVAseUgslSlH9LKuPryIKuWPZdskzXmm3fX5m2nF4GlVxx/HOpx"
    "4ks51+MiU/Iaad7UcUo4tILoS4kqcWkezS0hO/HvuRp0rO6hWnWO1UisZVuFi4GFeyEpmGepa5S5SWVPuciFKRFLgSrwetnyPIB+"
    "Vb4N9mKhQMzo5po9XLdDs9d6ZVix2VEhiL9kuNPxw2gEKcDQ/rs8AuA8VAe0vdl7VOYn+27flGAUgmITjbhSmCg3BYlyeWDkMolv"
    "w4KOp1KM6iCNvngZHwetf//Z"
)
# Where the photo was taken, as a phone writes it: 北纬 41°52′, 东经 124°02′ (a village in the demo county).
GPS_MARK = b"GPS-41N52-124E02"
MAKER = b"XZQ-PHONE-MODEL"

DOCX_MAIN = ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml")
XLSX_MAIN = ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")


@dataclass(frozen=True)
class Bad:
    label: str
    name: str
    data: bytes
    words: str  # the refusal must say this (in Chinese)


def office(kind: str = "docx", *, parts: dict[str, bytes] | None = None, types: str = "", main_type: str = "") -> bytes:
    """A minimal Word or Excel file; ``parts`` are added, ``types`` go into ``[Content_Types].xml``."""
    main, content_type = DOCX_MAIN if kind == "docx" else XLSX_MAIN
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<?xml version="1.0"?><Types>{types}<Override PartName="/{main}" '
            f'ContentType="{main_type or content_type}"/></Types>',
        )
        archive.writestr(main, "<document>虚报冒领补贴名单</document>")
        for name, data in (parts or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


@functools.cache
def bomb(kind: str, megabytes: int) -> bytes:
    """An Office file with a part of ``megabytes`` MB of zeros (a few hundred KB once deflated)."""
    main, content_type = DOCX_MAIN if kind == "docx" else XLSX_MAIN
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml", f'<Types><Override PartName="/{main}" ContentType="{content_type}"/></Types>'
        )
        archive.writestr(main, "<document/>")
        chunk = b"\x00" * (1024 * 1024)
        with archive.open("word/media/image1.bin" if kind == "docx" else "xl/media/image1.bin", "w") as part:
            for _ in range(megabytes):
                part.write(chunk)
    return buffer.getvalue()


def plain_zip(name: str = "payload.txt", data: bytes = b"hidden") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


# --- photo metadata ---------------------------------------------------------------------------------------


def _exif(orientation: int = 6) -> bytes:
    """A big-endian TIFF block: IFD0 with Make, Orientation and a GPS IFD holding a latitude tag."""
    entries0 = 3
    ifd0 = 8
    gps_ifd = ifd0 + 2 + 12 * entries0 + 4
    gps_entries = 2
    data_at = gps_ifd + 2 + 12 * gps_entries + 4
    make = MAKER + b"\x00"
    latitude_ref = b"N\x00\x00\x00"
    gps_text_at = data_at + len(make)
    tiff = b"MM\x00\x2a" + struct.pack(">I", ifd0)
    tiff += struct.pack(">H", entries0)
    tiff += struct.pack(">HHII", 0x010F, 2, len(make), data_at)  # Make
    tiff += struct.pack(">HHIHH", 0x0112, 3, 1, orientation, 0)  # Orientation
    tiff += struct.pack(">HHII", 0x8825, 4, 1, gps_ifd)  # GPSInfo
    tiff += b"\x00\x00\x00\x00"
    tiff += struct.pack(">H", gps_entries)
    tiff += struct.pack(">HHI", 0x0001, 2, 2) + latitude_ref  # GPSLatitudeRef
    tiff += struct.pack(">HHII", 0x001B, 7, len(GPS_MARK), gps_text_at)  # GPSProcessingMethod
    tiff += b"\x00\x00\x00\x00"
    return tiff + make + GPS_MARK


def _segment(marker: int, body: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body


def photo_with_location(*, trailer: bytes = b"") -> bytes:
    """The photo as a phone saves it: EXIF (maker, orientation, GPS), XMP with the location, an IPTC
    block and a comment — and, if given, data after the end of the image."""
    xmp = (
        b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta><exif:GPSLatitude>" + GPS_MARK + b"</exif:GPSLatitude></x:xmpmeta>"
    )
    segments = (
        _segment(0xE1, b"Exif\x00\x00" + _exif())
        + _segment(0xE1, xmp)
        + _segment(0xED, b"Photoshop 3.0\x00" + GPS_MARK)
        + _segment(0xFE, b"shot at " + GPS_MARK)
    )
    jfif_end = 2 + 2 + 16  # SOI, then the 16-byte APP0 JFIF segment
    return PHOTO[:jfif_end] + segments + PHOTO[jfif_end:] + trailer


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(*, metadata: bool = False, trailer: bytes = b"") -> bytes:
    """A real 2×2 grey PNG; with ``metadata`` also eXIf, tEXt, iTXt (XMP) and tIME chunks with the place."""
    header = _chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 0, 0, 0, 0))
    pixels = _chunk(b"IDAT", zlib.compress(b"\x00\x80\x80\x00\x80\x80"))
    extra = b""
    if metadata:
        extra = (
            _chunk(b"eXIf", _exif())
            + _chunk(b"tEXt", b"Location\x00" + GPS_MARK)
            + _chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00<x:xmpmeta>" + GPS_MARK + b"</x:xmpmeta>")
            + _chunk(b"tIME", b"\x07\xea\x03\x01\x0c\x00\x00")
        )
    return b"\x89PNG\r\n\x1a\n" + header + extra + pixels + _chunk(b"IEND", b"") + trailer


# --- the corpus -------------------------------------------------------------------------------------------

MACRO = "含有宏"
BOMB = "压缩炸弹"


def corpus() -> list[Bad]:
    """Every file here must be refused by every upload, whatever it is called."""
    vba_type = '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
    return [
        # wrong magic bytes for the extension
        Bad("exe named .pdf", "证据.pdf", EXE, "可执行程序"),
        Bad("random bytes named .jpg", "照片.jpg", bytes(range(256)) * 16, "无法识别"),
        Bad("html named .png", "截图.png", b"<html><script>alert(1)</script></html>", "网页"),
        Bad("plain zip named .docx", "名单.docx", plain_zip(), "压缩包"),
        Bad("old .doc named .docx", "旧文档.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, "旧版 Office"),
        # zip bombs inside Office files
        Bad("docx bomb past the size limit", "炸弹.docx", bomb("docx", 250), BOMB),
        Bad("xlsx bomb by ratio", "炸弹.xlsx", bomb("xlsx", 60), BOMB),
        # zero bytes
        Bad("zero bytes", "空文件.pdf", b"", "空"),
        # polyglots
        Bad("pdf with a zip appended", "合同.pdf", PDF + plain_zip("run.exe", EXE), "多重格式"),
        Bad("jpeg with a zip appended", "照片.jpg", PHOTO + plain_zip("run.exe", EXE), "多重格式"),
        Bad(
            "mp4 with a zip appended",
            "视频.mp4",
            b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + plain_zip(),
            "多重格式",
        ),
        # macros in Office files
        Bad(
            "docm content in a .docx",
            "宏.docx",
            office(main_type=DOCX_MAIN[1].replace("document.main", "document.macroEnabled.main")),
            MACRO,
        ),
        Bad(
            "vbaProject.bin in a .docx",
            "宏2.docx",
            office(parts={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 60}),
            MACRO,
        ),
        Bad(
            "renamed VBA part by content type",
            "宏3.xlsx",
            office("xlsx", parts={"xl/data.bin": b"\xd0\xcf\x11\xe0"}, types=vba_type),
            MACRO,
        ),
        Bad(
            "xlsm embedded in a .docx",
            "宏4.docx",
            office(parts={"word/embeddings/Microsoft_Excel_Macro-Enabled_Worksheet1.xlsm": plain_zip()}),
            MACRO,
        ),
        Bad(
            "activeX control in a .docx",
            "宏5.docx",
            office(parts={"word/activeX/activeX1.bin": b"\xd0\xcf\x11\xe0"}),
            MACRO,
        ),
    ]


OVERSIZE_NOTE = "超过"

# Names that try to leave the folder, hide their type, or break a Windows download: the file is taken
# (it is a real PDF) under a cleaned name.
TRICK_NAMES = [
    ("../../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\windows\\system32\\证据.pdf", "证据.pdf"),
    ("名单\x00.exe.pdf", "名单.exe.pdf"),
    ("invoice\u202efdp.exe", "invoicefdp.exe"),
    ("CON.pdf", "_CON.pdf"),
    ("nul", "_nul"),
    ("LPT1.txt.pdf", "_LPT1.txt.pdf"),
    ("很长" * 100 + ".pdf", None),  # at most 100 characters, the extension kept
]


def multipart(fields: dict[str, object], uploads: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    """A multipart body written by hand: the test client would strip the path from a file's name, a
    browser or a script need not."""
    boundary = "xzq-upload-corpus-7f3a9c"
    parts = []
    for key, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    for field, filename, data in uploads:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
