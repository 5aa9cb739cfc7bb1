"""暂存待查: the approved review date is a tracked deadline, met when the clue is reviewed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.clues.conftest import demo_actor, disposed
from xiezuoqu.clues import rules, services
from xiezuoqu.deadlines.models import DeadlineState, PeriodUnit
from xiezuoqu.deadlines.services import compute_due, deadline_for
from xiezuoqu.deadlines.urgency import Colour

pytestmark = pytest.mark.django_db


def test_a_held_clue_has_a_deadline_on_its_review_date_met_by_the_review(demo):
    review_on = timezone.localdate() + timedelta(days=90)
    clue = disposed("hold", review_on=review_on)
    deadline = deadline_for(clue, rules.HELD_REVIEW.kind)
    assert deadline is not None and deadline.state == DeadlineState.OPEN
    assert deadline.period_unit == PeriodUnit.DAYS
    assert deadline.due_date >= review_on and (deadline.due_date - review_on).days <= 7  # rolled to a working day
    services.review_held(actor=demo_actor("xzshuji"), clue_id=clue.pk, note="情况发生变化，重新研判")
    deadline.refresh_from_db()
    assert deadline.state == DeadlineState.MET


def test_a_review_date_on_a_holiday_ends_on_the_next_working_day():
    # 2026-10-01 to 10-07 is the National Day holiday; 2026-10-08 is the first working day after it.
    result = compute_due(date(2026, 9, 1), (date(2026, 10, 1) - date(2026, 9, 1)).days, PeriodUnit.DAYS)
    assert result.date == date(2026, 10, 8)


def test_a_held_clue_past_its_review_date_shows_red_in_the_work_queue(demo):
    from xiezuoqu.deadlines.selectors import work_queue

    review_on = timezone.localdate() + timedelta(days=30)
    clue = disposed("hold", review_on=review_on)
    with time_machine.travel(review_on + timedelta(days=10), tick=False):
        rows = [row for row in work_queue(demo_actor("xzshuji"), limit=200).rows if row.deadline.target_id == clue.pk]
        assert rows and rows[0].urgency.colour is Colour.RED
