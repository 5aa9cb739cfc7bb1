"""A term ends early only through an appeal: 撤销 cancels the running terms and their deadlines; 变更
supersedes them until the trial office registers the changed sanction, whose terms replace them; 维持
leaves them running."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.intake.conftest import demo_actor
from tests.sanctions.conftest import announced, appealed, decided_with, decision_of, moment, term_of, terms_of
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.deadlines.models import DeadlineState
from xiezuoqu.deadlines.services import deadline_for
from xiezuoqu.errors import InvalidTransition, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.sanctions.models import ChangeState, SanctionChange, TermState
from xiezuoqu.sanctions.rules import plus_months
from xiezuoqu.sanctions.services import TERM_END, ChangeInput, register_change

pytestmark = pytest.mark.django_db


def test_a_revoked_decision_ends_its_terms_and_cancels_their_deadlines(demo):
    case = announced(decided_with("party_warning", "gov_demerit"))
    appeal = appealed(case, "revoked")
    terms = terms_of(case)
    assert len(terms) == 2
    for term in terms:
        assert (term.state, term.closed_on, term.ended_by_appeal_id) == (
            TermState.CANCELLED,
            appeal.decided_on,
            appeal.pk,
        )
        assert deadline_for(term, TERM_END).state == DeadlineState.CANCELLED  # type: ignore[union-attr]
        assert AuditEvent.objects.filter(action="sanction.term_cancelled", target_id=str(term.pk)).exists()
    assert not SanctionChange.objects.filter(case=case).exists()


def test_an_upheld_decision_leaves_its_terms_running(demo):
    case = announced(decided_with("party_warning"))
    appealed(case, "upheld")
    [term] = terms_of(case)
    assert term.state == TermState.RUNNING
    assert deadline_for(term, TERM_END).state == DeadlineState.OPEN  # type: ignore[union-attr]


def test_a_changed_decision_is_replaced_by_the_terms_of_the_registered_change(demo):
    case = announced(decided_with("party_serious_warning"))
    decided_on = decision_of(case).decided_on
    later = timezone.localdate() + timedelta(days=10)
    with time_machine.travel(moment(later), tick=False):
        appeal = appealed(case, "changed")
    [old] = terms_of(case)
    assert (old.state, old.closed_on) == (TermState.SUPERSEDED, later)
    assert deadline_for(old, TERM_END).state == DeadlineState.CANCELLED  # type: ignore[union-attr]
    change = SanctionChange.objects.get(appeal=appeal)
    assert change.state == ChangeState.PENDING
    data = ChangeInput(codes=["party_warning"], start=decided_on, reference="凤纪复〔2026〕1号")
    with pytest.raises(NotPermitted):
        register_change(actor=demo_actor("xzshuji"), change_id=change.pk, data=data)
    with time_machine.travel(moment(later), tick=False):
        register_change(actor=demo_actor("shenli"), change_id=change.pk, data=data)
        with pytest.raises(InvalidTransition):
            register_change(actor=demo_actor("shenli"), change_id=change.pk, data=data)
    new = term_of(case, "party_warning")
    assert (new.start, new.end, new.state, new.change_id) == (
        decided_on,
        plus_months(decided_on, 12),
        TermState.RUNNING,
        change.pk,
    )
    assert deadline_for(new, TERM_END).state == DeadlineState.OPEN  # type: ignore[union-attr]
    change.refresh_from_db()
    assert (change.state, change.codes, change.reference) == (
        ChangeState.REGISTERED,
        ["party_warning"],
        "凤纪复〔2026〕1号",
    )


def test_a_changed_sanction_is_checked_against_the_person(demo):
    case = announced(decided_with("party_warning"))
    change = SanctionChange.objects.get(appeal=appealed(case, "changed"))
    start = decision_of(case).decided_on
    with pytest.raises(RuleViolation, match="村（社区）干部"):
        register_change(
            actor=demo_actor("shenli"),
            change_id=change.pk,
            data=ChangeInput(codes=["gov_demotion"], start=start, reference="文号"),
        )
    with pytest.raises(ValidationFailed, match="一年或者二年"):
        register_change(
            actor=demo_actor("shenli"),
            change_id=change.pk,
            data=ChangeInput(codes=["party_probation"], start=start, reference="文号", months=18),
        )
    change.refresh_from_db()
    assert change.state == ChangeState.PENDING and terms_of(case)[-1].state == TermState.SUPERSEDED


def test_a_later_recheck_that_revokes_lapses_a_pending_change(demo):
    case = announced(decided_with("party_serious_warning"))
    first = SanctionChange.objects.get(appeal=appealed(case, "changed"))
    appealed(case, "revoked", kind="recheck")
    first.refresh_from_db()
    assert first.state == ChangeState.LAPSED
    assert [t.state for t in terms_of(case)] == [TermState.SUPERSEDED]
    with pytest.raises(InvalidTransition):
        register_change(
            actor=demo_actor("shenli"),
            change_id=first.pk,
            data=ChangeInput(codes=["party_warning"], start=timezone.localdate(), reference="文号"),
        )


def test_a_later_recheck_that_revokes_ends_the_registered_replacement(demo):
    case = announced(decided_with("party_serious_warning"))
    change = SanctionChange.objects.get(appeal=appealed(case, "changed"))
    register_change(
        actor=demo_actor("shenli"),
        change_id=change.pk,
        data=ChangeInput(codes=["party_warning"], start=timezone.localdate(), reference="文号"),
    )
    appealed(case, "revoked", kind="recheck")
    assert [(t.code, t.state) for t in terms_of(case)] == [
        ("party_serious_warning", TermState.SUPERSEDED),
        ("party_warning", TermState.CANCELLED),
    ]
