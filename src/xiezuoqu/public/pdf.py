"""The reporter's PDF files without what the writing program recorded about who wrote them.

A PDF names its author in the document information dictionary (``/Info``: Author, Creator, Producer,
Title, Subject, Keywords, CreationDate, ModDate — a Title is often the file name, a Creator the
account), in XMP metadata streams (``/Metadata`` of the catalog, of pages and of pictures), in the
author (``/T``) and dates of every comment, in application data (``/PieceInfo``), and in the earlier
revisions an incremental save leaves in the file. Any of these can name an anonymous reporter.

``clean_pdf`` rewrites such a file with pypdf (pure Python): only the objects the pages still reach
are written (earlier revisions and orphans are gone), without the information dictionary, without any
``/Metadata`` or ``/PieceInfo``, and with every comment's author replaced by 匿名; the pages, their
text, pictures, fonts, links and form fields are copied unchanged. A file with nothing of this — no
such key anywhere in its bytes and no compressed object stream that could hide one — is kept as it came.
A file pypdf cannot read, or that needs a password to open, is ``MalformedDocument``.
"""

from __future__ import annotations

import io
import logging
import re

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, PdfObject, TextStringObject

ANONYMOUS = "匿名"
# Keys that carry a name, a time or a program, and what can hide them (object streams, encryption,
# names spelt with #xx escapes, comments): any of these in the bytes and the file is rewritten.
TRIGGERS = re.compile(
    rb"/(?:Info|Metadata|PieceInfo|Author|Creator|Producer|Title|Subject|Keywords|CreationDate|ModDate"
    rb"|ObjStm|Encrypt|Annots|XRefStm)\b|/Type\s*/XRef\b|/[^\s/<>\[\]()%]*#[0-9A-Fa-f]{2}"
)
DROPPED_KEYS = ("/Metadata", "/PieceInfo")
# Comment (markup) annotations: ``/T`` is the author's name there (in a form field it is the field's).
MARKUP = frozenset(
    {"/Text", "/FreeText", "/Line", "/Square", "/Circle", "/Polygon", "/PolyLine", "/Highlight", "/Underline"}
    | {"/Squiggly", "/StrikeOut", "/Stamp", "/Caret", "/Ink", "/FileAttachment", "/Sound", "/Redact", "/Popup"}
)
ANNOTATION_DATES = ("/M", "/CreationDate")

logging.getLogger("pypdf").setLevel(logging.ERROR)


class MalformedDocument(ValueError):
    """The file starts like a PDF but cannot be read (or needs a password), so it cannot be cleaned."""


class NeedsPassword(MalformedDocument):
    """The PDF is encrypted with a password to open it."""


def needs_cleaning(data: bytes) -> bool:
    return TRIGGERS.search(data) is not None


def _clean_object(value: PdfObject, seen: set[int]) -> None:
    """Drop metadata keys and comment authors in ``value`` and everything it contains (each object once)."""
    stack: list[PdfObject] = [value]
    while stack:
        item: PdfObject | None = stack.pop()
        if isinstance(item, IndirectObject):
            if item.idnum in seen:
                continue
            seen.add(item.idnum)
            item = item.get_object()
        if isinstance(item, DictionaryObject):  # streams are dictionaries too
            for key in DROPPED_KEYS:
                if key in item:
                    del item[key]
            if item.get("/Subtype") in MARKUP:
                if "/T" in item:
                    item[NameObject("/T")] = TextStringObject(ANONYMOUS)
                for key in ANNOTATION_DATES:
                    if key in item:
                        del item[key]
            stack.extend(v for k, v in item.items() if k != "/Parent")
        elif isinstance(item, ArrayObject):
            stack.extend(item)


def clean_pdf(data: bytes) -> bytes:
    """The PDF without its information dictionary, XMP, application data and comment authors."""
    if not needs_cleaning(data):
        return data
    # pypdf raises many kinds of exception on a damaged or hostile file; none of them may reach the
    # reporter as a 500, and a file that cannot be cleaned must not be stored as it came.
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise NeedsPassword("password")
        writer = PdfWriter(clone_from=reader)
        writer.metadata = None
        _clean_object(writer.root_object, set())
        writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
        buffer = io.BytesIO()
        writer.write(buffer)
        cleaned = buffer.getvalue()
        if len(PdfReader(io.BytesIO(cleaned), strict=False).pages) != len(reader.pages):
            raise MalformedDocument("pages lost")
    except MalformedDocument:
        raise
    except Exception as exc:  # see above
        raise MalformedDocument(str(exc)) from exc
    return cleaned
