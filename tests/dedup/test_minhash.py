"""The pure core: normalisation, shingles, signatures, bands and similarity, with no database."""

from __future__ import annotations

import random

import pytest

from xiezuoqu.dedup import minhash
from xiezuoqu.dedup.minhash import Fingerprint, fingerprint, normalise, shingle_set

from .conftest import ORIGINAL, REPHRASED, RESUBMITTED, UNRELATED


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ａ村，张三！", "a村张三"),  # full-width Latin folded and lower-cased, punctuation gone
        ("２０２４年　挪用３．６万元", "2024年挪用36万元"),  # full-width digits and the ideographic space
        ("王德福（村书记）：“截留”了……", "王德福村书记截留了"),  # Chinese punctuation and quotes
        ("  line\tbreak\nTEXT_x  ", "linebreaktextx"),  # whitespace and the underscore
        ("①号楼 ㈠", "1号楼一"),  # compatibility forms folded by NFKC
        ("《关于》【反映】〔2026〕", "关于反映2026"),
        ("", ""),
        ("，。！？", ""),
    ],
)
def test_normalise_folds_width_strips_punctuation_and_lowercases(raw, expected):
    assert normalise(raw) == expected


def test_shingles_are_three_characters_and_a_short_text_is_its_own_shingle():
    assert shingle_set("张三贪污") == {"张三贪", "三贪污"}
    assert shingle_set("张三") == {"张三"}
    assert shingle_set("张") == {"张"}
    assert shingle_set("") == set()


def test_a_text_without_letters_or_digits_has_no_signature_and_no_buckets():
    fp = fingerprint("，。……！")
    assert fp.shingles == frozenset()
    assert fp.signature == ()
    assert fp.bucket_keys == ()


def test_signature_has_128_values_and_42_distinct_bucket_keys():
    fp = fingerprint(ORIGINAL)
    assert len(fp.signature) == minhash.NUM_PERM == 128
    assert len(fp.bucket_keys) == minhash.BANDS == 42
    assert len(set(fp.bucket_keys)) == 42  # the band number is hashed in: bands never meet
    assert all(-(2**63) <= key < 2**63 for key in fp.bucket_keys)


def test_even_a_one_shingle_text_fills_every_bin_by_densification():
    fp = fingerprint("贪污")
    assert len(fp.shingles) == 1
    assert len(fp.signature) == 128 and len(set(fp.signature)) == 1


def test_fingerprints_are_deterministic_and_keyed():
    assert fingerprint(ORIGINAL) == fingerprint(ORIGINAL)
    other_key = fingerprint(ORIGINAL, key=b"another key")
    assert other_key.shingles != fingerprint(ORIGINAL).shingles
    # The same text under another key is as similar to itself, just not comparable across keys.
    assert minhash.jaccard(other_key.shingles, fingerprint(ORIGINAL, key=b"another key").shingles) == 1.0


def test_the_stored_shingles_give_back_the_whole_fingerprint():
    fp = fingerprint(REPHRASED)
    assert Fingerprint.of_packed(fp.packed_shingles()) == fp
    assert minhash.unpack_u32(fp.packed_shingles()).tolist() == sorted(fp.shingles)


def test_exact_jaccard():
    assert minhash.jaccard({1, 2, 3}, {2, 3, 4}) == pytest.approx(0.5)
    assert minhash.jaccard({1}, {1}) == 1.0
    assert minhash.jaccard(set(), {1}) == 0.0
    assert minhash.jaccard(set(), set()) == 0.0


def test_signature_estimate_follows_the_exact_jaccard():
    """The estimate from 128 positions is within a few hundredths of the exact value on average."""
    rng = random.Random(7)
    errors = []
    for _ in range(200):
        common = set(rng.sample(range(2**32), rng.randint(20, 300)))
        a = common | set(rng.sample(range(2**32), rng.randint(0, 300)))
        b = common | set(rng.sample(range(2**32), rng.randint(0, 300)))
        errors.append(abs(minhash.estimate_jaccard(minhash.signature(a), minhash.signature(b)) - minhash.jaccard(a, b)))
    assert sum(errors) / len(errors) < 0.04
    assert minhash.estimate_jaccard((), minhash.signature({1})) == 0.0


def test_near_duplicates_share_buckets_and_unrelated_texts_do_not():
    original, resubmitted, unrelated = fingerprint(ORIGINAL), fingerprint(RESUBMITTED), fingerprint(UNRELATED)
    assert minhash.jaccard(original.shingles, resubmitted.shingles) > 0.7
    assert set(original.bucket_keys) & set(resubmitted.bucket_keys)
    assert minhash.jaccard(original.shingles, unrelated.shingles) < 0.05
    assert not set(original.bucket_keys) & set(unrelated.bucket_keys)


def test_the_s_curve_of_42_bands_of_3_rows():
    p = minhash.candidate_probability
    assert p(0.1) < 0.05
    assert 0.6 < p(0.3) < 0.75
    assert p(0.4) > 0.9
    assert p(0.5) > 0.99
    threshold = (1 / minhash.BANDS) ** (1 / minhash.ROWS)
    assert threshold == pytest.approx(0.29, abs=0.01)


def test_scoring_many_candidates_at_once_equals_jaccard_one_by_one():
    """``jaccard_many`` (numpy, the lookup's scoring) gives exactly ``jaccard`` for each candidate,
    empty sets included."""
    import random

    from xiezuoqu.dedup.minhash import jaccard, jaccard_many, pack_u32

    rng = random.Random(5)
    universe = range(0, 2**32 - 1, 7919)
    query = set(rng.sample(universe, 300))
    candidates = [set(rng.sample(universe, n)) | set(rng.sample(sorted(query), min(n, 50))) for n in (0, 1, 40, 300)]
    candidates += [set(), set(query), {max(query)}]
    packed = [pack_u32(sorted(c)) for c in candidates]
    assert jaccard_many(pack_u32(sorted(query)), packed) == [jaccard(query, c) for c in candidates]
    assert jaccard_many(pack_u32([]), packed) == [0.0] * len(candidates)
    assert jaccard_many(pack_u32(sorted(query)), []) == []
