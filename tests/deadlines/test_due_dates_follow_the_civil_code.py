"""Due dates: the start day is not counted, working days are official working days, months end on the
same-numbered day, a period ending on a rest day ends on the next working day (民法典 第200–204条)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.deadlines.conftest import KIND, open_on, unit_named
from xiezuoqu.deadlines.models import PeriodUnit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("start", "working_days", "months", "due"),
    [
        # DESIGN §3: received Monday 2026-09-28, 5 WD → Saturday 2026-10-10 (a make-up working day).
        (date(2026, 9, 28), 5, None, date(2026, 10, 10)),
        (date(2026, 11, 26), 3, None, date(2026, 12, 1)),  # Thu + 3 WD skips the weekend
        (date(2026, 11, 27), 1, None, date(2026, 11, 30)),  # Friday + 1 WD is Monday
        # Months: same-numbered day; 2026-02-28 is a make-up Saturday after the Spring Festival.
        (date(2026, 1, 31), None, 1, date(2026, 2, 28)),
        # 2026-05-31 is a Sunday: the period ends on Monday 2026-06-01.
        (date(2026, 3, 31), None, 2, date(2026, 6, 1)),
        (date(2026, 10, 15), None, 1, date(2026, 11, 16)),  # 11-15 is a Sunday
    ],
)
def test_the_due_date_is_counted_on_the_official_calendar(demo, start, working_days, months, due):
    """The stored due date, period and unit are those of the rule; no calendar warning in 2026."""
    deadline = open_on(None, unit_named("宝山"), start=start, working_days=working_days, months=months)
    assert deadline.due_date == due == deadline.original_due_date
    assert deadline.period_unit == (PeriodUnit.MONTHS if months else PeriodUnit.WORKING_DAYS)
    assert deadline.period_value == (months or working_days)
    assert not deadline.due_provisional
    assert deadline.warning_text == ""
    assert deadline.kind == KIND


def test_a_period_reaching_into_a_year_not_entered_stores_the_calendar_warning(demo):
    """2027's schedule is not entered: the due date assumes weekends only and says so, on the row."""
    deadline = open_on(None, unit_named("宝山"), start=date(2026, 12, 20), working_days=15)
    assert deadline.due_date == date(2027, 1, 8)
    assert deadline.due_provisional
    assert "2027" in deadline.warning_text


def test_the_zone_is_taken_from_the_responsible_units_membership(demo):
    """A deadline of a zone member unit lands in that zone's overdue list."""
    deadline = open_on(None, unit_named("宝山"), start=date(2026, 11, 2))
    assert deadline.zone is not None
    assert deadline.zone.leader.pk == demo.user("zuzhang1").staff_id
