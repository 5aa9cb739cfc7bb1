"""Working-day arithmetic on the Chinese official calendar — pure Python, no database.

The rules (民法典 第200–204条, the general rule for counting periods, which the discipline-inspection
rules follow):

- the day a period starts (receipt, decision, service) is not counted;
- a period in working days counts working days only (statutory holidays and their weekend rest days
  are skipped, make-up working days 调休上班日 count);
- a period in months ends on the same-numbered day of the last month, or on that month's last day if
  it has no such day;
- when a period's last day is a rest day or a holiday, the period ends on the next working day.

Example (DESIGN §3): received Monday 2026-09-28, 5 WD → 2026-10-10, a make-up Saturday.

The calendar of a year comes from, in order: an administrator's full entry of the year
(``CalendarYear``), else the ``chinesecalendar`` package, else nothing — then weekends only are used
and every result that touched such a year carries a ``CalendarWarning``. Single entered days
(``CalendarDay``) override both. ``WorkCalendar`` is built by ``selectors.work_calendar()``; build
one directly in tests or scripts with ``WorkCalendar.from_package(entered_years=..., entered_days=...)``.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import cache
from typing import NamedTuple

from xiezuoqu.errors import RuleViolation, ValidationFailed

# Dates the arithmetic accepts: far beyond any deadline, and safely inside ``datetime.date``.
MIN_YEAR, MAX_YEAR = 1900, 2999
# The longest periods the product computes (a 5-year 开除党籍 is 60 months; 2,500 WD ≈ 10 years).
MAX_WORKING_DAYS = 2500
MAX_MONTHS = 240

ONE_DAY = timedelta(days=1)


class EntryKind(StrEnum):
    """What an entered day (package or administrator) says: a rest day or a make-up working day."""

    HOLIDAY = "holiday"
    WORKDAY = "workday"


class DayKind(StrEnum):
    """How one date is treated."""

    WORKDAY = "workday"  # 工作日
    WEEKEND = "weekend"  # 周末（休息日）
    HOLIDAY = "holiday"  # 法定节假日及其调休的休息日
    MAKEUP_WORKDAY = "makeup_workday"  # 调休上班日（周末上班）

    @property
    def label(self) -> str:
        return DAY_KIND_LABELS[self]

    @property
    def working(self) -> bool:
        return self in (DayKind.WORKDAY, DayKind.MAKEUP_WORKDAY)


DAY_KIND_LABELS = {
    DayKind.WORKDAY: "工作日",
    DayKind.WEEKEND: "周末",
    DayKind.HOLIDAY: "节假日",
    DayKind.MAKEUP_WORKDAY: "调休上班",
}


class Coverage(StrEnum):
    """Where a year's schedule comes from."""

    ADMIN = "admin"  # entered in full by a system administrator
    PACKAGE = "package"  # the chinesecalendar package
    MISSING = "missing"  # nobody: weekends only, with a warning

    @property
    def label(self) -> str:
        return {"admin": "管理员录入", "package": "内置数据", "missing": "尚未录入"}[self.value]


class DaySource(StrEnum):
    """Which data decided one date."""

    ADMIN = "admin"
    PACKAGE = "package"
    RULE = "rule"  # the ordinary Monday–Friday rule


@dataclass(frozen=True)
class CalendarWarning:
    """A computation used a year nobody has entered: weekends only were assumed for it."""

    year: int
    code: str = "calendar_data_missing"

    @property
    def message(self) -> str:
        return f"{self.year} 年的节假日安排尚未录入，按周末推算，结果可能不准确；请系统管理员录入该年安排。"

    def __str__(self) -> str:
        return self.message


class CalendarDataMissing(RuleViolation):
    """Raised in strict mode: the computation needs a year whose schedule is not entered."""

    code = "calendar_data_missing"
    title = "节假日安排尚未录入"

    def __init__(self, years: Iterable[int]) -> None:
        self.years = tuple(sorted(set(years)))
        listed = "、".join(str(y) for y in self.years)
        super().__init__(f"{listed} 年的节假日安排尚未录入，无法准确计算工作日期限；请系统管理员先录入该年安排。")


@dataclass(frozen=True)
class DeadlineResult:
    """A computed date and the warnings the computation produced (empty when every year was known)."""

    date: date
    warnings: tuple[CalendarWarning, ...] = ()

    @property
    def certain(self) -> bool:
        return not self.warnings


@dataclass(frozen=True)
class CountResult:
    """A number of working days and the warnings the count produced."""

    days: int
    warnings: tuple[CalendarWarning, ...] = ()

    @property
    def certain(self) -> bool:
        return not self.warnings


@dataclass(frozen=True)
class DayStatus:
    """How one date is treated, why, and whether the year's schedule is known."""

    date: date
    kind: DayKind
    name: str
    source: DaySource
    coverage: Coverage
    warnings: tuple[CalendarWarning, ...] = ()

    @property
    def working(self) -> bool:
        return self.kind.working

    @property
    def guessed(self) -> bool:
        """True when the year is missing, so the status rests on the weekend rule alone."""
        return self.coverage is Coverage.MISSING and self.source is not DaySource.ADMIN


class EnteredDay(NamedTuple):
    """One day of a schedule: ``(date, kind, name)`` with kind ``holiday`` or ``workday``."""

    date: date
    kind: str
    name: str = ""


class _Exception(NamedTuple):
    """A date whose treatment is not simply "Monday to Friday work"."""

    working: bool
    kind: DayKind
    name: str
    source: DaySource


# --- the package ----------------------------------------------------------------------------------


class PackageData(NamedTuple):
    first_year: int
    last_year: int
    version: str
    # year → {date: (EntryKind, Chinese name)}
    by_year: Mapping[int, Mapping[date, tuple[EntryKind, str]]]


@cache
def package_data() -> PackageData:
    """The ``chinesecalendar`` data, indexed by year, with Chinese names. Its range is read, not assumed."""
    import chinese_calendar
    from chinese_calendar.constants import Holiday

    def chinese(value: str) -> str:
        try:
            return str(Holiday(value).chinese)
        except ValueError:
            return value

    by_year: dict[int, dict[date, tuple[EntryKind, str]]] = {}
    for day, value in chinese_calendar.holidays.items():
        by_year.setdefault(day.year, {})[day] = (EntryKind.HOLIDAY, chinese(value))
    for day, value in chinese_calendar.workdays.items():
        by_year.setdefault(day.year, {})[day] = (EntryKind.WORKDAY, f"{chinese(value)}调休")
    years = sorted(by_year)
    return PackageData(
        first_year=years[0],
        last_year=years[-1],
        version=str(getattr(chinese_calendar, "__version__", "")),
        by_year=by_year,
    )


# --- helpers --------------------------------------------------------------------------------------


def _weekdays_through(d: date) -> int:
    """Monday–Friday dates from 0001-01-01 (a Monday) through ``d`` inclusive."""
    weeks, rest = divmod(d.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


def _check_date(d: date, what: str = "日期") -> None:
    if not MIN_YEAR <= d.year <= MAX_YEAR:
        raise ValidationFailed(f"{what}超出可计算范围（{MIN_YEAR}—{MAX_YEAR} 年）。")


def _check_count(n: int, limit: int, what: str) -> None:
    if isinstance(n, bool) or not isinstance(n, int):
        raise ValidationFailed(f"{what}必须是整数。")
    if n < 0:
        raise ValidationFailed(f"{what}不能为负数：期限只能向后计算。")
    if n > limit:
        raise ValidationFailed(f"{what}过大（最多 {limit}）。")


def add_calendar_months(start: date, n: int) -> date:
    """The same-numbered day ``n`` months later, or that month's last day if it has none (民法典 第201条)."""
    month_index = start.month - 1 + n
    year, month = start.year + month_index // 12, month_index % 12 + 1
    last = _stdlib_calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last))


# --- the calendar ---------------------------------------------------------------------------------


class WorkCalendar:
    """The official calendar at one moment: package data, entered years and entered days.

    Immutable once built; every method is safe to call from many threads.
    """

    def __init__(
        self,
        *,
        package: PackageData,
        entered_years: Iterable[int] = (),
        entered_days: Iterable[EnteredDay | tuple[date, str, str]] = (),
    ) -> None:
        self.package = package
        self.entered_years = frozenset(entered_years)
        days: dict[date, EnteredDay] = {}
        for item in entered_days:
            entry = EnteredDay(*item)
            days[entry.date] = entry
        self._entered = days
        self._entered_by_year: dict[int, list[EnteredDay]] = {}
        for entry in days.values():
            self._entered_by_year.setdefault(entry.date.year, []).append(entry)
        self._exceptions_cache: dict[int, dict[date, _Exception]] = {}

    @classmethod
    def from_package(
        cls,
        *,
        entered_years: Iterable[int] = (),
        entered_days: Iterable[EnteredDay | tuple[date, str, str]] = (),
    ) -> WorkCalendar:
        return cls(package=package_data(), entered_years=entered_years, entered_days=entered_days)

    # --- coverage ---------------------------------------------------------------------------------
    def coverage(self, year: int) -> Coverage:
        if year in self.entered_years:
            return Coverage.ADMIN
        if self.package.first_year <= year <= self.package.last_year:
            return Coverage.PACKAGE
        return Coverage.MISSING

    def is_covered(self, year: int) -> bool:
        return self.coverage(year) is not Coverage.MISSING

    def _warnings(self, years: Iterable[int], strict: bool) -> tuple[CalendarWarning, ...]:
        missing = sorted({y for y in years if not self.is_covered(y)})
        if missing and strict:
            raise CalendarDataMissing(missing)
        return tuple(CalendarWarning(y) for y in missing)

    # --- one date -----------------------------------------------------------------------------------
    def _exceptions(self, year: int) -> dict[date, _Exception]:
        """Dates of ``year`` not decided by the Monday–Friday rule alone (computed once per year)."""
        found = self._exceptions_cache.get(year)
        if found is not None:
            return found
        result: dict[date, _Exception] = {}
        if self.coverage(year) is Coverage.PACKAGE:
            for day, (kind, name) in self.package.by_year.get(year, {}).items():
                result[day] = self._exception(day, kind, name, DaySource.PACKAGE)
        for entry in self._entered_by_year.get(year, ()):
            result[entry.date] = self._exception(entry.date, EntryKind(entry.kind), entry.name, DaySource.ADMIN)
        self._exceptions_cache[year] = result
        return result

    @staticmethod
    def _exception(day: date, kind: EntryKind, name: str, source: DaySource) -> _Exception:
        if kind is EntryKind.HOLIDAY:
            return _Exception(False, DayKind.HOLIDAY, name, source)
        weekend = day.weekday() >= 5
        return _Exception(True, DayKind.MAKEUP_WORKDAY if weekend else DayKind.WORKDAY, name, source)

    def _working(self, d: date) -> bool:
        found = self._exceptions(d.year).get(d)
        if found is not None:
            return found.working
        return d.weekday() < 5

    def status(self, d: date) -> DayStatus:
        """How ``d`` is treated: kind, holiday name, which data decided it, and a warning if guessed."""
        _check_date(d)
        coverage = self.coverage(d.year)
        found = self._exceptions(d.year).get(d)
        if found is not None:
            kind, name, source = found.kind, found.name, found.source
        else:
            kind = DayKind.WORKDAY if d.weekday() < 5 else DayKind.WEEKEND
            name, source = "", DaySource.RULE
        warnings = self._warnings([d.year], strict=False) if source is not DaySource.ADMIN else ()
        return DayStatus(date=d, kind=kind, name=name, source=source, coverage=coverage, warnings=warnings)

    def is_working_day(self, d: date, *, strict: bool = False) -> DayStatus:
        """The status of ``d`` (``.working`` answers the question), with a warning if its year is missing."""
        status = self.status(d)
        if strict and status.warnings:
            raise CalendarDataMissing([d.year])
        return status

    # --- arithmetic ---------------------------------------------------------------------------------
    def _roll_forward(self, d: date, touched: set[int]) -> date:
        while True:
            touched.add(d.year)
            if self._working(d):
                return d
            d += ONE_DAY

    def next_working_day(self, d: date, *, strict: bool = False) -> DeadlineResult:
        """The first working day strictly after ``d``."""
        _check_date(d)
        touched: set[int] = set()
        result = self._roll_forward(d + ONE_DAY, touched)
        return DeadlineResult(result, self._warnings(touched, strict))

    def roll_forward(self, d: date, *, strict: bool = False) -> DeadlineResult:
        """``d`` itself if it is a working day, else the next working day (民法典 第203条)."""
        _check_date(d)
        touched: set[int] = set()
        result = self._roll_forward(d, touched)
        return DeadlineResult(result, self._warnings(touched, strict))

    def add_working_days(self, start: date, n: int, *, strict: bool = False) -> DeadlineResult:
        """The day on which ``n`` working days after ``start`` end; ``start`` itself is not counted.

        ``n = 0`` is a period that ends on its start day: ``start`` if it is a working day, else the
        next working day. A negative ``n`` is refused.
        """
        _check_date(start, "起算日")
        _check_count(n, MAX_WORKING_DAYS, "工作日数")
        touched: set[int] = set()
        if n == 0:
            return DeadlineResult(self._roll_forward(start, touched), self._warnings(touched, strict))
        d, counted = start, 0
        while counted < n:
            d += ONE_DAY
            touched.add(d.year)
            if self._working(d):
                counted += 1
        return DeadlineResult(d, self._warnings(touched, strict))

    def add_months(self, start: date, n: int, *, strict: bool = False) -> DeadlineResult:
        """The end of a period of ``n`` months from ``start`` (民法典 第201、203条).

        The same-numbered day ``n`` months later (that month's last day if it has none); if that day
        is a rest day or a holiday, the next working day. ``n = 0`` rolls ``start`` forward the same
        way. A negative ``n`` is refused.
        """
        _check_date(start, "起算日")
        _check_count(n, MAX_MONTHS, "月数")
        target = add_calendar_months(start, n)
        _check_date(target, "到期日")
        touched: set[int] = set()
        result = self._roll_forward(target, touched)
        return DeadlineResult(result, self._warnings(touched, strict))

    def working_days_between(self, a: date, b: date, *, strict: bool = False) -> CountResult:
        """Working days after ``a`` up to and including ``b``; negative when ``b`` is before ``a``.

        So ``working_days_between(d, add_working_days(d, n).date) == n`` for every n ≥ 1, and a
        deadline ``b`` is overdue by ``-working_days_between(today, b)`` working days when negative.
        """
        _check_date(a)
        _check_date(b)
        if b < a:
            counted = self.working_days_between(b, a, strict=strict)
            return CountResult(-counted.days, counted.warnings)
        if a == b:
            return CountResult(0, ())
        count = _weekdays_through(b) - _weekdays_through(a)
        years = range((a + ONE_DAY).year, b.year + 1)
        for year in years:
            for day, found in self._exceptions(year).items():
                if a < day <= b:
                    count += int(found.working) - int(day.weekday() < 5)
        return CountResult(count, self._warnings(years, strict))

    # --- display ------------------------------------------------------------------------------------
    def month(self, year: int, month: int) -> list[list[DayStatus | None]]:
        """The weeks (Monday first) of a month; ``None`` pads the days of neighbouring months."""
        weeks: list[list[DayStatus | None]] = []
        for week in _stdlib_calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            weeks.append([self.status(d) if d.month == month else None for d in week])
        return weeks

    def year_days(self, year: int) -> list[DayStatus]:
        """Every date of a year with its status."""
        d, end = date(year, 1, 1), date(year, 12, 31)
        days = []
        while d <= end:
            days.append(self.status(d))
            d += ONE_DAY
        return days

    def schedule(self, year: int) -> list[EnteredDay]:
        """The year's holidays and make-up days as they apply now (package or entered), in date order."""
        return [
            EnteredDay(day, EntryKind.WORKDAY.value if found.working else EntryKind.HOLIDAY.value, found.name)
            for day, found in sorted(self._exceptions(year).items())
        ]
