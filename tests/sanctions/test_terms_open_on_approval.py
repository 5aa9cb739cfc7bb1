"""An approved decision opens one term per period, from the decision date, each with its 处分期满
deadline for the case's handling unit and zone; the 5-year bar after 开除党籍 demands nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.intake.conftest import demo_actor
from tests.sanctions.conftest import decided_with, decision_of, term_of, terms_of
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.cases.models import Case, Subject
from xiezuoqu.cases.services import DecisionInput, evaluate
from xiezuoqu.deadlines.models import DeadlineState
from xiezuoqu.deadlines.selectors import deadlines_visible_to, overdue_list
from xiezuoqu.deadlines.services import deadline_for
from xiezuoqu.deadlines.urgency import Colour, urgency
from xiezuoqu.sanctions.models import FollowUpKind, TermState
from xiezuoqu.sanctions.rules import periods_of, plus_months
from xiezuoqu.sanctions.services import TERM_END, TERM_END_WARN_WORKING_DAYS
from xiezuoqu.workdays.selectors import work_calendar

pytestmark = pytest.mark.django_db


def test_a_two_year_probation_runs_two_years_from_the_decision_date(demo):
    case = decided_with("party_probation", body="township_party_committee", months=24)
    [term] = terms_of(case)
    today = timezone.localdate()
    assert decision_of(case).decided_on == today
    assert (term.code, term.months, term.start, term.end) == ("party_probation", 24, today, plus_months(today, 24))
    assert (term.state, term.follow_up_kind, term.subject_id) == (
        TermState.RUNNING,
        FollowUpKind.PROBATION,
        case.subject_id,
    )
    deadline = deadline_for(term, TERM_END)
    assert deadline is not None and deadline.state == DeadlineState.OPEN
    # Due on the end, or the next working day when the end is a rest day (民法典 第二百零三条).
    assert term.end <= deadline.due_date == term.due_on
    assert (term.due_on - term.end).days <= 10
    assert deadline.label == "处分期满" and case.case_number in deadline.target_label
    assert deadline.responsible_unit_id == case.clue.handling_unit_id and deadline.zone_id == case.zone_id
    assert AuditEvent.objects.filter(action="sanction.term_opened", target_id=str(term.pk)).exists()


def test_a_party_warning_and_combined_government_sanctions_each_run_their_own_term(demo):
    case = decided_with("party_warning", "gov_warning", "gov_major_demerit")
    today = timezone.localdate()
    party, government = term_of(case, "party_warning"), term_of(case, "gov_major_demerit")
    assert len(terms_of(case)) == 2  # the two government sanctions are executed as one (政务处分法 第十条)
    assert (party.months, party.end, party.follow_up_kind) == (12, plus_months(today, 12), FollowUpKind.PARTY_LAPSE)
    assert (government.label, government.months, government.end) == ("记大过（合并执行）", 18, plus_months(today, 18))
    assert government.follow_up_kind == FollowUpKind.GOVERNMENT
    assert [(t.code, t.start.isoformat(), t.end.isoformat()) for t in terms_of(case)] == [
        (p["code"], p["start"], p["end"]) for p in decision_of(case).periods
    ]


def test_expulsion_opens_the_five_year_bar_without_a_deadline(demo):
    case = decided_with("party_expulsion", body="county")
    [term] = terms_of(case)
    assert term.end == plus_months(term.start, 60) and term.follow_up_kind == FollowUpKind.NONE
    assert term.due_on is None and deadline_for(term, TERM_END) is None


def test_a_withdrawn_case_opens_no_term(demo):
    case = decided_with("case_withdrawn", body="county")
    assert terms_of(case) == []


@pytest.mark.parametrize(
    ("codes", "months"),
    [
        (["party_warning"], None),
        (["party_probation"], 12),
        (["party_probation", "gov_dismissal_from_post"], 24),
        (["party_expulsion", "gov_expulsion"], None),
        (["gov_warning", "gov_demerit", "gov_demotion"], None),
        (["party_serious_warning", "gov_major_demerit", "criticism"], None),
        (["party_removal", "reassignment"], None),
    ],
)
def test_registering_a_changed_sanction_computes_periods_as_the_decision_does(codes, months):
    case = Case(competent_body_kind="commission")
    subject = Subject(is_village_cadre=False, is_party_member=True)
    start = date(2026, 1, 31)
    _form, periods = evaluate(case, subject, DecisionInput(codes, "county", "事实", False, months), start)
    assert periods_of(codes, start, months) == [p for p in periods if p["end"]]


def test_the_end_warns_in_the_deadline_lists_of_the_handling_unit_the_zone_and_case_management(demo):
    term = term_of(decided_with("gov_warning"), "gov_warning")
    deadline = deadline_for(term, TERM_END)
    assert deadline is not None and term.due_on is not None
    for username in ("xzshuji", "zuzhang1", "anguan"):
        assert deadlines_visible_to(demo_actor(username)).filter(pk=deadline.pk).exists(), username
    assert not deadlines_visible_to(demo_actor("xzshuji2")).filter(pk=deadline.pk).exists()

    def colour(days_before: int) -> Colour:
        return urgency(
            today=term.end - timedelta(days=days_before),
            start=deadline.start_date,
            due=deadline.due_date,
            calendar=work_calendar(),
            warn_days=TERM_END_WARN_WORKING_DAYS,
        ).colour

    assert colour(60) is Colour.BLUE and colour(20) is Colour.YELLOW
    late = overdue_list(demo_actor("zuzhang1"), kind=TERM_END, today=term.due_on + timedelta(days=1))
    [row] = [r for r in late.rows if r.deadline.pk == deadline.pk]
    assert row.target_url == f"/sanctions/{term.pk}/"
