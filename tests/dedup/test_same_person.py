"""The same accused person is found by the blind index of the name, whatever the text says."""

from __future__ import annotations

import pytest

from xiezuoqu.crypto import blind_index
from xiezuoqu.dedup.models import IndexedDocument, PersonKey
from xiezuoqu.dedup.services import find_similar, index_document

from .conftest import ORIGINAL, OTHER_MATTER, UNRELATED

pytestmark = pytest.mark.django_db


def test_same_accused_person_with_a_different_text_is_found(commission):
    index_document(kind="report", object_id=1, commission_id=commission.pk, text=ORIGINAL, accused_names=["王德福"])
    [match] = find_similar(text=OTHER_MATTER, accused_names=["王德福"], commission_ids=[commission.pk])
    assert match.object_id == 1
    assert match.same_person
    assert match.text_score < 0.1
    assert match.score == pytest.approx(0.5 + 0.5 * match.text_score, abs=1e-4)
    assert match.reasons[0] == "被反映人姓名相同：王德福"


@pytest.mark.parametrize("written", ["王 德福", "王　德福", " 王德福\n"])
def test_spaces_and_full_width_spaces_in_a_name_do_not_matter(commission, written):
    index_document(kind="report", object_id=1, commission_id=commission.pk, text=UNRELATED, accused_names=["王德福"])
    [match] = find_similar(text="另一件事", accused_names=[written], commission_ids=[commission.pk])
    assert match.same_person


def test_dots_in_a_minority_name_and_latin_case_do_not_matter(commission):
    index_document(
        kind="report", object_id=1, commission_id=commission.pk, text=UNRELATED, accused_names=["买买提·艾力", "Li Na"]
    )
    for written in ("买买提艾力", "买买提・艾力", "LI NA", "ｌｉ　ｎａ"):
        [match] = find_similar(text="另一件事", accused_names=[written], commission_ids=[commission.pk])
        assert match.same_person, written


def test_another_name_is_not_the_same_person(commission):
    index_document(kind="report", object_id=1, commission_id=commission.pk, text=UNRELATED, accused_names=["王德福"])
    assert find_similar(text=OTHER_MATTER, accused_names=["王德富"], commission_ids=[commission.pk]) == []


def test_with_several_accused_the_reason_names_those_in_common(commission):
    index_document(
        kind="report", object_id=1, commission_id=commission.pk, text=ORIGINAL, accused_names=["王德福", "李长生"]
    )
    [match] = find_similar(text="另一件事", accused_names=["李长生", "赵某"], commission_ids=[commission.pk])
    assert match.reasons[0] == "被反映人姓名相同：李长生"


def test_empty_names_are_ignored(commission):
    index_document(kind="report", object_id=1, commission_id=commission.pk, text=UNRELATED, accused_names=["", "  "])
    assert IndexedDocument.objects.get().person_keys == []
    assert not PersonKey.objects.exists()
    assert find_similar(text="另一件事", accused_names=["", " "], commission_ids=[commission.pk]) == []


def test_names_are_stored_only_as_blind_indexes(commission):
    index_document(kind="report", object_id=1, commission_id=commission.pk, text=ORIGINAL, accused_names=["王德福"])
    key = blind_index("王德福", purpose="accused.name")
    document = IndexedDocument.objects.get()
    assert document.person_keys == [key]
    assert list(PersonKey.objects.values_list("key", flat=True)) == [key]
    stored = repr(list(IndexedDocument.objects.values())) + repr(list(PersonKey.objects.values()))
    assert "王德福" not in stored
    # No text either: not even three consecutive characters of it in UTF-8.
    assert ORIGINAL[10:13].encode() not in bytes(document.shingles)


def test_many_reports_about_one_person_show_the_most_recent_first(commission):
    for object_id in range(1, 6):
        text = f"第{object_id}件：{OTHER_MATTER[object_id * 7 :]}"
        index_document(
            kind="report", object_id=object_id, commission_id=commission.pk, text=text, accused_names=["王德福"]
        )
    matches = find_similar(text="详见附件", accused_names=["王德福"], commission_ids=[commission.pk])
    assert [(m.object_id, m.score) for m in matches] == [(5, 0.5), (4, 0.5), (3, 0.5), (2, 0.5), (1, 0.5)]
