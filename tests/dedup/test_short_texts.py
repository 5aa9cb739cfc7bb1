"""Short texts are indexed and found, and the registrar is told that their similarity means little."""

from __future__ import annotations

import pytest

from xiezuoqu.dedup import minhash
from xiezuoqu.dedup.models import IndexedDocument, LshBucket
from xiezuoqu.dedup.services import find_similar, index_document

from .conftest import ORIGINAL

pytestmark = pytest.mark.django_db


def test_a_short_report_finds_its_twin_with_a_caution(commission):
    index_document(kind="report", object_id=1, commission_id=commission.pk, text="村书记挪用低保金")
    [match] = find_similar(text="村书记挪用低保金！", commission_ids=[commission.pk])
    assert (match.object_id, match.score) == (1, 1.0)
    assert match.reasons == ("内容相似度 1.00", "内容较短，相似度仅供参考")


def test_a_text_shorter_than_a_shingle_is_one_shingle_and_still_found(commission):
    index_document(kind="report", object_id=1, commission_id=commission.pk, text="贪污")
    assert IndexedDocument.objects.get().shingle_count == 1
    assert LshBucket.objects.count() == minhash.BANDS
    [match] = find_similar(text="“贪污”", commission_ids=[commission.pk])
    assert match.object_id == 1 and match.text_score == 1.0


def test_a_short_text_does_not_match_a_long_report_containing_it(commission):
    """Jaccard compares whole texts: three characters in common with a long letter score almost 0."""
    index_document(kind="report", object_id=1, commission_id=commission.pk, text=ORIGINAL, accused_names=["王德福"])
    assert find_similar(text="王德福", commission_ids=[commission.pk]) == []
    [match] = find_similar(text="王德福", commission_ids=[commission.pk], min_score=0, accused_names=["王德福"])
    assert match.text_score < 0.02


def test_long_texts_carry_no_caution(commission):
    index_document(kind="report", object_id=1, commission_id=commission.pk, text=ORIGINAL)
    [match] = find_similar(text=ORIGINAL, commission_ids=[commission.pk])
    assert match.reasons == ("内容相似度 1.00",)
