"""MinHash fingerprints of Chinese text, LSH bucket keys and Jaccard similarity (Python; numpy for
scoring many candidates at once).

A text becomes a set of character shingles (3 characters after normalisation), each hashed to 32
bits with a keyed BLAKE2s (so the stored hashes reveal nothing of the text without the key). That set
is all the index stores of a text; everything else derives from it:

- ``signature``: 128 MinHash values by one-permutation hashing with optimal densification
  (Shrivastava 2017): each shingle hash falls into one of 128 bins by its top 7 bits and the bin keeps
  its smallest remaining 25 bits; an empty bin copies the value of the first non-empty bin along a
  fixed pseudo-random sequence. Each position then collides for two texts with probability equal to
  their Jaccard similarity, as with 128 independent hash functions, but at one hash per shingle
  (the signature of a 125-shingle text: 0.01 ms instead of 1.2–4.4 ms; see
  docs/decisions/0008-duplicate-detection.md).
- ``bucket_keys``: the first 126 signature values cut into 42 bands of 3 rows, each band hashed (with
  its number) into one signed 64-bit key. Two texts share at least one key with probability
  1 − (1 − J³)⁴²: 4 % at J = 0.1, 29 % at 0.2, 68 % at 0.3, 94 % at 0.4, 99.6 % at 0.5; the S-curve's
  threshold is (1/42)^(1/3) ≈ 0.29, just under the default minimum score of 0.3.
- ``jaccard``: the exact similarity of two shingle sets, the final score.

No Django here: the services pass the key from the keyring; tests and benchmarks may use any key.
"""

from __future__ import annotations

import hashlib
import re
import struct
import sys
import unicodedata
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

SHINGLE_SIZE = 3
NUM_PERM = 128
BANDS = 42
ROWS = 3
_BIN_BITS = 7  # 2**7 == NUM_PERM bins
_EMPTY = -1

assert 1 << _BIN_BITS == NUM_PERM and BANDS * ROWS <= NUM_PERM

# Anything that is not a letter or a digit in any script (punctuation, symbols, spaces, "_").
_NOT_WORD = re.compile(r"[\W_]+")


def _borrow_order(i: int) -> tuple[int, ...]:
    """The other bins in a fixed pseudo-random order (BLAKE2b of the pair): the stored bucket keys stay
    valid across processes, releases and Python versions (``random``'s sampling may change)."""

    def rank(j: int) -> bytes:
        return hashlib.blake2b(struct.pack(">HH", i, j), digest_size=8, person=b"xzq-densify").digest()

    return tuple(sorted((j for j in range(NUM_PERM) if j != i), key=rank))


# Optimal densification: for each bin, the sequence of the other bins it borrows from when empty.
_BORROW: tuple[tuple[int, ...], ...] = tuple(_borrow_order(i) for i in range(NUM_PERM))

# A public key for pure use (tests of this module, benchmarks); the product passes a secret one.
PUBLIC_KEY = b"xiezuoqu.dedup.public-key"


def normalise(text: str) -> str:
    """The text the shingles are cut from: full-width folded to half-width (NFKC), punctuation,
    symbols and whitespace removed, Latin letters lower-cased. ``"Ａ村，张三！"`` → ``"a村张三"``."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text)).lower()


def shingle_set(normalised: str, *, size: int = SHINGLE_SIZE) -> set[str]:
    """The distinct ``size``-character shingles; a text shorter than ``size`` is its own one shingle."""
    if not normalised:
        return set()
    if len(normalised) <= size:
        return {normalised}
    return {normalised[i : i + size] for i in range(len(normalised) - size + 1)}


def shingle_hashes(text: str, *, key: bytes = PUBLIC_KEY, size: int = SHINGLE_SIZE) -> set[int]:
    """32-bit keyed BLAKE2s hashes of the text's distinct shingles (BLAKE2s, the 32-bit variant, is
    the quickest keyed hash ``hashlib`` offers for inputs this short: ≈ 0.5 µs a shingle)."""
    base = hashlib.blake2s(key=key[:32], digest_size=4)

    def keyed(shingle: bytes) -> bytes:
        h = base.copy()
        h.update(shingle)
        return h.digest()

    return set(unpack_u32(b"".join(map(keyed, map(str.encode, shingle_set(normalise(text), size=size))))))


def signature(hashes: Iterable[int]) -> tuple[int, ...]:
    """128 MinHash values by one-permutation hashing with optimal densification.

    Works on the 32-bit shingle hashes the index stores (the top 7 bits choose the bin, the other 25
    are the value), so a stored document's signature is recomputed from its shingles and need not be
    stored. An empty set (no text) has no signature: ``()``.
    """
    bins = [_EMPTY] * NUM_PERM
    shift = 32 - _BIN_BITS
    mask = (1 << shift) - 1
    for h in hashes:
        b = h >> shift
        v = h & mask
        current = bins[b]
        if current == _EMPTY or v < current:
            bins[b] = v
    if all(v == _EMPTY for v in bins):
        return ()
    filled = list(bins)
    for i, v in enumerate(bins):
        if v == _EMPTY:
            for j in _BORROW[i]:
                if bins[j] != _EMPTY:
                    filled[i] = bins[j]
                    break
    return tuple(filled)


def bucket_keys(sig: Sequence[int]) -> list[int]:
    """One signed 64-bit key per band (the band number is hashed in, so keys of different bands never
    meet); ``[]`` for an empty signature."""
    if not sig:
        return []
    keys = []
    pack = struct.Struct(f">B{ROWS}I").pack
    for band in range(BANDS):
        digest = hashlib.blake2b(pack(band, *sig[band * ROWS : (band + 1) * ROWS]), digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys


def estimate_jaccard(a: Sequence[int], b: Sequence[int]) -> float:
    """The share of equal signature positions: an unbiased estimate of the Jaccard similarity."""
    if not a or not b:
        return 0.0
    return sum(1 for x, y in zip(a, b, strict=True) if x == y) / NUM_PERM


def jaccard(a: set[int] | frozenset[int], b: set[int] | frozenset[int]) -> float:
    """Exact Jaccard similarity |a ∩ b| / |a ∪ b| (0 when both are empty)."""
    if not a or not b:
        return 0.0
    common = len(a & b)
    return common / (len(a) + len(b) - common)


def jaccard_many(query: bytes, candidates: Sequence[bytes]) -> list[float]:
    """``jaccard`` of one packed shingle set against many, at once (the lookup's exact scoring).

    Every set is packed as ``pack_u32`` of its distinct values; the candidates are joined into one
    array and membership in the query is counted per candidate with numpy, so a lookup scoring a
    hundred candidates costs a few array operations instead of a hundred Python set intersections.
    The results equal ``jaccard`` on the same sets.
    """
    if not candidates:
        return []
    q = np.frombuffer(query, dtype="<u4")
    lengths = np.fromiter((len(c) // 4 for c in candidates), dtype=np.int64, count=len(candidates))
    if q.size == 0:
        return [0.0] * len(candidates)
    joined = np.frombuffer(b"".join(candidates), dtype="<u4")
    running = np.zeros(joined.size + 1, dtype=np.int64)
    np.cumsum(np.isin(joined, q), out=running[1:])
    ends = np.cumsum(lengths)
    common = running[ends] - running[ends - lengths]
    union = lengths + q.size - common
    scores = np.where(lengths == 0, 0.0, common / np.maximum(union, 1))
    return [float(x) for x in scores]


def candidate_probability(similarity: float, *, bands: int = BANDS, rows: int = ROWS) -> float:
    """The chance that two texts of this Jaccard similarity share at least one bucket key."""
    return 1.0 - (1.0 - similarity**rows) ** bands


# --- compact storage --------------------------------------------------------------------------------
# Unsigned 32-bit values, little-endian, packed; ``array`` does it in C.
assert array("I").itemsize == 4


def pack_u32(values: Iterable[int]) -> bytes:
    packed = array("I", values)
    if sys.byteorder != "little":
        packed.byteswap()
    return packed.tobytes()


def unpack_u32(data: bytes) -> array[int]:
    packed = array("I")
    packed.frombytes(data)
    if sys.byteorder != "little":
        packed.byteswap()
    return packed


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What the index needs of one text: no text, only keyed hashes."""

    shingles: frozenset[int]  # 32-bit shingle hashes: stored, and the exact Jaccard's input
    signature: tuple[int, ...]  # NUM_PERM MinHash values, () for an empty text
    bucket_keys: tuple[int, ...]  # BANDS signed 64-bit LSH keys, () for an empty text

    @property
    def shingle_count(self) -> int:
        return len(self.shingles)

    def packed_shingles(self) -> bytes:
        return pack_u32(sorted(self.shingles))

    @classmethod
    def of_shingles(cls, shingles: Iterable[int]) -> Fingerprint:
        hashes = frozenset(shingles)
        sig = signature(hashes)
        return cls(shingles=hashes, signature=sig, bucket_keys=tuple(bucket_keys(sig)))

    @classmethod
    def of_packed(cls, packed: bytes) -> Fingerprint:
        """The fingerprint of a stored document, from its packed shingle hashes."""
        return cls.of_shingles(unpack_u32(packed))


def fingerprint(text: str, *, key: bytes = PUBLIC_KEY) -> Fingerprint:
    return Fingerprint.of_shingles(shingle_hashes(text, key=key))


__all__ = [
    "BANDS",
    "NUM_PERM",
    "PUBLIC_KEY",
    "ROWS",
    "SHINGLE_SIZE",
    "Fingerprint",
    "bucket_keys",
    "candidate_probability",
    "estimate_jaccard",
    "fingerprint",
    "jaccard",
    "jaccard_many",
    "normalise",
    "pack_u32",
    "shingle_hashes",
    "shingle_set",
    "signature",
    "unpack_u32",
]
