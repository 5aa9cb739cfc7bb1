"""The signed text is exact JSON, whatever a row holds (property tests over arbitrary values)."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xiezuoqu.audit.chain import SCALAR_FIELDS, Signer, canonical_json, jsonb_order, scalars_json
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.audit.services import clean_text, jsonable, record_event

scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.text(), st.floats(allow_nan=False))
# Any code point, lone surrogates included (an API client can send them as JSON escapes).
any_text = st.text(st.characters(codec=None, categories=None), max_size=12)
json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), any_text, st.floats()),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
    max_leaves=12,
)


@given(st.lists(scalar, min_size=len(SCALAR_FIELDS), max_size=len(SCALAR_FIELDS)))
def test_the_scalar_line_is_the_compact_json_array_of_the_values(values):
    assert scalars_json(values) == json.dumps(values, ensure_ascii=False, separators=(",", ":"))


@given(st.integers(min_value=1), st.text(), st.one_of(st.none(), st.integers()), st.text(), st.text())
def test_the_scalar_line_of_a_typical_row_is_exact(seq, when, commission, name, label):
    values = [seq, when, commission, None, name, "role", "a.b", "t", "1", label, "allowed", "", "hmac-sha256"]
    assert json.loads(scalars_json(values)) == values


@given(json_value)
def test_canonical_json_parses_back_to_the_jsonable_value_and_is_stable(value):
    normalised = jsonable(value)
    text = canonical_json(normalised)
    assert json.loads(text) == normalised
    assert canonical_json(json.loads(text)) == text  # re-reading and re-writing changes nothing


@given(st.dictionaries(st.text(max_size=5), st.integers(), max_size=8))
def test_keys_come_shortest_first_then_by_their_bytes(value):
    keys = list(jsonb_order(value))
    assert keys == sorted(value, key=lambda key: (len(key.encode()), key.encode()))


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(json_value, any_text)
def test_the_database_returns_exactly_the_signed_json_text(clerk_actor, value, label):
    """SQLite keeps the text we wrote; PostgreSQL's jsonb prints it back in the same form."""
    event = record_event(actor=clerk_actor, action="test.property", target_label=label, changes={"v": value})
    with connection.cursor() as cursor:
        cursor.execute("SELECT changes FROM audit_auditevent WHERE seq = %s", [event.seq])
        (stored,) = cursor.fetchone()
    assert stored == canonical_json(jsonable({"v": value}))
    assert AuditEvent.objects.get(seq=event.seq).target_label == clean_text(label)
    assert Signer().event_mac(AuditEvent.objects.get(seq=event.seq)) == event.mac
