"""Properties that hold for every start date and period, with and without entered days.

For n ≥ 1, ``add_working_days(d, n)`` lands on a working day and ``working_days_between(d, result)``
is exactly n; a period in months ends on a working day with no working day between the
corresponding day and the end; warnings name exactly the missing years the computation used.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from xiezuoqu.workdays.calendar import EnteredDay, WorkCalendar, add_calendar_months

# 2002–2029: before the package, the package's years, and the missing years after it.
dates = st.dates(min_value=date(2002, 1, 1), max_value=date(2029, 12, 31))
entered_days = st.lists(
    st.builds(
        EnteredDay,
        dates,
        st.sampled_from(["holiday", "workday"]),
        st.sampled_from(["", "春节", "调休"]),
    ),
    max_size=40,
)
entered_years = st.sets(st.integers(min_value=2002, max_value=2029), max_size=4)

PACKAGE_ONLY = WorkCalendar.from_package()


def _calendars(years: set[int], days: list[EnteredDay]) -> list[WorkCalendar]:
    return [PACKAGE_ONLY, WorkCalendar.from_package(entered_years=years, entered_days=days)]


@settings(max_examples=300, deadline=None)
@given(start=dates, n=st.integers(min_value=1, max_value=400), years=entered_years, days=entered_days)
def test_add_working_days_lands_on_a_working_day_n_working_days_later(start, n, years, days):
    for calendar in _calendars(years, days):
        result = calendar.add_working_days(start, n)
        assert result.date > start
        assert calendar.status(result.date).working
        assert calendar.working_days_between(start, result.date).days == n
        assert calendar.working_days_between(result.date, start).days == -n
        # One day earlier, the period had not yet run: fewer than n working days.
        assert calendar.working_days_between(start, result.date - timedelta(days=1)).days == n - 1
        used = set(range((start + timedelta(days=1)).year, result.date.year + 1))
        assert {w.year for w in result.warnings} == {y for y in used if not calendar.is_covered(y)}


@settings(max_examples=300, deadline=None)
@given(start=dates, n=st.integers(min_value=0, max_value=60), years=entered_years, days=entered_days)
def test_add_months_ends_on_the_first_working_day_from_the_corresponding_day(start, n, years, days):
    for calendar in _calendars(years, days):
        result = calendar.add_months(start, n)
        target = add_calendar_months(start, n)
        assert result.date >= target
        assert calendar.status(result.date).working
        assert calendar.working_days_between(target - timedelta(days=1), result.date).days == 1


@settings(max_examples=200, deadline=None)
@given(a=dates, b=dates)
def test_working_days_between_is_additive_and_antisymmetric(a, b):
    middle = a + (b - a) // 2
    total = PACKAGE_ONLY.working_days_between(a, b).days
    first, second = PACKAGE_ONLY.working_days_between(a, middle), PACKAGE_ONLY.working_days_between(middle, b)
    assert total == first.days + second.days
    assert total == -PACKAGE_ONLY.working_days_between(b, a).days
