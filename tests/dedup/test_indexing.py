"""Indexing is idempotent, replaces an entry when the text or names change, and removes it cleanly."""

from __future__ import annotations

import pytest

from xiezuoqu.dedup import minhash
from xiezuoqu.dedup.models import IndexedDocument, LshBucket, PersonKey
from xiezuoqu.dedup.services import (
    DocumentText,
    find_similar,
    fingerprint,
    index_document,
    index_documents,
    remove_document,
)
from xiezuoqu.errors import ValidationFailed

from .conftest import ORIGINAL, OTHER_MATTER, RESUBMITTED, UNRELATED

pytestmark = pytest.mark.django_db


def rows(model):
    return sorted(model.objects.values_list("commission_id", model._meta.get_field(_key(model)).attname, "document_id"))


def _key(model):
    return "bucket_hash" if model is LshBucket else "key"


def test_a_new_document_gets_its_fingerprint_buckets_and_person_keys(commission):
    assert index_document(
        kind="report", object_id=7, commission_id=commission.pk, text=ORIGINAL, accused_names=["王德福", "李长生"]
    )
    document = IndexedDocument.objects.get()
    fp = fingerprint(ORIGINAL)
    assert (document.kind, document.object_id, document.commission_id) == ("report", 7, commission.pk)
    assert bytes(document.shingles) == fp.packed_shingles()
    assert document.shingle_count == len(fp.shingles) > 100
    assert rows(LshBucket) == sorted((commission.pk, key, document.pk) for key in fp.bucket_keys)
    assert len(document.person_keys) == 2 and rows(PersonKey) == sorted(
        (commission.pk, key, document.pk) for key in document.person_keys
    )


def test_indexing_the_same_document_again_changes_nothing(commission, django_assert_num_queries):
    index_document(kind="report", object_id=7, commission_id=commission.pk, text=ORIGINAL, accused_names=["王德福"])
    before = (list(IndexedDocument.objects.values()), rows(LshBucket), rows(PersonKey))
    with django_assert_num_queries(2):  # the INSERT that finds it there, and the lock
        assert not index_document(
            kind="report", object_id=7, commission_id=commission.pk, text=ORIGINAL, accused_names=[" 王德福 "]
        )
    assert (list(IndexedDocument.objects.values()), rows(LshBucket), rows(PersonKey)) == before


def test_a_changed_text_or_name_replaces_the_entry(commission):
    index_document(kind="report", object_id=7, commission_id=commission.pk, text=ORIGINAL, accused_names=["王德福"])
    assert index_document(
        kind="report", object_id=7, commission_id=commission.pk, text=UNRELATED, accused_names=["刘建国"]
    )
    document = IndexedDocument.objects.get()
    assert rows(LshBucket) == sorted((commission.pk, k, document.pk) for k in fingerprint(UNRELATED).bucket_keys)
    assert len(rows(PersonKey)) == 1
    assert find_similar(text=ORIGINAL, accused_names=["王德福"], commission_ids=[commission.pk]) == []
    [match] = find_similar(text=UNRELATED, accused_names=["刘建国"], commission_ids=[commission.pk])
    assert match.object_id == 7 and match.score == 1.0


def test_replace_false_keeps_the_existing_entry(commission):
    index_document(kind="report", object_id=7, commission_id=commission.pk, text=ORIGINAL)
    assert not index_document(kind="report", object_id=7, commission_id=commission.pk, text=UNRELATED, replace=False)
    assert bytes(IndexedDocument.objects.get().shingles) == fingerprint(ORIGINAL).packed_shingles()


def test_a_document_moved_to_another_commission_is_found_there_only(commission, other_commission):
    index_document(kind="report", object_id=7, commission_id=commission.pk, text=ORIGINAL, accused_names=["王德福"])
    index_document(
        kind="report", object_id=7, commission_id=other_commission.pk, text=ORIGINAL, accused_names=["王德福"]
    )
    assert {c for c, _, _ in rows(LshBucket)} == {other_commission.pk}
    assert {c for c, _, _ in rows(PersonKey)} == {other_commission.pk}
    assert find_similar(text=ORIGINAL, commission_ids=[commission.pk]) == []
    assert len(find_similar(text=ORIGINAL, commission_ids=[other_commission.pk])) == 1


def test_removing_a_document_removes_all_its_rows(commission):
    index_document(kind="report", object_id=7, commission_id=commission.pk, text=ORIGINAL, accused_names=["王德福"])
    index_document(kind="report", object_id=8, commission_id=commission.pk, text=RESUBMITTED, accused_names=["王德福"])
    kept = IndexedDocument.objects.get(object_id=8)
    assert remove_document("report", 7)
    assert list(IndexedDocument.objects.values_list("object_id", flat=True)) == [8]
    assert {d for _, _, d in rows(LshBucket)} == {kept.pk}
    assert {d for _, _, d in rows(PersonKey)} == {kept.pk}
    assert not remove_document("report", 7)


def test_a_text_without_letters_is_indexed_for_its_names_only(commission):
    index_document(kind="report", object_id=7, commission_id=commission.pk, text="（……）！？", accused_names=["王德福"])
    assert IndexedDocument.objects.get().shingle_count == 0
    assert not LshBucket.objects.exists()
    [match] = find_similar(text="", accused_names=["王德福"], commission_ids=[commission.pk])
    assert (match.object_id, match.text_score, match.score) == (7, 0.0, 0.5)
    assert remove_document("report", 7)


def test_bulk_loading_gives_the_same_index_as_one_by_one(commission, other_commission):
    items = [
        DocumentText("report", 1, commission.pk, ORIGINAL, ("王德福",)),
        DocumentText("report", 2, commission.pk, OTHER_MATTER, ("王德福",)),
        DocumentText("clue", 1, other_commission.pk, UNRELATED, ("刘建国", "刘建国")),
        DocumentText("report", 3, commission.pk, "……", ()),
    ]
    assert index_documents(items, batch_size=3) == 4
    bulk = (
        sorted(IndexedDocument.objects.values_list("kind", "object_id", "commission_id", "person_keys", "shingles")),
        len(rows(LshBucket)),
        len(rows(PersonKey)),
    )
    for item in items:
        remove_document(item.kind, item.object_id)
    assert not LshBucket.objects.exists() and not PersonKey.objects.exists()
    for item in items:
        index_document(
            kind=item.kind,
            object_id=item.object_id,
            commission_id=item.commission_id,
            text=item.text,
            accused_names=item.accused_names,
        )
    one_by_one = (
        sorted(IndexedDocument.objects.values_list("kind", "object_id", "commission_id", "person_keys", "shingles")),
        len(rows(LshBucket)),
        len(rows(PersonKey)),
    )
    assert bulk == one_by_one
    assert bulk[1] == 3 * minhash.BANDS and bulk[2] == 3


@pytest.mark.parametrize(("kind", "object_id"), [("", 1), ("Report", 1), ("报告", 1), ("r" * 21, 1), ("report", "1")])
def test_a_malformed_document_name_is_refused(commission, kind, object_id):
    with pytest.raises(ValidationFailed):
        index_document(kind=kind, object_id=object_id, commission_id=commission.pk, text=ORIGINAL)
    assert not IndexedDocument.objects.exists()
