"""The registrar confirms or rejects a suggested duplicate; each decision is an audit event."""

from __future__ import annotations

import pytest

from xiezuoqu.accounts.roles import Role
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.dedup.models import DuplicateLink
from xiezuoqu.dedup.selectors import confirmed_originals, links_for
from xiezuoqu.dedup.services import decide_link, find_similar, index_document
from xiezuoqu.errors import NotFound, RuleViolation, ValidationFailed

from .conftest import ORIGINAL, RESUBMITTED, UNRELATED, staff_actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(commission):
    index_document(kind="report", object_id=1, commission_id=commission.pk, text=ORIGINAL, accused_names=["王德福"])
    index_document(kind="report", object_id=2, commission_id=commission.pk, text=RESUBMITTED, accused_names=["王德福"])
    return commission


def decide(actor, decision="confirmed", *, new=2, earlier=1, note=""):
    return decide_link(
        actor=actor, kind="report", object_id=new, other_kind="report", other_id=earlier, decision=decision, note=note
    )


def test_confirming_records_the_link_with_the_score_computed_from_the_index(pair):
    actor = staff_actor(pair, Role.REGISTRAR)
    link = decide(actor, note="同一举报人再次来信")
    [match] = find_similar(text=RESUBMITTED, accused_names=["王德福"], commission_ids=[pair.pk], exclude=("report", 2))
    assert (link.kind, link.object_id, link.other_kind, link.other_id) == ("report", 2, "report", 1)
    assert link.decision == DuplicateLink.Decision.CONFIRMED
    assert (link.score, link.text_score, link.same_person) == (match.score, match.text_score, True)
    assert link.decided_by_id == actor.user_id and link.commission_id == pair.pk
    assert link.note == "同一举报人再次来信"
    event = AuditEvent.objects.get(action="duplicate.confirmed")
    assert event.actor_id == actor.user_id
    assert event.commission_id == pair.pk
    assert event.target_type == "dedup.duplicatelink" and event.target_id == str(link.pk)
    assert event.detail["document"] == "report:2" and event.detail["other"] == "report:1"
    assert event.detail["same_person"] is True
    assert event.changes["decision"] == [None, "confirmed"]


def test_changing_ones_mind_updates_the_link_and_records_the_change(pair):
    actor = staff_actor(pair, Role.REGISTRAR)
    decide(actor)
    link = decide(actor, "rejected", note="举报事项不同")
    assert DuplicateLink.objects.count() == 1
    assert link.decision == DuplicateLink.Decision.REJECTED
    event = AuditEvent.objects.get(action="duplicate.rejected")
    assert event.changes == {"decision": ["confirmed", "rejected"], "note": ["", "举报事项不同"]}


def test_the_same_decision_again_by_the_same_person_records_nothing_new(pair):
    actor = staff_actor(pair, Role.REGISTRAR)
    decide(actor)
    decide(actor)
    assert AuditEvent.objects.filter(action__startswith="duplicate.").count() == 1


def test_a_lookup_shows_decisions_taken_in_either_direction(pair):
    actor = staff_actor(pair, Role.REGISTRAR)
    index_document(kind="report", object_id=3, commission_id=pair.pk, text=ORIGINAL, accused_names=["王德福"])
    decide(actor, "rejected", new=3, earlier=1)
    decide(actor, "confirmed", new=2, earlier=3)
    matches = find_similar(text=ORIGINAL, accused_names=["王德福"], commission_ids=[pair.pk], exclude=("report", 3))
    assert {m.object_id: m.decision for m in matches} == {1: "rejected", 2: "confirmed"}
    undecided = find_similar(text=ORIGINAL, accused_names=["王德福"], commission_ids=[pair.pk], exclude=("report", 1))
    assert {m.object_id: m.decision for m in undecided} == {3: "rejected", 2: None}


def test_links_are_read_in_both_directions_and_confirmed_originals_listed(pair):
    actor = staff_actor(pair, Role.REGISTRAR)
    decide(actor)
    assert [link.object_id for link in links_for(actor=actor, kind="report", object_id=1)] == [2]
    assert [link.other_id for link in links_for(actor=actor, kind="report", object_id=2)] == [1]
    assert confirmed_originals(actor=actor, kind="report", object_id=2) == [("report", 1)]
    assert confirmed_originals(actor=actor, kind="report", object_id=1) == []
    assert not links_for(actor=actor, kind="report", object_id=2, decision="rejected").exists()


def test_an_actor_of_another_commission_gets_not_found_and_nothing_is_recorded(pair, other_commission):
    outsider = staff_actor(other_commission, Role.REGISTRAR)
    with pytest.raises(NotFound):
        decide(outsider)
    assert not DuplicateLink.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="duplicate.").exists()
    index_document(kind="report", object_id=1, commission_id=other_commission.pk, text=UNRELATED)  # moved away
    with pytest.raises(NotFound):  # one of the two outside the actor's commission is enough
        decide(staff_actor(pair, Role.REGISTRAR))
    assert not links_for(actor=outsider, kind="report", object_id=2).exists()


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_administrators_see_and_decide_nothing(pair, role):
    """三员分立: the three administrators never touch case content."""
    decide(staff_actor(pair, Role.REGISTRAR))
    admin = staff_actor(pair, role)
    with pytest.raises(NotFound):
        decide(admin, "rejected")
    assert not links_for(actor=admin, kind="report", object_id=2).exists()


def test_a_document_not_in_the_index_is_not_found(pair):
    with pytest.raises(NotFound):
        decide(staff_actor(pair, Role.REGISTRAR), earlier=99)


def test_a_document_cannot_repeat_itself(pair):
    with pytest.raises(RuleViolation):
        decide(staff_actor(pair, Role.REGISTRAR), new=1, earlier=1)


@pytest.mark.parametrize(("decision", "note"), [("maybe", ""), ("confirmed", "长" * 501)])
def test_a_malformed_decision_is_refused(pair, decision, note):
    with pytest.raises(ValidationFailed):
        decide(staff_actor(pair, Role.REGISTRAR), decision, note=note)
    assert not DuplicateLink.objects.exists()
