"""A township case from 立案 through investigation, zone 初审, commission 复审, decision, announcement,
execution and archive; each step through its service, with its deadline opened and closed."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.cases.conftest import decided, filed_case, investigating, reported, trial_reviewers, zone_reviewers
from tests.intake.conftest import demo_actor
from xiezuoqu.cases import services
from xiezuoqu.cases.models import DecisionState, PersonDecision, Stage, TrialReview
from xiezuoqu.cases.workflow import State, mermaid
from xiezuoqu.deadlines.models import DeadlineState
from xiezuoqu.deadlines.services import deadline_for
from xiezuoqu.errors import InvalidTransition, RuleViolation
from xiezuoqu.sanctions import rules as sanction_rules
from xiezuoqu.verification.models import Measure

pytestmark = pytest.mark.django_db


def test_a_township_case_runs_from_filing_to_archive(demo):
    case = reported()
    assert case.state == State.INVESTIGATION_REPORTED
    assert Measure.objects.filter(case_id=case.pk, kind="interrogation").count() == 1

    first = services.open_trial_review(actor=demo_actor("zuzhang1"), case_id=case.pk, reviewer_ids=zone_reviewers())
    case.refresh_from_db()
    assert (case.state, first.stage) == (State.FIRST_REVIEW, Stage.FIRST)
    assert deadline_for(first, "case.first_review").state == DeadlineState.OPEN  # type: ignore[union-attr]

    services.conclude_review(actor=demo_actor("zuzhang1"), case_id=case.pk, opinion="同意。")
    case.refresh_from_db()
    assert case.state == State.SECOND_REVIEW
    assert deadline_for(first, "case.first_review").state == DeadlineState.MET  # type: ignore[union-attr]

    second = services.open_trial_review(actor=demo_actor("shenli"), case_id=case.pk, reviewer_ids=trial_reviewers())
    trial_deadline = deadline_for(second, "case.trial")
    month_later = sanction_rules.plus_months(second.opened_on, 1)
    assert trial_deadline is not None and 0 <= (trial_deadline.due_date - month_later).days <= 3  # next working day
    services.conclude_review(actor=demo_actor("shenli"), case_id=case.pk, opinion="同意初审意见。")
    assert deadline_for(second, "case.trial").state == DeadlineState.MET  # type: ignore[union-attr]

    decision = services.propose_decision(
        actor=demo_actor("shenli"),
        case_id=case.pk,
        data=services.DecisionInput(codes=["party_warning"], body="township_committee", grounds="冒领补贴。"),
    )
    from tests.cases.conftest import approve_decision

    approve_decision(decision)
    decision.refresh_from_db()
    case.refresh_from_db()
    assert case.state == State.DECIDED
    assert decision.state == DecisionState.APPROVED and decision.form == 2
    today = timezone.localdate()
    assert decision.periods[0]["end"] == sanction_rules.plus_months(today, 12).isoformat()
    announcement_deadline = deadline_for(case, "case.announcement")
    assert announcement_deadline is not None and announcement_deadline.state == DeadlineState.OPEN

    services.announce_decision(
        actor=demo_actor("xzshuji"), case_id=case.pk, announced_on=today, place="宝山镇会议室", attendees="支部全体党员"
    )
    assert deadline_for(case, "case.announcement").state == DeadlineState.MET  # type: ignore[union-attr]
    services.record_execution(
        actor=demo_actor("xzshuji"),
        case_id=case.pk,
        executed_on=today,
        executing_unit="宝山镇党委",
        details="材料归入本人档案。",
    )
    services.archive_case(actor=demo_actor("anguan"), case_id=case.pk)
    case.refresh_from_db()
    assert case.state == State.ARCHIVED


def test_an_announcement_after_a_month_is_recorded_late(demo):
    case = decided()
    later = timezone.now() + timedelta(days=40)
    with time_machine.travel(later, tick=False):
        services.announce_decision(
            actor=demo_actor("xzshuji"),
            case_id=case.pk,
            announced_on=timezone.localdate(),
            place="宝山镇会议室",
            attendees="支部全体党员",
        )
    assert deadline_for(case, "case.announcement").state == DeadlineState.MET_LATE  # type: ignore[union-attr]


def test_an_archived_case_is_read_only(demo):
    case = decided()
    today = timezone.localdate()
    services.announce_decision(
        actor=demo_actor("xzshuji"), case_id=case.pk, announced_on=today, place="会议室", attendees="全体"
    )
    services.record_execution(
        actor=demo_actor("xzshuji"), case_id=case.pk, executed_on=today, executing_unit="党委", details="已执行"
    )
    services.archive_case(actor=demo_actor("anguan"), case_id=case.pk)
    with pytest.raises(RuleViolation, match="案件已归档，只读"):
        services.file_appeal(
            actor=demo_actor("shenli"), case_id=case.pk, kind="review", received_on=today, grounds="不服"
        )
    with pytest.raises(RuleViolation, match="案件已归档，只读"):
        services.archive_case(actor=demo_actor("anguan"), case_id=case.pk)
    with pytest.raises(RuleViolation, match="案件已归档，只读"):
        services.write_report(
            actor=demo_actor("xzshuji"), case_id=case.pk, data=services.ReportInput("事实", "证据", "意见")
        )


def test_archive_is_refused_before_execution_and_with_an_open_appeal(demo):
    case = decided()
    today = timezone.localdate()
    with pytest.raises(InvalidTransition):
        services.archive_case(actor=demo_actor("anguan"), case_id=case.pk)
    services.announce_decision(
        actor=demo_actor("xzshuji"), case_id=case.pk, announced_on=today, place="会议室", attendees="全体"
    )
    services.record_execution(
        actor=demo_actor("xzshuji"), case_id=case.pk, executed_on=today, executing_unit="党委", details="已执行"
    )
    appeal = services.file_appeal(
        actor=demo_actor("shenli"), case_id=case.pk, kind="review", received_on=today, grounds="不服"
    )
    with pytest.raises(RuleViolation, match="申诉"):
        services.archive_case(actor=demo_actor("anguan"), case_id=case.pk)
    services.decide_appeal(
        actor=demo_actor("shenli"), appeal_id=appeal.pk, result="upheld", result_text="维持。", decided_on=today
    )
    services.archive_case(actor=demo_actor("anguan"), case_id=case.pk)


def test_investigation_needs_a_team_and_a_report_before_hand_over(demo):
    case = filed_case()
    with pytest.raises(RuleViolation, match="审查调查组"):
        services.start_investigation(actor=demo_actor("xzshuji"), case_id=case.pk)
    case = investigating(case)
    with pytest.raises(RuleViolation, match="审查调查报告"):
        services.hand_over(actor=demo_actor("xzshuji"), case_id=case.pk)


def test_a_case_not_self_handled_goes_straight_to_the_trial_office(demo):
    from tests.cases.conftest import investigation_team
    from xiezuoqu.teams.models import HandlingMode

    case = filed_case()
    investigation_team(case, mode=HandlingMode.JOINT)
    case = reported(case)
    from xiezuoqu.errors import NotPermitted

    with pytest.raises(NotPermitted):
        services.open_trial_review(actor=demo_actor("zuzhang1"), case_id=case.pk, reviewer_ids=zone_reviewers())
    review = services.open_trial_review(actor=demo_actor("shenli"), case_id=case.pk, reviewer_ids=trial_reviewers())
    case.refresh_from_db()
    assert (case.state, review.stage) == (State.TRIAL, Stage.SINGLE)
    assert TrialReview.objects.filter(case=case).count() == 1


def test_withdrawing_the_case_closes_it_without_an_announcement(demo):
    case = decided(codes=("case_withdrawn",), body="county")
    assert case.state == State.CLOSED
    assert deadline_for(case, "case.announcement") is None
    assert PersonDecision.objects.get(case=case).form is None
    services.archive_case(actor=demo_actor("anguan"), case_id=case.pk)


def test_the_life_cycle_prints_as_mermaid():
    text = mermaid()
    assert "first_review --> second_review" in text
    assert "executed --> archived" in text
    assert "trial --> investigating" in text
