"""The reporter's Word and Excel files without the names Office writes into them.

Office records who wrote a file and where: the author and the last editor (``docProps/core.xml``,
usually the Windows account's name), the company and manager (``docProps/app.xml``), custom
properties, the author and initials of every tracked change and comment in Word, the comment authors
and the people list in Excel, the user who protected a workbook — and the pictures pasted into it
keep their camera's EXIF (GPS position). Any of these can name an anonymous
reporter, so the public site replaces them with 匿名 (or drops the properties) and cleans the
JPEG/PNG pictures (``images``) before storage; the text, tables and formatting are copied unchanged.

``clean_office`` reads only the parts that can carry a name; when none does, the file is kept as it
came. It runs after ``files.sniff`` accepted the file, so the zip is known to be within the bomb limits.
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile

from xiezuoqu.public import images

ANONYMOUS = "匿名".encode()

CORE = "docProps/core.xml"
APP = "docProps/app.xml"
CUSTOM = "docProps/custom.xml"
EMPTY_CORE = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
    b' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
    b' xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
)
EMPTY_CUSTOM = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"'
    b' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>'
)
# app.xml: who and where, not what (pages, words and the application stay).
APP_ELEMENTS = re.compile(rb"<(Company|Manager|HyperlinkBase|Template)>[^<]*</\1>|<(Company|Manager|HyperlinkBase)/>")
# Word: tracked changes, comments and the people list carry their author's name and account.
WORD_ATTRIBUTES = re.compile(rb'\b((?:w|w15):(?:author|initials|userId|providerId))="[^"]*"')
# Excel: comment authors, the people of threaded comments, the user who set file sharing.
EXCEL_AUTHOR = re.compile(rb"<author>[^<]*</author>")
EXCEL_PERSON = re.compile(rb'\b(displayName|userId|providerId)="[^"]*"')
EXCEL_SHARING = re.compile(rb'(<fileSharing\b[^>]*\buserName=)"[^"]*"')


class MalformedDocument(ValueError):
    """A part of the zip cannot be read back (damaged, or its checksum does not match)."""


def _clean_picture(content: bytes) -> bytes:
    """A JPEG or PNG inside the document (a pasted phone photo keeps its GPS) is cleaned like an
    uploaded one; a picture that does not parse, or of another format, is left to the application."""
    cleaner = images.clean_jpeg if content.startswith(b"\xff\xd8") else images.clean_png
    try:
        return cleaner(content)
    except images.MalformedImage:
        return content


def _clean_part(name: str, content: bytes) -> bytes:
    if _is_picture(name):
        return _clean_picture(content)
    if name == CORE:
        return EMPTY_CORE
    if name == CUSTOM:
        return EMPTY_CUSTOM
    if name == APP:
        return APP_ELEMENTS.sub(b"", content)
    if name.startswith("word/") and name.endswith(".xml"):
        return WORD_ATTRIBUTES.sub(rb'\1="' + ANONYMOUS + b'"', content)
    if name.startswith("xl/comments") and name.endswith(".xml"):
        return EXCEL_AUTHOR.sub(b"<author>" + ANONYMOUS + b"</author>", content)
    if name.startswith("xl/persons/") and name.endswith(".xml"):
        return EXCEL_PERSON.sub(rb'\1="' + ANONYMOUS + b'"', content)
    if name == "xl/workbook.xml":
        return EXCEL_SHARING.sub(rb'\1"' + ANONYMOUS + b'"', content)
    return content


def _is_picture(name: str) -> bool:
    folder = name.rpartition("/")[0]
    return folder in ("word/media", "xl/media", "docProps") and name.lower().endswith((".jpg", ".jpeg", ".png"))


def _may_name_someone(name: str) -> bool:
    if name in (CORE, APP, CUSTOM, "xl/workbook.xml") or _is_picture(name):
        return True
    if not name.endswith(".xml"):
        return False
    return name.startswith(("word/", "xl/comments", "xl/persons/"))


def clean_office(data: bytes) -> bytes:
    """The .docx/.xlsx with its names replaced; the same bytes when it names no one."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as source:
            entries = source.infolist()
            changed = {}
            for info in entries:
                if _may_name_someone(info.filename):
                    content = source.read(info)
                    cleaned = _clean_part(info.filename, content)
                    if cleaned != content:
                        changed[info.filename] = cleaned
            if not changed:
                return data
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w") as target:
                for info in entries:
                    copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                    copy.external_attr = info.external_attr
                    stored = info.compress_type == zipfile.ZIP_STORED
                    copy.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
                    if info.filename in changed:
                        target.writestr(copy, changed[info.filename])
                        continue
                    # The other parts are streamed: an Office file may inflate to MAX_UNZIPPED.
                    with source.open(info) as part, target.open(copy, "w") as out:
                        shutil.copyfileobj(part, out, 1024 * 1024)
            return buffer.getvalue()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError) as exc:
        raise MalformedDocument(str(exc)) from exc
