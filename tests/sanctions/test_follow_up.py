"""What the end of a term demands, recorded once it has ended, in one audited transaction — on an
archived case too (the sanction's execution, not an edit of the sealed file)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from tests.intake.conftest import demo_actor
from tests.sanctions.conftest import archived, day_after, decided_with, moment, term_of, terms_of
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.cases import services as cases
from xiezuoqu.cases.workflow import State
from xiezuoqu.deadlines.models import Deadline, DeadlineState, SupervisionSlip
from xiezuoqu.deadlines.services import deadline_for, sweep_deadlines
from xiezuoqu.errors import InvalidTransition, NotFound, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.sanctions.models import FollowUpKind, Outcome, SanctionFollowUp, TermState
from xiezuoqu.sanctions.rules import plus_months
from xiezuoqu.sanctions.services import TERM_END, FollowUpInput, record_follow_up

pytestmark = pytest.mark.django_db

RESTORE = FollowUpInput(
    outcome=Outcome.RESTORED, decided_on=None, organisation="宝山镇党委", reference="宝党发〔2028〕3号"
)


def _restore(term, **kw):  # type: ignore[no-untyped-def]
    data = FollowUpInput(**{**RESTORE.__dict__, "decided_on": day_after(term).date(), **kw})
    return record_follow_up(actor=demo_actor("xzshuji"), term_id=term.pk, data=data)


def test_nothing_can_be_recorded_before_the_term_ends(demo):
    case = decided_with("party_probation", body="township_party_committee", months=12)
    term = term_of(case, "party_probation")
    with (
        time_machine.travel(moment(term.end - timedelta(days=1)), tick=False),
        pytest.raises(RuleViolation, match="期满前终止处分只能通过申诉"),
    ):
        _restore(term, decided_on=term.end - timedelta(days=1))
    term.refresh_from_db()
    assert term.state == TermState.RUNNING and not SanctionFollowUp.objects.filter(term=term).exists()


def test_restoring_rights_after_probation_closes_the_deadline_and_opens_the_two_year_influence_period(demo):
    case = decided_with("party_probation", body="township_party_committee", months=24)
    term = term_of(case, "party_probation")
    with time_machine.travel(day_after(term), tick=False):
        follow_up = _restore(term)
    term.refresh_from_db()
    assert (term.state, term.closed_on) == (TermState.ENDED, follow_up.decided_on)
    assert (follow_up.organisation, follow_up.reference) == ("宝山镇党委", "宝党发〔2028〕3号")
    deadline = deadline_for(term, TERM_END)
    assert deadline is not None and deadline.state in (DeadlineState.MET, DeadlineState.MET_LATE)
    assert deadline.met_on == follow_up.decided_on
    [following] = [t for t in terms_of(case) if t.previous_id == term.pk]
    assert following.follow_up_kind == FollowUpKind.PARTY_LAPSE
    assert (following.start, following.end) == (follow_up.decided_on, plus_months(follow_up.decided_on, 24))
    assert deadline_for(following, TERM_END).state == DeadlineState.OPEN  # type: ignore[union-attr]
    event = AuditEvent.objects.get(action="sanction.follow_up_recorded", target_id=str(term.pk))
    assert event.changes["state"] == ["running", "ended"] and event.detail["outcome"] == "restored"


def test_expulsion_at_the_end_of_probation_needs_a_reason_and_starts_the_bar(demo):
    case = decided_with("party_probation", body="township_party_committee", months=24)
    term = term_of(case, "party_probation")
    with time_machine.travel(day_after(term), tick=False):
        with pytest.raises(ValidationFailed, match="开除党籍的理由"):
            _restore(term, outcome=Outcome.EXPELLED)
        assert not SanctionFollowUp.objects.filter(term=term).exists()
        follow_up = _restore(term, outcome=Outcome.EXPELLED, reason="留党察看期间又发现违规收受礼金的违纪行为。")
    bar = term_of(case, "party_expulsion")
    assert bar.previous_id == term.pk and bar.follow_up_kind == FollowUpKind.NONE
    assert bar.end == plus_months(follow_up.decided_on, 60) and deadline_for(bar, TERM_END) is None


def test_a_one_year_probation_is_extended_once_by_a_year(demo):
    case = decided_with("party_probation", body="township_party_committee", months=12)
    term = term_of(case, "party_probation")
    with time_machine.travel(day_after(term), tick=False):
        _restore(term, outcome=Outcome.EXTENDED, reason="期满后仍不符合恢复党员权利条件。")
    extension = term_of(case, "party_probation")
    assert extension.previous_id == term.pk
    assert (extension.start, extension.end) == (term.end, plus_months(term.end, 12))
    with time_machine.travel(day_after(extension), tick=False):
        with pytest.raises(RuleViolation, match="最长不得超过二年"):
            _restore(extension, outcome=Outcome.EXTENDED, reason="仍不符合条件。")
        _restore(extension)
    extension.refresh_from_db()
    assert extension.state == TermState.ENDED


def test_a_two_year_probation_cannot_be_extended(demo):
    term = term_of(decided_with("party_probation", body="township_party_committee", months=24), "party_probation")
    with time_machine.travel(day_after(term), tick=False), pytest.raises(RuleViolation, match="延长一年"):
        _restore(term, outcome=Outcome.EXTENDED, reason="不符合条件。")


def test_a_follow_up_that_does_not_fit_the_sanction_is_refused(demo):
    case = decided_with("party_warning", "gov_demerit")
    party, government = term_of(case, "party_warning"), term_of(case, "gov_demerit")
    with time_machine.travel(day_after(party), tick=False):
        with pytest.raises(RuleViolation, match="只能登记：影响期满"):
            _restore(party, outcome=Outcome.RELEASED)
        with pytest.raises(RuleViolation, match="只能登记：政务处分期满自动解除"):
            _restore(government, outcome=Outcome.RESTORED)
        with pytest.raises(ValidationFailed, match="解除通知文号"):
            _restore(government, outcome=Outcome.RELEASED, reference="")
        _restore(party, outcome=Outcome.LAPSED, organisation="", reference="")
        _restore(government, outcome=Outcome.RELEASED, reference="宝政解〔2027〕1号")
        with pytest.raises(InvalidTransition):
            _restore(party, outcome=Outcome.LAPSED)
    assert [t.state for t in terms_of(case)] == [TermState.ENDED, TermState.ENDED]


def test_the_expulsion_bar_needs_no_follow_up(demo):
    bar = term_of(decided_with("party_expulsion", body="county"), "party_expulsion")
    with time_machine.travel(day_after(bar), tick=False), pytest.raises(RuleViolation, match="无需办理"):
        _restore(bar, outcome=Outcome.LAPSED)


def test_a_follow_up_on_an_archived_case_is_allowed_audited_and_leaves_the_case_read_only(demo):
    case = archived(decided_with("party_warning"))
    assert case.state == State.ARCHIVED
    term = term_of(case, "party_warning")
    with time_machine.travel(day_after(term), tick=False):
        _restore(term, outcome=Outcome.LAPSED, note="影响期满。")
        with pytest.raises(RuleViolation, match="案件已归档，只读"):
            cases.file_appeal(
                actor=demo_actor("shenli"), case_id=case.pk, kind="review", received_on=None, grounds="申诉"
            )
    term.refresh_from_db()
    case.refresh_from_db()
    assert term.state == TermState.ENDED and case.state == State.ARCHIVED
    event = AuditEvent.objects.get(action="sanction.follow_up_recorded", target_id=str(term.pk))
    assert event.detail["case_archived"] is True and event.actor_name == "xzshuji"


def test_only_the_handling_side_records_and_outsiders_get_404(demo):
    term = term_of(decided_with("party_warning"), "party_warning")
    with time_machine.travel(day_after(term), tick=False):
        with pytest.raises(NotPermitted):
            record_follow_up(
                actor=demo_actor("shenli"),
                term_id=term.pk,
                data=FollowUpInput(outcome=Outcome.LAPSED, decided_on=day_after(term).date()),
            )
        with pytest.raises(NotFound):
            record_follow_up(
                actor=demo_actor("xzshuji2"),
                term_id=term.pk,
                data=FollowUpInput(outcome=Outcome.LAPSED, decided_on=day_after(term).date()),
            )
        record_follow_up(
            actor=demo_actor("anguan"),
            term_id=term.pk,
            data=FollowUpInput(outcome=Outcome.LAPSED, decided_on=day_after(term).date()),
        )


def test_the_daily_sweep_issues_a_slip_for_an_ended_term_left_without_follow_up(demo):
    term = term_of(decided_with("gov_warning"), "gov_warning")
    assert term.due_on is not None
    sweep_day = term.due_on + timedelta(days=1)
    result = sweep_deadlines(sweep_day)
    deadline = Deadline.objects.get(pk=deadline_for(term, TERM_END).pk)  # type: ignore[union-attr]
    assert deadline.overdue_since == sweep_day
    slip = SupervisionSlip.objects.get(deadline=deadline)
    assert slip.pk in result.slips and slip.zone_id == term.case.zone_id
