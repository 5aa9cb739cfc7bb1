"""The reporter's files: what is accepted (by content, never by name), how they are stored and read back.

- **Type by content.** ``sniff`` reads the first bytes (and, for Office files, the zip directory):
  PDF, JPEG, PNG, Word (.docx) and Excel (.xlsx) — a zip with ``[Content_Types].xml`` and the part
  its type needs, no macros —, plain text (valid UTF-8 or GB18030, no control characters), MP3 and
  MP4. Executables, scripts, HTML/SVG/XML, other zips, Office files with macros, zip bombs, files
  that are also a zip (polyglots) and anything unrecognised are refused with a Chinese message that
  names the file. The name's extension decides nothing; a download gets the true type's extension.
- **Photos, Office files, PDFs and videos are cleaned.** ``accept_uploads`` (the public site) stores a
  JPEG, PNG, .docx, .xlsx, PDF or MP4 only after ``strip_metadata`` took out what could name the
  reporter (GPS position, phone, time, XMP, anything after the image; author, editor, company, comment
  authors; a PDF's information dictionary; an MP4's user data and location boxes); the digests
  are of the cleaned file. The evidence locker does not: there the place a photo was taken or who
  wrote a document may be evidence, and the file is kept as it was collected.
- **Sizes.** At most ``MAX_FILES`` files, ``MAX_FILE_SIZE`` each, ``MAX_TOTAL_SIZE`` together.
  ``UploadLimitHandler`` enforces them while the request is parsed, so an oversize file is never
  written to the temporary directory.
- **At rest.** Each file is hashed (SHA-256 and SM3), encrypted with SM4-GCM under the keyring's
  ``attachment`` key with a fresh random nonce, the SHA-256 bound as associated data, and stored in
  the default storage under ``evidence/public/`` named by a keyed digest of the SHA-256 (so equal
  content is stored once, and the name alone does not let anyone with disk access confirm that a
  known document was submitted). ``read_verified`` decrypts and checks both hashes; any mismatch is
  ``IntegrityFailed``, never a crash.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from xiezuoqu.crypto import blind_index, keyring
from xiezuoqu.errors import DomainError
from xiezuoqu.public import images, office, pdf, video

MAX_FILES = 5
MAX_FILE_SIZE = 10 * 1024 * 1024
MAX_TOTAL_SIZE = 30 * 1024 * 1024
# An Office file is a zip: refuse one that would inflate to more than this (a zip bomb) …
MAX_UNZIPPED = 200 * 1024 * 1024
MAX_ZIP_ENTRIES = 5000
# … or that inflates far more than Office files do (XML deflates 5–20 times; a sheet of repeated rows
# up to ~50): past ``ZIP_RATIO_FLOOR`` unzipped, more than ``MAX_ZIP_RATIO`` times its size is a bomb.
MAX_ZIP_RATIO = 100
ZIP_RATIO_FLOOR = 10 * 1024 * 1024
# What carries code in an Office file: the VBA project (under any name, by its content type), ActiveX
# controls, and embedded macro-enabled documents.
MACRO_TYPES = (b"macroenabled", b"vbaproject", b"vbadata", b"ms-office.activex")
MACRO_PARTS = ("vbaproject.bin", "vbadata.xml")
MACRO_EMBEDDED = (".docm", ".dotm", ".xlsm", ".xltm", ".xlam", ".xlsb", ".pptm", ".potm", ".ppsm", ".ppam", ".sldm")
# Names Windows will not save a file under, with any extension (a download named "CON.pdf" fails).
WINDOWS_RESERVED = re.compile(
    r"^(con|prn|aux|nul|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3])(\.|$)", re.IGNORECASE
)
MAX_NAME = 100
STORAGE_DIR = "evidence/public"
PURPOSE = "attachment"
BLOB_MAGIC = b"XZQE1"
NONCE_BYTES = 12
TAG_BYTES = 16

ACCEPTED_TEXT = "PDF、JPG、PNG、Word（.docx）、Excel（.xlsx）、纯文本（.txt）、MP3、MP4"


@dataclass(frozen=True)
class FileKind:
    content_type: str
    label: str
    extensions: tuple[str, ...]  # the first is the one a download gets when the name has none of them


PDF = FileKind("application/pdf", "PDF 文档", (".pdf",))
JPEG = FileKind("image/jpeg", "JPG 图片", (".jpg", ".jpeg", ".jpe"))
PNG = FileKind("image/png", "PNG 图片", (".png",))
DOCX = FileKind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word 文档", (".docx",))
XLSX = FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel 表格", (".xlsx",))
TEXT_UTF8 = FileKind("text/plain; charset=utf-8", "纯文本", (".txt",))
TEXT_GB18030 = FileKind("text/plain; charset=gb18030", "纯文本", (".txt",))
MP3 = FileKind("audio/mpeg", "MP3 音频", (".mp3",))
MP4 = FileKind("video/mp4", "MP4 视频", (".mp4", ".m4v", ".m4a"))

KINDS: dict[str, FileKind] = {
    kind.content_type: kind for kind in (PDF, JPEG, PNG, DOCX, XLSX, TEXT_UTF8, TEXT_GB18030, MP3, MP4)
}

# ISO base media brands of ordinary MP4 audio and video (phones, cameras, screen recorders).
MP4_BRANDS = frozenset(
    {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4A ", b"M4V ", b"MSNV", b"dash"}
    | {b"3gp4", b"3gp5", b"3gp6", b"3g2a", b"qt  "}
)
EXECUTABLE_MAGIC = (
    b"MZ",  # Windows PE (.exe, .dll, .scr)
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",  # Mach-O
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal / Java class
    b"#!",  # shell and other scripts
    b"\x00asm",
)
MARKUP = (b"<!doctype", b"<html", b"<svg", b"<script", b"<?xml", b"<body", b"<iframe", b"<head", b"<object", b"<embed")
CONTROL_OK = frozenset("\t\n\r\f\v")


class RefusedFile(Exception):
    """An upload that is not accepted; ``message`` names the file and says why, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class IntegrityFailed(DomainError):
    """The stored file does not decrypt, or its content no longer matches the hashes taken at upload."""

    status = 409
    code = "integrity_failed"
    title = "附件校验失败"


class StorageFailed(DomainError):
    """The file store could not write the file (the disk is full, or it failed): nothing was recorded."""

    status = 503
    code = "storage_failed"
    title = "附件暂时无法保存"


# --- names -----------------------------------------------------------------------------------------------


def clean_name(name: str | None) -> str:
    """A file name safe to show and to offer for download: no path, no control or direction characters."""
    text = unicodedata.normalize("NFC", name or "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    # Category C: control, format (e.g. U+202E, which makes "exe.pdf" read as "fdp.exe"), unassigned.
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("C"))
    text = re.sub(r'[<>:"|?*]', "_", text).strip(" .")
    if not text:
        return "附件"
    if WINDOWS_RESERVED.match(text):
        text = "_" + text
    if len(text) > MAX_NAME:
        stem, dot, ext = text.rpartition(".")
        keep_extension = dot and 0 < len(ext) <= 10
        text = stem[: MAX_NAME - len(ext) - 1] + "." + ext if keep_extension else text[:MAX_NAME]
    return text


def download_name(original_name: str, content_type: str) -> str:
    """The name a download gets: the original one, with the extension of what the file really is."""
    kind = KINDS.get(content_type)
    if kind is None:
        return original_name
    if original_name.lower().endswith(kind.extensions):
        return original_name
    return original_name + kind.extensions[0]


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} 字节"


# --- sniffing --------------------------------------------------------------------------------------------


def _is_bomb(data: bytes, entries: list[zipfile.ZipInfo]) -> bool:
    unzipped = sum(e.file_size for e in entries)
    if len(entries) > MAX_ZIP_ENTRIES or unzipped > MAX_UNZIPPED:
        return True
    if unzipped > ZIP_RATIO_FLOOR and unzipped > MAX_ZIP_RATIO * len(data):
        return True
    # Entries that overlap (one deflated stream counted by many entries) claim more than the file holds.
    return sum(e.compress_size for e in entries) > len(data)


def _is_macro_part(part: str) -> bool:
    folders, _, base = part.lower().rpartition("/")
    if base in MACRO_PARTS or "activex" in folders.split("/"):
        return True
    return "embeddings" in folders.split("/") and base.endswith(MACRO_EMBEDDED)


def _office(name: str, data: bytes) -> FileKind:
    refused = RefusedFile(f"附件“{name}”是压缩包或不支持的文档，不能上传（Office 文档只接受 .docx 和 .xlsx）。")
    macro = RefusedFile(f"附件“{name}”含有宏，不能上传；请另存为不含宏的 .docx、.xlsx 或 PDF。")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise RefusedFile(f"附件“{name}”已损坏，无法打开。") from exc
    if _is_bomb(data, entries):
        raise RefusedFile(f"附件“{name}”解压后过大或内含文件过多（疑似“压缩炸弹”），不能上传。")
    if any(e.flag_bits & 0x1 for e in entries):
        raise RefusedFile(f"附件“{name}”设置了密码，无法查看，请去除密码后再上传。")
    names = {e.filename for e in entries}
    if "[Content_Types].xml" not in names:
        raise refused
    if any(_is_macro_part(n) for n in names):
        raise macro
    info = archive.getinfo("[Content_Types].xml")
    if info.file_size > 1024 * 1024:
        raise refused
    try:
        types = archive.read(info)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError) as exc:
        raise RefusedFile(f"附件“{name}”已损坏，无法打开。") from exc
    if any(marker in types.lower() for marker in MACRO_TYPES):
        raise macro
    if "word/document.xml" in names and b"wordprocessingml.document.main+xml" in types:
        return DOCX
    if "xl/workbook.xml" in names and b"spreadsheetml.sheet.main+xml" in types:
        return XLSX
    raise refused


def _is_mp3(data: bytes) -> bool:
    if data[:3] == b"ID3":
        return True
    if len(data) < 4 or data[0] != 0xFF or data[1] & 0xE0 != 0xE0:
        return False
    version, layer = (data[1] >> 3) & 0x3, (data[1] >> 1) & 0x3
    bitrate, sample_rate = data[2] >> 4, (data[2] >> 2) & 0x3
    # MPEG layer III, a version that exists, a bitrate and sample rate that are not "bad"/"reserved".
    return version != 1 and layer == 1 and bitrate not in (0, 15) and sample_rate != 3


def _text(name: str, data: bytes) -> FileKind:
    unknown = RefusedFile(f"附件“{name}”的文件类型无法识别，不能上传（只接受 {ACCEPTED_TEXT}）。")
    if b"\x00" in data:
        raise unknown
    try:
        text, kind = data.decode("utf-8-sig"), TEXT_UTF8
    except UnicodeDecodeError:
        try:
            text, kind = data.decode("gb18030"), TEXT_GB18030
        except UnicodeDecodeError:
            raise unknown from None
    if any(unicodedata.category(ch) == "Cc" and ch not in CONTROL_OK for ch in text):
        raise unknown
    return kind


def _hides_a_zip(data: bytes) -> bool:
    """A zip archive after (or inside) the file: its end record in the last 64 KB, and entries."""
    if b"PK\x05\x06" not in data[-(65536 + 22) :]:
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return bool(archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return False


def sniff(name: str, data: bytes) -> FileKind:
    """What the file is, from its bytes; ``RefusedFile`` (naming the file) when it is not accepted.

    A file that is two things at once (a polyglot: a PDF, picture or video that is also a zip archive)
    is refused: what opens it decides what it is, and a program could take the hidden archive out.
    """
    kind = _sniff(name, data)
    if kind not in (DOCX, XLSX) and _hides_a_zip(data):
        raise RefusedFile(
            f"附件“{name}”除{kind.label}外还藏有压缩包（多重格式文件），不能上传；请重新导出或另存后再上传。"
        )
    return kind


def _sniff(name: str, data: bytes) -> FileKind:
    if not data:
        raise RefusedFile(f"附件“{name}”是空文件。")
    if data.startswith(EXECUTABLE_MAGIC):
        raise RefusedFile(f"附件“{name}”是可执行程序或脚本，不能上传。")
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        return _office(name, data)
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise RefusedFile(f"附件“{name}”是旧版 Office 文档（.doc/.xls），不能上传；请另存为 .docx、.xlsx 或 PDF。")
    if data[4:8] == b"ftyp" and data[8:12] in MP4_BRANDS:
        return MP4
    if _is_mp3(data):
        return MP3
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    starts_with_markup = head.startswith(b"<") and any(tag in head for tag in MARKUP)
    if starts_with_markup or any(tag in head for tag in (b"<script", b"<svg", b"<html")):
        raise RefusedFile(f"附件“{name}”是网页、SVG 或 XML 文件，可能含有脚本，不能上传；请转换为 PDF 或图片后再上传。")
    return _text(name, data)


def strip_metadata(name: str, kind: FileKind, data: bytes) -> bytes:
    """For the reporter's anonymity: a photo without its EXIF, XMP, IPTC, comments and trailing data
    (``images``), a Word or Excel file without its author, editor, company and comment authors
    (``office``), a PDF without its information dictionary, XMP and comment authors (``pdf``), an MP4
    without its user data, location, metadata and XMP boxes (``video``); other kinds unchanged. A file
    that cannot be read to its end is refused: it is never stored with what it may still carry."""
    cleaners: dict[FileKind, Callable[[bytes], bytes]] = {
        JPEG: images.clean_jpeg,
        PNG: images.clean_png,
        DOCX: office.clean_office,
        XLSX: office.clean_office,
        PDF: pdf.clean_pdf,
        MP4: video.clean_mp4,
    }
    cleaner = cleaners.get(kind)
    if cleaner is None:
        return data
    try:
        return cleaner(data)
    except pdf.NeedsPassword:
        raise RefusedFile(f"附件“{name}”设置了打开密码，无法查看，请去除密码后再上传。") from None
    except pdf.MalformedDocument:
        raise RefusedFile(
            f"附件“{name}”无法读取，不能去除其中可能记录的作者等信息，不能上传；请重新导出或打印为 PDF 后再上传。"
        ) from None
    except video.MalformedVideo:
        raise RefusedFile(
            f"附件“{name}”已损坏，无法去除其中可能记录的拍摄地点等信息，不能上传；请重新导出后再上传。"
        ) from None
    except (images.MalformedImage, office.MalformedDocument):
        raise RefusedFile(f"附件“{name}”已损坏，无法打开。") from None


@dataclass(frozen=True)
class Upload:
    """One accepted file, read into memory (at most ``MAX_FILE_SIZE``), with its digests."""

    name: str
    data: bytes
    kind: FileKind
    sha256: str
    sm3: str

    @property
    def size(self) -> int:
        return len(self.data)


def sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def accept_uploads(files: list[Any], refused_early: list[str] | None = None) -> tuple[list[Upload], list[str]]:
    """Check the uploaded files (Django ``UploadedFile`` objects): the accepted ones and the refusals.

    ``refused_early`` are the messages ``UploadLimitHandler`` produced while parsing (oversize files
    it dropped); they come first so that every file the reporter chose is accounted for.
    """
    errors = list(refused_early or [])
    accepted: list[Upload] = []
    if len(files) > MAX_FILES:
        errors.append(f"每次最多上传 {MAX_FILES} 个附件。")
        files = files[:MAX_FILES]
    total = 0
    for upload in files:
        name = clean_name(getattr(upload, "name", ""))
        if upload.size > MAX_FILE_SIZE:
            errors.append(f"附件“{name}”超过 {MAX_FILE_SIZE // (1024 * 1024)} MB，不能上传。")
            continue
        total += upload.size
        if total > MAX_TOTAL_SIZE:
            errors.append(f"附件总大小超过 {MAX_TOTAL_SIZE // (1024 * 1024)} MB，“{name}”未能上传。")
            continue
        upload.seek(0)
        data = upload.read()
        try:
            kind = sniff(name, data)
            data = strip_metadata(name, kind, data)
        except RefusedFile as exc:
            errors.append(exc.message)
            continue
        accepted.append(
            Upload(name=name, data=data, kind=kind, sha256=hashlib.sha256(data).hexdigest(), sm3=sm3_hex(data))
        )
    return accepted, errors


class UploadLimitHandler(FileUploadHandler):
    """Drops a file as soon as it passes the size limits, while the request is being parsed.

    Put first in ``request.upload_handlers`` before anything reads ``request.POST``. The file is
    skipped only from its first chunk on (never in ``new_file``: Django would then close the previous,
    completed upload of the handlers after this one).
    """

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.count = 0
        self.total = 0
        self.current = 0
        self.skipping = False
        self.refused: list[str] = []

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.count += 1
        self.current = 0
        self.skipping = False

    def _refuse(self, message: str) -> None:
        if not self.skipping:
            self.skipping = True
            self.refused.append(message)
        raise SkipFile()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        name = clean_name(self.file_name)
        if self.count > MAX_FILES:
            self._refuse(f"每次最多上传 {MAX_FILES} 个附件，“{name}”未能上传。")
        self.current += len(raw_data)
        self.total += len(raw_data)
        if self.current > MAX_FILE_SIZE:
            self._refuse(f"附件“{name}”超过 {MAX_FILE_SIZE // (1024 * 1024)} MB，不能上传。")
        if self.total > MAX_TOTAL_SIZE:
            self._refuse(f"附件总大小超过 {MAX_TOTAL_SIZE // (1024 * 1024)} MB，“{name}”未能上传。")
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


# --- encryption at rest ----------------------------------------------------------------------------------


def encrypt_bytes(plaintext: bytes, *, purpose: str = PURPOSE, context: bytes = b"") -> bytes:
    """SM4-GCM under the keyring's key for ``purpose``: magic, a fresh 12-byte nonce, ciphertext, tag.

    ``context`` is authenticated, not stored: the blob opens only for the same purpose and context.
    """
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(keyring().key_for(purpose)), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(purpose.encode() + b"|" + context)
    return BLOB_MAGIC + nonce + encryptor.update(plaintext) + encryptor.finalize() + encryptor.tag


def decrypt_bytes(blob: bytes, *, purpose: str = PURPOSE, context: bytes = b"") -> bytes:
    """The plaintext of ``encrypt_bytes``; ``IntegrityFailed`` when the blob was altered or is not one."""
    head = len(BLOB_MAGIC) + NONCE_BYTES
    if not blob.startswith(BLOB_MAGIC) or len(blob) < head + TAG_BYTES:
        raise IntegrityFailed("附件的存储文件格式无效。")
    nonce, body, tag = blob[len(BLOB_MAGIC) : head], blob[head:-TAG_BYTES], blob[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(keyring().key_for(purpose)), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(purpose.encode() + b"|" + context)
    try:
        return decryptor.update(body) + decryptor.finalize()
    except InvalidTag as exc:
        raise IntegrityFailed("附件的存储文件未通过完整性校验（可能被篡改或损坏）。") from exc


def blob_name(sha256: str) -> str:
    name = blind_index(sha256, purpose="attachment.blob")
    return f"{STORAGE_DIR}/{name[:2]}/{name}"


def _open_blob(storage_name: str, sha256: str) -> bytes:
    try:
        with default_storage.open(storage_name, "rb") as handle:
            blob = handle.read()
    except (FileNotFoundError, OSError) as exc:
        raise IntegrityFailed("附件的存储文件缺失。") from exc
    plaintext = decrypt_bytes(blob, context=sha256.encode())
    if hashlib.sha256(plaintext).hexdigest() != sha256:
        raise IntegrityFailed("附件内容与上传时的 SHA-256 摘要不符（可能被篡改）。")
    return plaintext


def store(upload: Upload) -> str:
    """Encrypt and store the file once per content; returns its storage name.

    A blob already stored under the content's name is reused when it still verifies; one that does
    not (damaged) is left for inspection and the new copy is saved beside it.
    """
    name = blob_name(upload.sha256)
    if default_storage.exists(name):
        try:
            _open_blob(name, upload.sha256)
        except IntegrityFailed:
            pass
        else:
            touch_stored(name)
            return name
    try:
        return default_storage.save(name, ContentFile(encrypt_bytes(upload.data, context=upload.sha256.encode())))
    except OSError as exc:
        # Raised inside the caller's transaction: the report and its rows are rolled back with it.
        raise StorageFailed(
            "附件存储空间已满或暂时无法写入，本次提交未保存（没有留下任何记录）；请稍后再试，或联系系统管理员。"
        ) from exc


def touch_stored(name: str) -> None:
    """Mark a reused blob as just written, so that ``sweep_files`` never takes it from under a
    transaction that is about to reference it (xiezuoqu.backup.sweep)."""
    with contextlib.suppress(NotImplementedError, OSError):  # a store without local paths: nothing to touch
        os.utime(default_storage.path(name))


def read_verified(*, storage_name: str, sha256: str, sm3: str) -> bytes:
    """The decrypted file, after checking the GCM tag, the SHA-256 and the SM3 taken at upload."""
    plaintext = _open_blob(storage_name, sha256)
    if sm3_hex(plaintext) != sm3:
        raise IntegrityFailed("附件内容与上传时的 SM3 摘要不符（可能被篡改）。")
    return plaintext
