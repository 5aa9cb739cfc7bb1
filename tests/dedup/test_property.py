"""Property: any indexed text, looked up again, finds its own document with a score of (almost) 1."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xiezuoqu.dedup.minhash import normalise
from xiezuoqu.dedup.services import find_similar, index_document, remove_document

pytestmark = pytest.mark.django_db

_ids = itertools.count(1)

# Chinese characters, full-width and half-width Latin and digits, punctuation and spaces.
alphabet = st.one_of(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
    st.sampled_from("ＡＢＣａｂｃ０１２３abcXYZ0123456789"),
    st.sampled_from("，。！？、；：“”（）《》…—·　 \n\t.,!?"),
)
texts = st.text(alphabet=alphabet, min_size=1, max_size=400).filter(lambda t: normalise(t) != "")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts, name=st.sampled_from(["", "王德福", "买买提·艾力"]))
def test_an_indexed_text_finds_its_own_document(commission, text, name):
    object_id = next(_ids)
    names = [name] if name else []
    index_document(kind="report", object_id=object_id, commission_id=commission.pk, text=text, accused_names=names)
    try:
        matches = find_similar(text=text, accused_names=names, commission_ids=[commission.pk], limit=50)
        own = [m for m in matches if m.object_id == object_id]
        assert own, "the document itself was not found"
        assert own[0].score >= 0.99 and own[0].text_score == 1.0
    finally:
        remove_document("report", object_id)
