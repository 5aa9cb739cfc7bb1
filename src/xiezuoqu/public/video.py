"""The reporter's MP4 files without where, when and with what they were recorded.

A phone's MP4 (and an M4A recording) carries user data: ``udta`` boxes with the place (``©xyz``, an
ISO 6709 position), the date (``©day``), a title (``©nam``), maker and model, iTunes-style ``meta``/
``ilst`` lists and QuickTime ``mdta`` keys (``com.apple.quicktime.location.ISO6709``), and ``uuid``
boxes with XMP — in the movie box, in each track, or at the top of the file. The movie, track and
media headers record the time of the recording.

``clean_mp4`` walks the boxes (pure Python, nothing decoded): it drops every ``udta``, ``meta`` and
``uuid`` box at the top and inside the movie box (a movie fragment is left as it is), drops the ``mfra`` random-access
index (absolute offsets of fragments; players rebuild it), sets the creation and modification
times of ``mvhd``, ``tkhd`` and ``mdhd`` to zero, and copies everything else byte for byte. When a
box before the media data shrinks, every chunk offset (``stco``/``co64``) and every absolute fragment
base offset (``tfhd``) is moved by what was removed before it, so the samples are found where they now
are; a file whose offsets point outside its media data is ``MalformedVideo``.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass, field

DROPPED = frozenset({b"udta", b"meta", b"uuid"})
DROPPED_TOP = DROPPED | {b"mfra"}
# Boxes made only of boxes, walked to find what to drop and the offsets to move.
CONTAINERS = frozenset({b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf", b"mvex", b"moof", b"traf"})
FRAGMENTS = frozenset({b"moof", b"traf"})
TIMED_HEADERS = frozenset({b"mvhd", b"tkhd", b"mdhd"})
MAX_DEPTH = 16


class MalformedVideo(ValueError):
    """The file starts like an MP4 but its boxes do not add up."""


@dataclass
class Box:
    kind: bytes
    start: int  # offset of the box in the original file
    end: int
    header: int  # bytes of size and type (8, or 16 with a 64-bit size)
    children: list[Box] | None = None  # for containers
    changed: bool = False  # a container whose content is rewritten
    payload: bytes = field(default=b"", repr=False)


def _boxes(data: bytes, start: int, end: int, depth: int) -> list[Box]:
    if depth > MAX_DEPTH:
        raise MalformedVideo("too deep")
    boxes: list[Box] = []
    offset = start
    while offset < end:
        if end - offset < 8:
            raise MalformedVideo("truncated box header")
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        header = 8
        if size == 1:
            if end - offset < 16:
                raise MalformedVideo("truncated large size")
            (size,) = struct.unpack(">Q", data[offset + 8 : offset + 16])
            header = 16
        elif size == 0:
            if depth:
                raise MalformedVideo("open-ended box inside a box")
            size = end - offset
        if size < header or offset + size > end:
            raise MalformedVideo("box size out of bounds")
        box = Box(kind, offset, offset + size, header)
        if kind in CONTAINERS:
            box.children = _boxes(data, offset + header, offset + size, depth + 1)
        boxes.append(box)
        offset += size
    return boxes


def _strip(boxes: list[Box], dropped: frozenset[bytes]) -> tuple[list[Box], bool]:
    kept: list[Box] = []
    changed = False
    for box in boxes:
        if box.kind in dropped:
            changed = True
            continue
        if box.children is not None:
            # A fragment keeps its size: its sample offsets count from its own start.
            inner = frozenset() if box.kind in FRAGMENTS else DROPPED
            box.children, box.changed = _strip(box.children, inner)
            changed = changed or box.changed
        elif box.kind in TIMED_HEADERS:
            box.changed = True
            changed = True
        kept.append(box)
    return kept, changed


def _times_zeroed(data: bytes, box: Box) -> bytes:
    body = bytearray(data[box.start + box.header : box.end])
    width = 8 if body[:1] == b"\x01" else 4
    if len(body) < 4 + 2 * width:
        raise MalformedVideo("short header box")
    body[4 : 4 + 2 * width] = bytes(2 * width)
    return bytes(body)


def _offsets_moved(data: bytes, box: Box, move: Callable[[int], int]) -> bytes:
    body = bytearray(data[box.start + box.header : box.end])
    if box.kind in (b"stco", b"co64"):
        if len(body) < 8:
            raise MalformedVideo("short chunk offset box")
        (count,) = struct.unpack(">I", body[4:8])
        fmt, width = (">I", 4) if box.kind == b"stco" else (">Q", 8)
        if 8 + count * width > len(body):
            raise MalformedVideo("chunk offsets out of bounds")
        for index in range(count):
            at = 8 + index * width
            (offset,) = struct.unpack(fmt, body[at : at + width])
            struct.pack_into(fmt, body, at, move(offset))
    elif box.kind == b"tfhd":
        if len(body) < 8:
            raise MalformedVideo("short fragment header")
        if body[3] & 0x01:  # base-data-offset-present
            if len(body) < 16:
                raise MalformedVideo("short fragment header")
            (offset,) = struct.unpack(">Q", body[8:16])
            struct.pack_into(">Q", body, 8, move(offset))
    return bytes(body)


def _serialize(data: bytes, box: Box, move: Callable[[int], int] | None) -> bytes:
    if box.children is not None and (box.changed or move is not None):
        body = b"".join(_serialize(data, child, move) for child in box.children)
    elif box.kind in TIMED_HEADERS:
        body = _times_zeroed(data, box)
    elif move is not None and box.kind in (b"stco", b"co64", b"tfhd"):
        body = _offsets_moved(data, box, move)
    else:
        return data[box.start : box.end]
    if len(body) + 8 > 0xFFFFFFFF:
        return struct.pack(">I4sQ", 1, box.kind, len(body) + 16) + body
    return struct.pack(">I4s", len(body) + 8, box.kind) + body


def clean_mp4(data: bytes) -> bytes:
    """The MP4 without its user data, metadata and XMP boxes and with zero recording times."""
    top = _boxes(data, 0, len(data), 0)
    kept, changed = _strip(top, DROPPED_TOP)
    if not changed:
        return data
    # First the new size of every kept top-level box (moving offsets never changes a size) …
    sizes = [len(_serialize(data, box, None)) for box in kept]
    new_starts: list[int] = []
    position = 0
    for size in sizes:
        new_starts.append(position)
        position += size
    # … then where each byte of an unchanged box (the media data) now is.
    unchanged = [
        (box.start, box.end, new)
        for box, new, size in zip(kept, new_starts, sizes, strict=True)
        if size == box.end - box.start and not box.changed
    ]
    shifted = any(old != new for old, _, new in unchanged)

    def move(offset: int) -> int:
        for old_start, old_end, new_start in unchanged:
            if old_start <= offset < old_end:
                return new_start + offset - old_start
        raise MalformedVideo("chunk offset outside the media data")

    return b"".join(_serialize(data, box, move if shifted else None) for box in kept)
