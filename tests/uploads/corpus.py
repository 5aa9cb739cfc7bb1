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


# --- PDF and MP4 metadata ---------------------------------------------------------------------------------

REPORTER_NAME = "张三丰"


def pdf_with_names() -> bytes:
    """A PDF as a reporter's office suite saves it: an information dictionary with the author, the
    program and the times, XMP naming the author and the place, a comment under the account's name —
    and an earlier revision (incremental save) whose information dictionary still names them."""
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject, RectangleObject
    from pypdf.generic import TextStringObject as Text

    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    writer.add_metadata(
        {
            "/Author": REPORTER_NAME,
            "/Creator": f"WPS 文字 ({REPORTER_NAME} 的电脑)",
            "/Producer": "XZQ-PDF-PRODUCER",
            "/Title": f"{REPORTER_NAME}举报材料",
            "/CreationDate": "D:20260301120000+08'00'",
            "/ModDate": "D:20260302120000+08'00'",
        }
    )
    xmp = DecodedStreamObject()
    xmp.set_data(b"<x:xmpmeta><dc:creator>ZSF</dc:creator><exif:GPS>" + GPS_MARK + b"</exif:GPS></x:xmpmeta>")
    xmp[NameObject("/Type")] = NameObject("/Metadata")
    xmp[NameObject("/Subtype")] = NameObject("/XML")
    writer.root_object[NameObject("/Metadata")] = writer._add_object(xmp)
    page[NameObject("/Metadata")] = writer._add_object(xmp)
    comment = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Text"),
            NameObject("/T"): Text(REPORTER_NAME),
            NameObject("/Contents"): Text("请核对名单"),
            NameObject("/M"): Text("D:20260302120000"),
            NameObject("/Rect"): RectangleObject([10, 10, 30, 30]),
        }
    )
    page[NameObject("/Annots")] = ArrayObject([writer._add_object(comment)])
    buffer = io.BytesIO()
    writer.write(buffer)
    first = buffer.getvalue()
    # An incremental update: a new information dictionary appended; the old one stays in the bytes.
    info_at = len(first)
    update = b"\n99 0 obj\n<< /Producer (XZQ-SECOND-REVISION) >>\nendobj\n"
    xref_at = info_at + len(update)
    start = first.rindex(b"startxref")
    previous = int(first[start + len(b"startxref") :].split()[0])
    trailer = first[first.rindex(b"trailer") : start]
    root = trailer[trailer.index(b"/Root") :].split(b"\n")[0]
    update += (
        b"xref\n99 1\n"
        + f"{info_at + 1:010d} 00000 n \n".encode()
        + b"trailer\n<< /Size 100 "
        + root
        + b" /Info 99 0 R /Prev "
        + str(previous).encode()
        + b" >>\nstartxref\n"
        + str(xref_at).encode()
        + b"\n%%EOF\n"
    )
    return first + update


MP4_SAMPLES = (b"SAMPLE-ONE-FRAME-DATA", b"SAMPLE-TWO-FRAME-DATA")
PLACE = b"+41.8667+124.0333/"  # ISO 6709, as a phone's ©xyz writes it
RECORDED = 3_870_000_000  # seconds since 1904: the recording time in mvhd/tkhd/mdhd
XMP_UUID = bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC")


def _box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I4s", len(body) + 8, kind) + body


def _full(kind: bytes, body: bytes, version: int = 0) -> bytes:
    return _box(kind, bytes([version, 0, 0, 0]) + body)


def _moov(offsets: list[int], *, co64: bool) -> bytes:
    times = struct.pack(">II", RECORDED, RECORDED + 1)
    mvhd = _full(b"mvhd", times + struct.pack(">II", 1000, 2000) + bytes(80))
    tkhd = _full(b"tkhd", times + struct.pack(">IIIQ", 1, 0, 2000, 0) + bytes(52))
    mdhd = _full(b"mdhd", times + struct.pack(">IIHH", 1000, 2000, 0x55C4, 0))
    hdlr = _full(b"hdlr", bytes(4) + b"vide" + bytes(12) + b"VideoHandler\x00")
    if co64:
        chunks = _full(b"co64", struct.pack(">I", len(offsets)) + b"".join(struct.pack(">Q", o) for o in offsets))
    else:
        chunks = _full(b"stco", struct.pack(">I", len(offsets)) + b"".join(struct.pack(">I", o) for o in offsets))
    stsz = _full(b"stsz", struct.pack(">II", 0, 2) + b"".join(struct.pack(">I", len(s)) for s in MP4_SAMPLES))
    stbl = _box(b"stbl", _full(b"stsd", struct.pack(">I", 0)) + stsz + chunks)
    minf = _box(b"minf", stbl)
    mdia = _box(b"mdia", mdhd + hdlr + minf)
    track_name = _box(b"udta", _box(b"\xa9nam", struct.pack(">HH", 9, 0) + b"ZSF-TRACK"))
    trak = _box(b"trak", tkhd + mdia + track_name)
    ilst = _box(b"ilst", _box(b"\xa9nam", _box(b"data", struct.pack(">II", 1, 0) + REPORTER_NAME.encode())))
    udta = _box(
        b"udta",
        _box(b"\xa9xyz", struct.pack(">HH", len(PLACE), 0x15C7) + PLACE)
        + _box(b"\xa9day", struct.pack(">HH", 10, 0) + b"2026-03-01")
        + _box(b"\xa9mak", struct.pack(">HH", len(MAKER), 0) + MAKER)
        + _full(b"meta", _full(b"hdlr", bytes(4) + b"mdir" + bytes(12) + b"\x00") + ilst),
    )
    keys = _full(b"keys", struct.pack(">I", 1) + _box(b"mdta", b"com.apple.quicktime.location.ISO6709"))
    meta = _full(b"meta", _full(b"hdlr", bytes(4) + b"mdta" + bytes(13)) + keys + _box(b"ilst", PLACE))
    xmp = _box(b"uuid", XMP_UUID + b"<x:xmpmeta>" + GPS_MARK + b"</x:xmpmeta>")
    return _box(b"moov", mvhd + trak + udta + meta + xmp)


def mp4_with_location(*, moov_first: bool, co64: bool = False) -> bytes:
    """A phone's MP4: one video track whose two chunks are in ``mdat``; the place (©xyz, QuickTime
    location key, XMP inside the movie and at the top), the date, maker and a title naming the reporter;
    the movie index (``moov``) before the media data (streaming order) or after it (camera order)."""
    ftyp = _box(b"ftyp", b"mp42\x00\x00\x00\x00mp42isom")
    mdat_body = b"".join(MP4_SAMPLES)
    top_xmp = _box(b"uuid", XMP_UUID + b"<x:xmpmeta><xmp:CreatorTool>" + MAKER + b"</xmp:CreatorTool></x:xmpmeta>")
    moov_size = len(_moov([0, 0], co64=co64))
    if moov_first:
        mdat_at = len(ftyp) + moov_size + len(top_xmp)
        offsets = [mdat_at + 8, mdat_at + 8 + len(MP4_SAMPLES[0])]
        return ftyp + _moov(offsets, co64=co64) + top_xmp + _box(b"mdat", mdat_body)
    mdat_at = len(ftyp)
    offsets = [mdat_at + 8, mdat_at + 8 + len(MP4_SAMPLES[0])]
    return ftyp + _box(b"mdat", mdat_body) + _moov(offsets, co64=co64) + top_xmp
