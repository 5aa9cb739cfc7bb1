"""On registration, earlier near-duplicate reports are found and scored; unrelated ones are not."""

from __future__ import annotations

import pytest

from xiezuoqu.dedup.services import find_similar, index_document

from .conftest import ORIGINAL, OTHER_MATTER, REPHRASED, RESUBMITTED, RETOLD, UNRELATED

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(commission):
    """The commission's earlier reports: the original letter, another matter, an unrelated report."""
    index_document(kind="report", object_id=1, commission_id=commission.pk, text=ORIGINAL, accused_names=["王德福"])
    index_document(kind="report", object_id=2, commission_id=commission.pk, text=OTHER_MATTER, accused_names=["王德福"])
    index_document(kind="report", object_id=3, commission_id=commission.pk, text=UNRELATED, accused_names=["刘建国"])
    return commission


def test_the_same_letter_sent_again_is_found_by_its_text_with_a_high_score(history):
    matches = find_similar(text=RESUBMITTED, commission_ids=[history.pk])
    assert [(m.kind, m.object_id) for m in matches] == [("report", 1)]
    match = matches[0]
    assert match.text_score > 0.7
    assert match.score == match.text_score  # no accused name given: the text alone
    assert not match.same_person
    assert match.reasons == (f"内容相似度 {match.text_score:.2f}",)


def test_the_same_allegation_reworded_with_names_changed_is_found_by_its_text(history):
    """Reworded, the witnesses' names written differently: Jaccard ≈ 0.55, a candidate with probability
    above 0.99 under any key."""
    matches = find_similar(text=REPHRASED, commission_ids=[history.pk])
    assert [m.object_id for m in matches] == [1]
    assert 0.5 <= matches[0].text_score < 0.7


def test_an_allegation_retold_in_other_words_ranks_first_with_the_accused_name(history):
    """Another villager's account: Jaccard ≈ 0.38, which the LSH proposes only with probability ≈ 0.88;
    the accused's name finds it for certain, and ranks it above the same person's other matter."""
    matches = find_similar(text=RETOLD, accused_names=["王德福"], commission_ids=[history.pk])
    assert [m.object_id for m in matches] == [1, 2]
    first, second = matches
    assert first.same_person and second.same_person
    assert 0.3 <= first.text_score < 0.5
    assert first.score == pytest.approx(0.5 + 0.5 * first.text_score, abs=1e-4)
    assert first.reasons == ("被反映人姓名相同：王德福", f"内容相似度 {first.text_score:.2f}")
    assert second.text_score < 0.1 and 0.5 <= second.score < 0.55


def test_an_unrelated_report_finds_nothing(history):
    text = "反映沙里寨镇财政所会计违规报销差旅费、私设小金库的问题，涉及金额三万余元，相关凭证在镇财政所。"
    assert find_similar(text=text, accused_names=["周明"], commission_ids=[history.pk]) == []


def test_an_identical_text_scores_one(history):
    [match] = find_similar(text=UNRELATED, commission_ids=[history.pk])
    assert (match.object_id, match.score, match.text_score) == (3, 1.0, 1.0)


def test_the_minimum_score_and_the_limit_cut_the_list(history):
    named = {"accused_names": ["王德福"], "commission_ids": [history.pk]}
    assert [m.object_id for m in find_similar(text=RETOLD, min_score=0, **named)] == [1, 2]
    assert [m.object_id for m in find_similar(text=RETOLD, min_score=0.6, **named)] == [1]
    assert [m.object_id for m in find_similar(text=RETOLD, limit=1, **named)] == [1]
    assert find_similar(text=RETOLD, limit=0, **named) == []


def test_the_document_being_registered_is_left_out(history):
    index_document(kind="report", object_id=9, commission_id=history.pk, text=RESUBMITTED, accused_names=["王德福"])
    matches = find_similar(
        text=RESUBMITTED, accused_names=["王德福"], commission_ids=[history.pk], exclude=("report", 9)
    )
    assert [m.object_id for m in matches] == [1, 2]


def test_reports_and_clues_are_found_alike(history):
    index_document(kind="clue", object_id=1, commission_id=history.pk, text=ORIGINAL, accused_names=["王德福"])
    matches = find_similar(text=ORIGINAL, commission_ids=[history.pk])
    assert {(m.kind, m.object_id) for m in matches} == {("report", 1), ("clue", 1)}


def test_a_lookup_is_one_query(history, django_assert_num_queries):
    with django_assert_num_queries(1):
        find_similar(text=RETOLD, accused_names=["王德福", "李常生"], commission_ids=[history.pk])
    with django_assert_num_queries(1):
        find_similar(text=UNRELATED, commission_ids=[history.pk])
    with django_assert_num_queries(0):
        find_similar(text="……", commission_ids=[history.pk])  # nothing to look up by
