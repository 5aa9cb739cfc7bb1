"""Lookups stay inside the commissions the caller passes: another commission's reports never show."""

from __future__ import annotations

import pytest

from xiezuoqu.dedup.services import find_similar, index_document

from .conftest import ORIGINAL, RESUBMITTED

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_commissions(commission, other_commission):
    index_document(kind="report", object_id=1, commission_id=commission.pk, text=ORIGINAL, accused_names=["王德福"])
    index_document(
        kind="report", object_id=2, commission_id=other_commission.pk, text=ORIGINAL, accused_names=["王德福"]
    )
    return commission, other_commission


def test_a_commission_sees_only_its_own_earlier_reports(two_commissions):
    mine, theirs = two_commissions
    assert [
        m.object_id for m in find_similar(text=RESUBMITTED, accused_names=["王德福"], commission_ids=[mine.pk])
    ] == [1]
    assert [m.object_id for m in find_similar(text=RESUBMITTED, commission_ids=[theirs.pk])] == [2]


def test_a_higher_commission_passing_both_sees_both(two_commissions):
    mine, theirs = two_commissions
    matches = find_similar(text=RESUBMITTED, accused_names=["王德福"], commission_ids=[mine.pk, theirs.pk, mine.pk])
    assert sorted((m.object_id, m.commission_id) for m in matches) == [(1, mine.pk), (2, theirs.pk)]


def test_no_commission_means_no_candidates(two_commissions):
    assert find_similar(text=ORIGINAL, accused_names=["王德福"], commission_ids=[]) == []
