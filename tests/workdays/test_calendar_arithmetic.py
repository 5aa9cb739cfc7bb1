"""Deadline arithmetic on the official calendar (民法典 第200–204条), without the database.

The start day is not counted; working days skip holidays and count make-up days; a period in months
ends on the same-numbered day (or the month's last day) and moves to the next working day when that
is a rest day. A year with no data falls back to weekends and says so in every result that used it.
"""

from __future__ import annotations

from datetime import date

import chinese_calendar
import pytest

from xiezuoqu.errors import ValidationFailed
from xiezuoqu.workdays.calendar import (
    CalendarDataMissing,
    CalendarWarning,
    Coverage,
    DayKind,
    DaySource,
    EnteredDay,
    WorkCalendar,
    add_calendar_months,
    package_data,
)

D = date
PACKAGE_ONLY = WorkCalendar.from_package()
# A made-up 2027 for the tests (the real one is not published yet): New Year 1–3 Jan, 2 Jan a Saturday.
WITH_2027 = WorkCalendar.from_package(
    entered_years=[2027],
    entered_days=[
        EnteredDay(D(2027, 1, 1), "holiday", "元旦"),
        EnteredDay(D(2027, 1, 2), "holiday", "元旦"),
        EnteredDay(D(2027, 1, 3), "holiday", "元旦"),
        EnteredDay(D(2027, 1, 9), "workday", "元旦调休"),
    ],
)


def test_the_package_range_is_read_from_the_package_not_assumed():
    data = package_data()
    assert data.first_year == min(chinese_calendar.holidays).year == 2004
    assert data.last_year == max(chinese_calendar.holidays).year
    assert data.version == chinese_calendar.__version__


def test_design_example_received_monday_28_september_2026_five_working_days_end_on_make_up_saturday():
    result = PACKAGE_ONLY.add_working_days(D(2026, 9, 28), 5)
    assert result.date == D(2026, 10, 10)
    assert result.warnings == ()
    assert result.certain


WORKING_DAY_CASES = [
    # (start, n, expected, why)
    (D(2026, 9, 28), 1, D(2026, 9, 29), "next day"),
    (D(2026, 9, 28), 2, D(2026, 9, 30), "before 国庆"),
    (D(2026, 9, 28), 3, D(2026, 10, 8), "国庆 1–7 Oct skipped"),
    (D(2026, 9, 28), 5, D(2026, 10, 10), "make-up Saturday counts"),
    (D(2026, 9, 28), 6, D(2026, 10, 12), "Sunday 11 Oct is a rest day"),
    (D(2026, 9, 30), 1, D(2026, 10, 8), "the whole holiday is skipped"),
    (D(2026, 10, 3), 1, D(2026, 10, 8), "start inside the holiday"),
    (D(2026, 11, 20), 1, D(2026, 11, 23), "ordinary weekend skipped"),
    (D(2026, 9, 19), 1, D(2026, 9, 20), "Sunday 20 Sep is a make-up day (国庆调休)"),
    (D(2026, 9, 24), 1, D(2026, 9, 28), "中秋 25–27 Sep skipped"),
    (D(2026, 2, 12), 1, D(2026, 2, 13), "before 春节"),
    (D(2026, 2, 13), 1, D(2026, 2, 14), "Saturday 14 Feb is a make-up day (春节调休)"),
    (D(2026, 2, 13), 2, D(2026, 2, 24), "春节 15–23 Feb skipped"),
    (D(2026, 2, 12), 3, D(2026, 2, 24), "make-up day and festival in one period"),
    (D(2026, 2, 27), 1, D(2026, 2, 28), "Saturday 28 Feb is a make-up day"),
    (D(2026, 2, 27), 2, D(2026, 3, 2), "then Sunday and on to Monday"),
    (D(2026, 4, 30), 1, D(2026, 5, 6), "劳动节 1–5 May skipped"),
    (D(2026, 5, 8), 1, D(2026, 5, 9), "Saturday 9 May is a make-up day"),
    (D(2025, 12, 31), 1, D(2026, 1, 4), "元旦 1–3 Jan 2026 skipped, Sunday 4 Jan is a make-up day"),
    (D(2025, 12, 31), 2, D(2026, 1, 5), "and Monday after it"),
    (D(2025, 12, 31), 0, D(2025, 12, 31), "n = 0 on a working day: the day itself"),
    (D(2026, 10, 1), 0, D(2026, 10, 8), "n = 0 on a holiday: the next working day"),
    (D(2026, 11, 26), 15, D(2026, 12, 17), "a 15 WD reply period in an ordinary month"),
    (D(2026, 11, 27), 1, D(2026, 11, 30), "Friday + 1 WD is Monday"),
]


@pytest.mark.parametrize(("start", "n", "expected", "why"), WORKING_DAY_CASES)
def test_add_working_days_on_the_2026_calendar(start, n, expected, why):
    result = PACKAGE_ONLY.add_working_days(start, n)
    assert result.date == expected, why
    assert result.warnings == ()


MONTH_CASES = [
    # (start, months, expected, why)
    (D(2026, 1, 31), 1, D(2026, 2, 28), "no 31 Feb: the month's last day, itself a make-up Saturday"),
    (D(2026, 3, 31), 2, D(2026, 6, 1), "31 May is a Sunday: rolled to Monday 1 June"),
    (D(2026, 4, 30), 1, D(2026, 6, 1), "30 May is a Saturday: rolled forward over the weekend"),
    (D(2026, 9, 1), 1, D(2026, 10, 8), "1 Oct is 国庆: rolled to the first working day after it"),
    (D(2026, 8, 31), 1, D(2026, 9, 30), "31 Sep does not exist: 30 Sep, a working day"),
    (D(2026, 1, 15), 1, D(2026, 2, 24), "15 Feb is 春节: rolled to 24 Feb"),
    (D(2024, 1, 31), 1, D(2024, 2, 29), "leap year: 29 Feb"),
    (D(2026, 5, 15), 0, D(2026, 5, 15), "n = 0 on a working day: the day itself"),
    (D(2026, 10, 3), 0, D(2026, 10, 8), "n = 0 on a holiday: the next working day"),
    (D(2025, 11, 3), 2, D(2026, 1, 4), "3 Jan 2026 is 元旦; Sunday 4 Jan is a make-up working day"),
]


@pytest.mark.parametrize(("start", "months", "expected", "why"), MONTH_CASES)
def test_add_months_ends_on_the_corresponding_day_or_the_next_working_day(start, months, expected, why):
    result = PACKAGE_ONLY.add_months(start, months)
    assert result.date == expected, why


def test_the_corresponding_day_rule_alone():
    assert add_calendar_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_calendar_months(D(2026, 12, 31), 2) == D(2027, 2, 28)
    assert add_calendar_months(D(2027, 12, 15), 1) == D(2028, 1, 15)
    assert add_calendar_months(D(2026, 5, 31), 12) == D(2027, 5, 31)


@pytest.mark.parametrize("method", ["add_working_days", "add_months"])
def test_a_negative_period_is_refused(method):
    with pytest.raises(ValidationFailed, match="不能为负数"):
        getattr(PACKAGE_ONLY, method)(D(2026, 9, 28), -1)


def test_an_absurdly_long_period_is_refused():
    with pytest.raises(ValidationFailed, match="过大"):
        PACKAGE_ONLY.add_working_days(D(2026, 1, 1), 100_000)
    with pytest.raises(ValidationFailed, match="过大"):
        PACKAGE_ONLY.add_months(D(2026, 1, 1), 10_000)


def test_a_date_outside_the_computable_range_is_refused():
    with pytest.raises(ValidationFailed, match="范围"):
        PACKAGE_ONLY.add_working_days(D(1, 1, 1), 1)


# --- years without data -----------------------------------------------------------------------------

YEAR_BOUNDARY_CASES = [
    # (calendar, start, n, expected, warned years)
    (PACKAGE_ONLY, D(2026, 12, 30), 1, D(2026, 12, 31), ()),
    (PACKAGE_ONLY, D(2026, 12, 31), 1, D(2027, 1, 1), (2027,)),  # a guess: 1 Jan is surely a holiday
    (PACKAGE_ONLY, D(2026, 12, 30), 3, D(2027, 1, 4), (2027,)),
    (WITH_2027, D(2026, 12, 30), 3, D(2027, 1, 5), ()),
    (WITH_2027, D(2026, 12, 31), 1, D(2027, 1, 4), ()),
    (WITH_2027, D(2027, 1, 8), 1, D(2027, 1, 9), ()),  # entered make-up Saturday
    (WITH_2027, D(2027, 12, 30), 2, D(2028, 1, 3), (2028,)),
    (PACKAGE_ONLY, D(2003, 12, 30), 1, D(2003, 12, 31), (2003,)),  # before the package's range too
    (PACKAGE_ONLY, D(2003, 12, 31), 1, D(2004, 1, 2), ()),  # 2003 not used: its last day is the start
]


@pytest.mark.parametrize(("calendar", "start", "n", "expected", "warned"), YEAR_BOUNDARY_CASES)
def test_a_warning_appears_exactly_when_a_year_without_data_was_used(calendar, start, n, expected, warned):
    result = calendar.add_working_days(start, n)
    assert result.date == expected
    assert tuple(w.year for w in result.warnings) == warned
    assert result.certain is (not warned)


def test_the_warning_says_in_chinese_what_was_assumed_and_who_must_act():
    result = WITH_2027.add_working_days(D(2027, 12, 30), 2)
    assert result.warnings == (CalendarWarning(2028),)
    assert result.warnings[0].message == (
        "2028 年的节假日安排尚未录入，按周末推算，结果可能不准确；请系统管理员录入该年安排。"
    )


def test_strict_mode_refuses_instead_of_guessing():
    with pytest.raises(CalendarDataMissing) as refused:
        PACKAGE_ONLY.add_working_days(D(2026, 12, 30), 3, strict=True)
    assert refused.value.years == (2027,)
    assert "2027 年的节假日安排尚未录入" in refused.value.message
    assert refused.value.status == 422
    # Strict mode does not get in the way when every year is known.
    assert PACKAGE_ONLY.add_working_days(D(2026, 9, 28), 5, strict=True).date == D(2026, 10, 10)
    assert WITH_2027.add_working_days(D(2026, 12, 30), 3, strict=True).date == D(2027, 1, 5)


def test_add_months_into_a_missing_year_warns():
    result = PACKAGE_ONLY.add_months(D(2026, 11, 15), 2)
    assert result.date == D(2027, 1, 15)
    assert [w.year for w in result.warnings] == [2027]
    assert WITH_2027.add_months(D(2026, 11, 15), 2).warnings == ()


# --- overrides ----------------------------------------------------------------------------------------


def test_an_entered_day_overrides_the_package():
    amended = WorkCalendar.from_package(entered_days=[EnteredDay(D(2026, 10, 9), "holiday", "国庆节（调整）")])
    assert amended.add_working_days(D(2026, 9, 28), 5).date == D(2026, 10, 12)
    status = amended.status(D(2026, 10, 9))
    assert status.kind is DayKind.HOLIDAY and status.source is DaySource.ADMIN and status.name == "国庆节（调整）"
    assert amended.coverage(2026) is Coverage.PACKAGE


def test_an_entered_workday_can_cancel_a_package_holiday():
    amended = WorkCalendar.from_package(entered_days=[EnteredDay(D(2026, 10, 7), "workday", "国庆节调整")])
    assert amended.status(D(2026, 10, 7)).working
    assert amended.add_working_days(D(2026, 9, 30), 1).date == D(2026, 10, 7)


def test_an_entered_year_replaces_the_package_for_that_year():
    entered = WorkCalendar.from_package(
        entered_years=[2026], entered_days=[EnteredDay(D(2026, 10, 1), "holiday", "国庆节")]
    )
    assert entered.coverage(2026) is Coverage.ADMIN
    # Only 1 Oct is a holiday now; 2 Oct (Friday) is an ordinary working day, 10 Oct an ordinary Saturday.
    assert entered.add_working_days(D(2026, 9, 30), 1).date == D(2026, 10, 2)
    assert not entered.status(D(2026, 10, 10)).working


def test_a_single_entered_day_does_not_make_a_missing_year_covered():
    early = WorkCalendar.from_package(entered_days=[EnteredDay(D(2027, 1, 1), "holiday", "元旦")])
    assert early.coverage(2027) is Coverage.MISSING
    result = early.add_working_days(D(2026, 12, 31), 1)
    assert result.date == D(2027, 1, 4)
    assert [w.year for w in result.warnings] == [2027]
    # The entered day itself is known; the rest of the year is a guess.
    assert early.status(D(2027, 1, 1)).warnings == ()
    assert early.status(D(2027, 1, 5)).guessed


# --- the other functions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working", "kind", "name"),
    [
        (D(2026, 10, 1), False, DayKind.HOLIDAY, "国庆节"),
        (D(2026, 10, 10), True, DayKind.MAKEUP_WORKDAY, "国庆节调休"),
        (D(2026, 10, 11), False, DayKind.WEEKEND, ""),
        (D(2026, 10, 12), True, DayKind.WORKDAY, ""),
        (D(2026, 2, 17), False, DayKind.HOLIDAY, "春节"),
        (D(2026, 2, 14), True, DayKind.MAKEUP_WORKDAY, "春节调休"),
        (D(2026, 1, 4), True, DayKind.MAKEUP_WORKDAY, "元旦调休"),
    ],
)
def test_is_working_day_says_what_kind_of_day_it_is(day, working, kind, name):
    status = PACKAGE_ONLY.is_working_day(day)
    assert (status.working, status.kind, status.name) == (working, kind, name)
    assert status.warnings == () and not status.guessed


def test_is_working_day_in_a_missing_year_is_a_warned_guess():
    status = PACKAGE_ONLY.is_working_day(D(2027, 1, 1))
    assert status.working and status.guessed
    assert status.warnings == (CalendarWarning(2027),)
    with pytest.raises(CalendarDataMissing):
        PACKAGE_ONLY.is_working_day(D(2027, 1, 1), strict=True)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 9, 30), D(2026, 10, 8)),
        (D(2026, 10, 9), D(2026, 10, 10)),
        (D(2026, 10, 8), D(2026, 10, 9)),
        (D(2026, 2, 14), D(2026, 2, 24)),
        (D(2026, 11, 27), D(2026, 11, 30)),
    ],
)
def test_next_working_day_is_strictly_after(day, expected):
    assert PACKAGE_ONLY.next_working_day(day).date == expected


def test_roll_forward_keeps_a_working_day_and_moves_a_rest_day():
    assert PACKAGE_ONLY.roll_forward(D(2026, 10, 8)).date == D(2026, 10, 8)
    assert PACKAGE_ONLY.roll_forward(D(2026, 10, 4)).date == D(2026, 10, 8)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (D(2026, 9, 28), D(2026, 10, 10), 5),
        (D(2026, 10, 10), D(2026, 9, 28), -5),
        (D(2026, 9, 28), D(2026, 9, 28), 0),
        (D(2026, 2, 13), D(2026, 2, 24), 2),
        (D(2026, 10, 1), D(2026, 10, 7), 0),
        (D(2026, 11, 26), D(2026, 12, 17), 15),
    ],
)
def test_working_days_between_counts_after_the_first_through_the_last(a, b, expected):
    assert PACKAGE_ONLY.working_days_between(a, b).days == expected


def test_working_days_between_warns_for_missing_years_it_spans():
    assert [w.year for w in PACKAGE_ONLY.working_days_between(D(2026, 12, 1), D(2028, 1, 10)).warnings] == [
        2027,
        2028,
    ]
    assert PACKAGE_ONLY.working_days_between(D(2026, 1, 1), D(2026, 12, 31)).warnings == ()


def test_every_day_of_the_package_range_agrees_with_the_package():
    data = package_data()
    years = range(data.first_year, data.last_year + 1)
    statuses = [s for year in years for s in PACKAGE_ONLY.year_days(year)]
    assert len(statuses) > 365 * 20
    assert [s.date for s in statuses if s.working != chinese_calendar.is_workday(s.date)] == []


def test_working_days_between_agrees_with_counting_day_by_day():
    for year in (2024, 2025, 2026):
        counted = sum(1 for s in PACKAGE_ONLY.year_days(year) if s.working)
        assert PACKAGE_ONLY.working_days_between(D(year - 1, 12, 31), D(year, 12, 31)).days == counted
    # 2026: 261 Monday–Friday dates, 19 of them holidays, 6 make-up weekend days.
    assert PACKAGE_ONLY.working_days_between(D(2025, 12, 31), D(2026, 12, 31)).days == 261 - 19 + 6


def test_the_month_grid_starts_on_monday_and_pads_other_months():
    weeks = PACKAGE_ONLY.month(2026, 10)
    assert weeks[0][:3] == [None, None, None]  # 1 Oct 2026 is a Thursday
    assert weeks[0][3] is not None and weeks[0][3].date == D(2026, 10, 1)
    assert all(len(week) == 7 for week in weeks)
    days = [d for week in weeks for d in week if d is not None]
    assert len(days) == 31


def test_the_schedule_of_a_year_lists_its_holidays_and_make_up_days():
    schedule = PACKAGE_ONLY.schedule(2026)
    assert EnteredDay(D(2026, 10, 10), "workday", "国庆节调休") in schedule
    assert EnteredDay(D(2026, 2, 17), "holiday", "春节") in schedule
    assert WITH_2027.schedule(2027)[0] == EnteredDay(D(2027, 1, 1), "holiday", "元旦")
    assert PACKAGE_ONLY.schedule(2027) == []
