"""The demo loader: township cadres of the 一帮二 pairs seated beside their mentor on the demo teams,
most seats finished and assessed by the mentor; a second run does nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from xiezuoqu.demo.caseload import load_demo_caseload
from xiezuoqu.demo.casework import load_demo_casework
from xiezuoqu.demo.reports import load_demo_reports
from xiezuoqu.demo.training import load_demo_training
from xiezuoqu.org.models import MentoringPair
from xiezuoqu.training import selectors
from xiezuoqu.training.models import Assessment

pytestmark = pytest.mark.django_db


def test_nothing_to_do_without_teams(demo):
    assert not load_demo_training().loaded


def test_the_demo_seats_mentees_beside_their_mentor_and_assesses_them_once(demo):
    load_demo_reports(count=60)
    load_demo_casework()
    load_demo_caseload(cases=4)
    summary = load_demo_training()
    assert summary.loaded and summary.seated > 0 and summary.assessments > 0
    assert summary.assessments == Assessment.objects.count()
    mentees = set()
    for pair in MentoringPair.objects.filter(end_date__isnull=True):
        mentees |= {pair.mentee_one_id, pair.mentee_two_id}
    for assessment in Assessment.objects.select_related("seat"):
        assert assessment.mentor_id == assessment.seat.mentor_id
    # Dated as the year went: a seat begins after its team was confirmed, ends later, and is assessed after.
    seats = list(selectors.turn_seats().filter(staff_id__in=mentees).select_related("team"))
    for seat in seats:
        assert seat.joined_on is not None and seat.joined_on >= timezone.localtime(seat.team.confirmed_at).date()
        assert seat.left_on is None or seat.left_on >= seat.joined_on
    assert len({seat.joined_on for seat in seats}) > 1
    for assessment in Assessment.objects.select_related("seat").exclude(seat__left_on=None):
        assert timezone.localdate(assessment.written_at) >= assessment.seat.left_on
    assert any(seat.joined_on < timezone.localdate() for seat in seats)
    seated = set(selectors.turn_seats().filter(staff_id__in=mentees).values_list("staff_id", flat=True))
    assert seated and "演示以干代训" in summary.line()
    again = load_demo_training()
    assert not again.loaded and Assessment.objects.count() == summary.assessments
