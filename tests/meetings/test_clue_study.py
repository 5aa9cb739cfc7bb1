"""A 线索研判会 decides a clue item: the agreed resolution is the zone's collective study of the clue —
an analysis record with the members present, and a registered clue moves to 研判."""

from __future__ import annotations

import pytest

from tests.clues.conftest import open_other
from tests.filing.conftest import attend, decide, planned_meeting
from tests.intake.conftest import demo_actor
from xiezuoqu.clues.models import AnalysisRecord
from xiezuoqu.clues.workflow import State
from xiezuoqu.errors import RuleViolation
from xiezuoqu.meetings import services as meetings

pytestmark = pytest.mark.django_db


def _studied_at_meeting(clue, outcome="agree"):
    meeting = planned_meeting(kind="analysis")
    item = meetings.add_agenda_item(
        actor=demo_actor("zuzhang1"), meeting_id=meeting.pk, kind="clue_study", clue_id=clue.pk
    )
    attend(meeting)
    meetings.hold_meeting(actor=demo_actor("zuzhang1"), meeting_id=meeting.pk)
    item.refresh_from_db()
    return decide(item, outcome)


def test_an_agreed_study_records_the_analysis_and_moves_a_registered_clue(demo):
    clue = open_other()
    assert clue.state == State.REGISTERED
    resolution = _studied_at_meeting(clue)
    clue.refresh_from_db()
    assert clue.state == State.UNDER_ANALYSIS
    record = AnalysisRecord.objects.get(clue=clue)
    assert resolution.number in record.doubts and record.direction == resolution.text
    assert record.participants.count() >= 2


def test_a_deferred_study_moves_nothing(demo):
    clue = open_other()
    _studied_at_meeting(clue, outcome="defer")
    clue.refresh_from_db()
    assert clue.state == State.REGISTERED and not AnalysisRecord.objects.filter(clue=clue).exists()


def test_a_clue_past_disposal_refuses_the_decision_as_a_whole(demo):
    from tests.clues.conftest import disposed

    clue = disposed("close")
    with pytest.raises(RuleViolation, match="不再进行分析研判"):
        _studied_at_meeting(clue)
