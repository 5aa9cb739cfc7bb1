"""The reporter's photos without what a phone writes into them: where, when and with what they were taken.

A phone's JPEG carries EXIF (GPS position, time, maker and model, serial numbers, a thumbnail), XMP
and IPTC blocks, and often a second picture or a video after the image; a PNG carries text chunks
(XMP among them), an ``eXIf`` chunk and a time. Any of these can name an anonymous reporter, so the
public site keeps only what draws the picture and stores that.

- **JPEG**: the segments that draw the picture (tables, frame, scans, restart markers), the JFIF header,
  an ICC colour profile and the Adobe colour-transform segment are kept; every other APPn segment
  (EXIF, XMP, IPTC, MPF …) and comments are dropped, and so is anything after the end of the image.
  The EXIF orientation is kept, alone in a new minimal EXIF block, so a portrait photo stays upright.
- **PNG**: the critical chunks and those that only say how to draw the pixels (transparency, gamma,
  colour space, physical size, animation) are kept, each checked against its CRC; text, ``eXIf``,
  time and unknown ancillary chunks are dropped, and so is anything after ``IEND``.

Written without an imaging library (none is a dependency): the pixels are copied, not decoded, so
nothing is recompressed. A file that does not parse is ``MalformedImage``.
"""

from __future__ import annotations

import struct
import zlib

# JPEG APPn segments kept, by marker and identifier: JFIF/JFXX, ICC profile, Adobe (colour transform).
KEEP_APP = {0xE0: (b"JFIF\x00", b"JFXX\x00"), 0xE2: (b"ICC_PROFILE\x00",), 0xEE: (b"Adobe",)}
STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})  # TEM and the restart markers carry no length
SOI, EOI, SOS = 0xD8, 0xD9, 0xDA
ORIENTATION_TAG = 0x0112

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEEP = frozenset(
    {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT", b"bKGD"}
    | {b"pHYs", b"hIST", b"cICP", b"mDCV", b"cLLI", b"acTL", b"fcTL", b"fdAT"}
)


class MalformedImage(ValueError):
    """The file starts like a picture but is not one that can be read to its end."""


# --- JPEG ------------------------------------------------------------------------------------------------


def _orientation(tiff: bytes) -> int | None:
    """The Orientation tag (1–8) of IFD0 in an EXIF TIFF block, if it has one."""
    order = {b"II": "little", b"MM": "big"}.get(tiff[:2])
    if order is None or len(tiff) < 8:
        return None
    endian = "<" if order == "little" else ">"
    (ifd,) = struct.unpack(endian + "I", tiff[4:8])
    if ifd + 2 > len(tiff):
        return None
    (count,) = struct.unpack(endian + "H", tiff[ifd : ifd + 2])
    for index in range(count):
        entry = tiff[ifd + 2 + 12 * index : ifd + 14 + 12 * index]
        if len(entry) < 12:
            return None
        tag, kind = struct.unpack(endian + "HH", entry[:4])
        if tag == ORIENTATION_TAG and kind == 3:
            (value,) = struct.unpack(endian + "H", entry[8:10])
            return value if 1 <= value <= 8 else None
    return None


def _orientation_segment(value: int) -> bytes:
    """APP1 with a big-endian EXIF block holding the orientation and nothing else."""
    tiff = b"MM\x00\x2a" + struct.pack(">I", 8) + struct.pack(">HHHIHH", 1, ORIENTATION_TAG, 3, 1, value, 0)
    body = b"Exif\x00\x00" + tiff + b"\x00\x00\x00\x00"
    return b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body


def _scan_end(data: bytes, start: int) -> int:
    """Where the entropy-coded data after a scan header ends: the next marker that is not a stuffed
    zero byte or a restart marker."""
    at = start
    while True:
        at = data.find(b"\xff", at)
        if at < 0 or at + 1 >= len(data):
            raise MalformedImage("the scan does not end")
        following = data[at + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            at += 2
            continue
        return at


def clean_jpeg(data: bytes) -> bytes:
    """The JPEG with only the segments that draw it (and its orientation), ending at its EOI."""
    if not data.startswith(b"\xff\xd8"):
        raise MalformedImage("no start of image")
    kept: list[bytes] = [b"\xff\xd8"]
    after_header = 1  # where the orientation block goes: after SOI and a JFIF APP0
    orientation: int | None = None
    at, size, frames = 2, len(data), 0
    while True:
        if at >= size or data[at] != 0xFF:
            raise MalformedImage("a marker was expected")
        while at < size and data[at] == 0xFF:  # fill bytes
            at += 1
        if at >= size:
            raise MalformedImage("the file ends inside a marker")
        marker = data[at]
        at += 1
        if marker == EOI:
            if not frames:
                raise MalformedImage("no scan")
            kept.append(b"\xff\xd9")
            break
        if marker in STANDALONE:
            kept.append(bytes([0xFF, marker]))
            continue
        if marker == SOI or at + 2 > size:
            raise MalformedImage("a segment was expected")
        (length,) = struct.unpack(">H", data[at : at + 2])
        if length < 2 or at + length > size:
            raise MalformedImage("a segment runs past the end")
        segment, body = data[at - 2 : at + length], data[at + 2 : at + length]
        at += length
        if 0xE0 <= marker <= 0xEF or marker == 0xFE:
            if marker == 0xE1 and body.startswith(b"Exif\x00\x00") and orientation is None:
                orientation = _orientation(body[6:])
            if body.startswith(KEEP_APP.get(marker, ())):
                kept.append(segment)
                if marker == 0xE0 and len(kept) == 2:
                    after_header = 2
            continue
        kept.append(segment)
        if marker == SOS:
            frames += 1
            end = _scan_end(data, at)
            kept.append(data[at:end])
            at = end
    if orientation not in (None, 1):
        kept.insert(after_header, _orientation_segment(orientation))
    return b"".join(kept)


# --- PNG -------------------------------------------------------------------------------------------------


def clean_png(data: bytes) -> bytes:
    """The PNG with only the chunks that draw it, each CRC-checked, ending at IEND."""
    if not data.startswith(PNG_SIGNATURE):
        raise MalformedImage("no PNG signature")
    kept = [PNG_SIGNATURE]
    at, size, pixels = len(PNG_SIGNATURE), len(data), False
    while True:
        if at + 12 > size:
            raise MalformedImage("the file ends before IEND")
        length, kind = struct.unpack(">I4s", data[at : at + 8])
        end = at + 12 + length
        if end > size:
            raise MalformedImage("a chunk runs past the end")
        if at == len(PNG_SIGNATURE) and kind != b"IHDR":
            raise MalformedImage("IHDR is not first")
        (crc,) = struct.unpack(">I", data[end - 4 : end])
        if zlib.crc32(data[at + 4 : end - 4]) != crc:
            raise MalformedImage("a chunk fails its CRC")
        if kind in PNG_KEEP:
            kept.append(data[at:end])
            pixels = pixels or kind == b"IDAT"
        elif not kind[0] & 0x20:
            raise MalformedImage("an unknown critical chunk")
        at = end
        if kind == b"IEND":
            break
    if not pixels:
        raise MalformedImage("no image data")
    return b"".join(kept)
