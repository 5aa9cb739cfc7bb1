"""Appending to the chain: consecutive seq, each row sealed to the one before it by an HMAC, in the
caller's transaction; values are stored exactly as the MAC covers them; SM3 works as the option."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives import hashes, hmac
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction

from tests.factories import make_unit
from xiezuoqu.audit.chain import GENESIS, audit_key, canonical_json, event_message
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.audit.services import clean_text, jsonable, record_event, record_view
from xiezuoqu.audit.verify import verify_chain

from .conftest import append, head

pytestmark = pytest.mark.django_db


def independent_mac(event: AuditEvent, algorithm: hashes.HashAlgorithm) -> str:
    h = hmac.HMAC(audit_key(), algorithm)
    h.update(event_message(event))
    return h.finalize().hex()


def test_each_event_takes_the_next_seq_and_seals_the_previous_mac(clerk_actor):
    start_seq, start_mac = head()
    events = append(clerk_actor, 5)
    stored = list(AuditEvent.objects.filter(seq__gt=start_seq).order_by("seq"))
    assert [e.seq for e in stored] == list(range(start_seq + 1, start_seq + 6))
    assert stored[0].prev_mac == (start_mac if start_seq else GENESIS)
    for earlier, later in itertools.pairwise(stored):
        assert later.prev_mac == earlier.mac
    assert head() == (events[-1].seq, events[-1].mac)


def test_the_mac_is_an_hmac_sha256_of_the_row_under_the_key_outside_the_database(clerk_actor):
    event = append(clerk_actor, 1)[0]
    stored = AuditEvent.objects.get(seq=event.seq)
    assert stored.algorithm == "hmac-sha256"
    assert stored.mac == independent_mac(stored, hashes.SHA256())


def test_the_event_records_who_from_where_what_and_the_old_and_new_values(rf, clerk, clerk_actor, commission):
    unit = make_unit(commission)
    request = rf.post("/org/units/1/", REMOTE_ADDR="10.1.2.3")
    event = record_event(
        actor=clerk_actor, action="unit.renamed", target=unit, changes={"name": ["旧名", "新名"]}, request=request
    )
    stored = AuditEvent.objects.get(seq=event.seq)
    assert (stored.actor_id, stored.actor_name, stored.role) == (clerk.pk, "clerk", "case_manager")
    assert (stored.target_type, stored.target_id, stored.commission_id) == ("org.unit", str(unit.pk), commission.pk)
    assert stored.changes == {"name": ["旧名", "新名"]}
    assert stored.client_address == "10.1.2.3"
    assert stored.outcome == AuditEvent.Outcome.ALLOWED


def test_awkward_values_are_stored_as_the_mac_covers_them_and_verify(clerk_actor):
    changes = {
        "amount": [Decimal("1200.50"), Decimal("0")],
        "day": [dt.date(2026, 11, 26), None],
        "at": [dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.UTC), None],
        "id": [None, uuid.UUID("12345678-1234-5678-1234-567812345678")],
        "floats": [[0.1, -0.0, 1e16, 1.5e-7, 3.0, 2.5e20], None],
        "text": ['多行\n文本 "引号" \\ 反斜杠 \u2028 😀', ""],
        "nested": [{"b": 1, "a": [True, False, None]}, {}],
        "9": [1, 2],
    }
    event = record_event(actor=clerk_actor, action="test.awkward", changes=changes, detail={"空": {}})
    stored = AuditEvent.objects.get(seq=event.seq)
    assert stored.changes == jsonable(changes)
    assert stored.mac == independent_mac(stored, hashes.SHA256())
    assert verify_chain().ok


def test_floats_that_postgresql_would_reformat_are_normalised_before_signing():
    assert jsonable([-0.0, 1e16, 2.5e20, 1.5e-7, float("nan"), 0.25, 0.0001]) == [
        0.0,
        10**16,
        250_000_000_000_000_000_000,
        "1.5e-07",
        "nan",
        0.25,
        0.0001,
    ]
    assert jsonable({"a\x00": "b\x00"}) == {"a\ufffd": "b\ufffd"}


def test_text_neither_database_accepts_is_replaced_not_refused():
    """A NUL or a lone surrogate (an API client can send one) must not make the audited change fail."""
    assert clean_text("a\x00b\ud800c") == "a\ufffdb\ufffdc"
    assert clean_text("\ud83d\ude00") == "😀"  # a split surrogate pair is joined
    assert clean_text("正常文本") == "正常文本"


def test_the_database_returns_the_json_text_the_mac_covers(clerk_actor):
    """SQLite keeps the text we write; PostgreSQL's jsonb prints the same form (keys shortest first,
    then by bytes): verification can use the stored text as it comes, without parsing it."""
    changes = {"state": ["a", "b"], "é": 1, "zz": {"bb": True, "a": None, "中文": 0.5}, "A": [], "": {}}
    event = record_event(actor=clerk_actor, action="test.canonical", changes=changes, detail={"note": "说明\n第二行"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT changes, detail FROM audit_auditevent WHERE seq = %s", [event.seq])
        stored_changes, stored_detail = cursor.fetchone()
    assert stored_changes == canonical_json(changes)
    assert (
        stored_changes == '{"": {}, "A": [], "zz": {"a": null, "bb": true, "中文": 0.5}, "é": 1, "state": ["a", "b"]}'
    )
    assert stored_detail == canonical_json({"note": "说明\n第二行"})


def test_the_event_rolls_back_with_the_transaction_that_failed(clerk_actor):
    before = head()
    with pytest.raises(RuntimeError), transaction.atomic():
        append(clerk_actor, 2)
        raise RuntimeError("the change fails after its event was written")
    assert head() == before
    assert not AuditEvent.objects.filter(seq__gt=before[0]).exists()
    assert verify_chain().ok


def test_record_view_names_the_model_and_the_object(clerk_actor, commission):
    unit = make_unit(commission)
    event = record_view(actor=clerk_actor, target=unit, detail={"tab": "概况"})
    assert event.action == "unit.viewed"
    assert (event.target_type, event.target_id, event.target_label) == ("org.unit", str(unit.pk), str(unit))
    assert event.detail == {"tab": "概况"}


def test_hmac_sm3_is_the_national_algorithm_option_and_a_mixed_chain_verifies(settings, clerk_actor):
    append(clerk_actor, 2)
    settings.XIEZUOQU = {**settings.XIEZUOQU, "AUDIT_ALGORITHM": "hmac-sm3"}
    sm3_events = append(clerk_actor, 3)
    stored = AuditEvent.objects.get(seq=sm3_events[0].seq)
    assert stored.algorithm == "hmac-sm3"
    assert stored.mac == independent_mac(stored, hashes.SM3())
    assert stored.mac != independent_mac(stored, hashes.SHA256())
    assert verify_chain().ok


def test_an_unknown_algorithm_is_a_configuration_error(settings, clerk_actor):
    settings.XIEZUOQU = {**settings.XIEZUOQU, "AUDIT_ALGORITHM": "md5"}
    with pytest.raises(ImproperlyConfigured):
        append(clerk_actor, 1)


def test_with_another_key_every_row_fails_verification(settings, clerk_actor):
    append(clerk_actor, 2)
    settings.XIEZUOQU = {**settings.XIEZUOQU, "AUDIT_KEY": "a-different-key-0123456789abcdefgh"}
    result = verify_chain()
    assert not result.ok
    assert result.problem is not None and result.problem.kind == "altered"


def test_the_key_file_is_created_once_with_owner_only_permissions(settings, tmp_path):
    key_file = tmp_path / "keys" / "audit.key"
    settings.XIEZUOQU = {**settings.XIEZUOQU, "AUDIT_KEY": "", "AUDIT_KEY_FILE": str(key_file)}
    first = audit_key()
    audit_key.cache_clear()
    assert audit_key() == first and len(first) == 64
    assert key_file.stat().st_mode & 0o777 == 0o600
