"""Reads of the working-day calendar.

``work_calendar()`` is what every deadline in the product uses::

    from xiezuoqu.workdays.selectors import work_calendar

    calendar = work_calendar()                        # one small query; reuse it for a whole page
    due = calendar.add_working_days(received_on, 15)  # DeadlineResult(date, warnings)
    if due.warnings: ...                              # show them: the year's schedule is missing

or, for a single computation, the shortcuts ``add_working_days(start, n)``, ``add_months(start, n)``,
``is_working_day(d)``, ``working_days_between(a, b)`` and ``next_working_day(d)`` below.

The entered days are cached per process and re-read only when ``CalendarRevision`` has moved, so a
change made anywhere reaches every process at its next call.

The calendar is national data, not case data: every staff and administrator account may read it
(village supervisors have no page for it). The two policies below state that once, for pages, API
and the permission matrix test.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet

from xiezuoqu.access.actor import Actor
from xiezuoqu.access.registry import Policy, register
from xiezuoqu.accounts.roles import ADMIN_ROLES, STAFF_ROLES, Role
from xiezuoqu.errors import NotPermitted

from .calendar import (
    CountResult,
    Coverage,
    DayStatus,
    DeadlineResult,
    EnteredDay,
    WorkCalendar,
    package_data,
)
from .models import CalendarDay, CalendarRevision, CalendarYear

CALENDAR_READERS = STAFF_ROLES | ADMIN_ROLES

_lock = threading.Lock()
_cached: tuple[str, WorkCalendar] | None = None


def _revision_token() -> str:
    token = CalendarRevision.objects.filter(pk=1).values_list("token", flat=True).first()
    return token or ""


def work_calendar() -> WorkCalendar:
    """The current official calendar: package data plus everything administrators entered."""
    global _cached
    token = _revision_token()
    cached = _cached
    if cached is not None and cached[0] == token:
        return cached[1]
    with _lock:
        calendar = WorkCalendar.from_package(
            entered_years=CalendarYear.objects.values_list("year", flat=True),
            entered_days=[
                EnteredDay(d, kind, name) for d, kind, name in CalendarDay.objects.values_list("date", "kind", "name")
            ],
        )
        _cached = (token, calendar)
    return calendar


# Shortcuts for a single computation; for many, call ``work_calendar()`` once and use its methods.


def is_working_day(d: date, *, strict: bool = False) -> DayStatus:
    return work_calendar().is_working_day(d, strict=strict)


def add_working_days(start: date, n: int, *, strict: bool = False) -> DeadlineResult:
    return work_calendar().add_working_days(start, n, strict=strict)


def add_months(start: date, n: int, *, strict: bool = False) -> DeadlineResult:
    return work_calendar().add_months(start, n, strict=strict)


def working_days_between(a: date, b: date, *, strict: bool = False) -> CountResult:
    return work_calendar().working_days_between(a, b, strict=strict)


def next_working_day(d: date, *, strict: bool = False) -> DeadlineResult:
    return work_calendar().next_working_day(d, strict=strict)


def forget_cached_calendar() -> None:
    """Drop this process's cached calendar (tests that rewrite tables outside the services use it)."""
    global _cached
    _cached = None


# --- who may read ---------------------------------------------------------------------------------


def can_read_calendar(actor: Actor) -> bool:
    return bool(actor.roles & CALENDAR_READERS)


def can_edit_calendar(actor: Actor) -> bool:
    return actor.has(Role.SYSTEM_ADMIN)


def require_calendar_reader(actor: Actor) -> None:
    if not can_read_calendar(actor):
        raise NotPermitted("工作日历仅供干部和管理员查看。")


def calendar_years_visible_to(actor: Actor) -> QuerySet[CalendarYear]:
    if not can_read_calendar(actor):
        return CalendarYear.objects.none()
    return CalendarYear.objects.all()


def can_view_calendar_year(actor: Actor, year: CalendarYear) -> bool:
    return can_read_calendar(actor)


def calendar_days_visible_to(actor: Actor) -> QuerySet[CalendarDay]:
    if not can_read_calendar(actor):
        return CalendarDay.objects.none()
    return CalendarDay.objects.all()


def can_view_calendar_day(actor: Actor, day: CalendarDay) -> bool:
    return can_read_calendar(actor)


CALENDAR_YEARS = register(Policy(CalendarYear, "节假日安排（年度）", calendar_years_visible_to, can_view_calendar_year))
CALENDAR_DAYS = register(Policy(CalendarDay, "节假日安排（单日）", calendar_days_visible_to, can_view_calendar_day))


# --- page-level reads -----------------------------------------------------------------------------


@dataclass(frozen=True)
class YearCoverage:
    year: int
    coverage: Coverage
    source: str
    published_on: date | None = None
    entered_by: str = ""
    entered_at: datetime | None = None
    note: str = ""


def year_coverage(actor: Actor, calendar: WorkCalendar, *, around: int) -> list[YearCoverage]:
    """Coverage of the years near ``around`` (two back, two ahead) and of every entered year, newest first."""
    entered = {row.year: row for row in calendar_years_visible_to(actor).select_related("entered_by").order_by("year")}
    package = package_data()
    years = set(range(around - 2, around + 3)) | set(entered)
    rows = []
    for year in sorted(years, reverse=True):
        coverage = calendar.coverage(year)
        row = entered.get(year)
        if row is not None:
            rows.append(
                YearCoverage(
                    year=year,
                    coverage=coverage,
                    source=row.source,
                    published_on=row.published_on,
                    entered_by=str(row.entered_by) if row.entered_by else "系统导入",
                    entered_at=row.entered_at,
                    note=row.note,
                )
            )
        elif coverage is Coverage.PACKAGE:
            rows.append(YearCoverage(year=year, coverage=coverage, source=f"chinesecalendar {package.version}"))
        else:
            rows.append(YearCoverage(year=year, coverage=coverage, source=""))
    return rows


def entered_days_for(actor: Actor, year: int) -> list[CalendarDay]:
    """The days administrators entered for a year, in date order."""
    return list(
        calendar_days_visible_to(actor)
        .filter(date__gte=date(year, 1, 1), date__lte=date(year, 12, 31))
        .select_related("entered_by")
        .order_by("date")
    )
