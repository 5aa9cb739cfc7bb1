"""The working-day calendar over HTTP: /api/v1/calendar/… — the same rules and warnings as the page.

Every result that touched a year whose holiday schedule is not entered carries ``warnings`` (and
``certain: false``); with ``strict=true`` such a computation is refused with 422 instead.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.errors import ValidationFailed

from . import services
from .calendar import MAX_YEAR, MIN_YEAR, CalendarWarning, Coverage, DeadlineResult
from .models import CalendarDay, CalendarYear
from .schedule import parse_schedule
from .selectors import CALENDAR_YEARS, require_calendar_reader, work_calendar, year_coverage

router = Router(tags=["workdays"])


class WarningOut(Schema):
    year: int
    code: str
    message: str


class DayOut(Schema):
    date: date
    working: bool
    kind: str
    kind_label: str
    name: str
    source: Literal["admin", "package", "rule"]
    guessed: bool


class YearDaysOut(Schema):
    year: int
    coverage: Literal["admin", "package", "missing"]
    coverage_label: str
    warning: bool
    warnings: list[WarningOut]
    days: list[DayOut]


class DeadlineOut(Schema):
    start: date
    date: date
    certain: bool
    warnings: list[WarningOut]


class WorkingDaysOut(DeadlineOut):
    days: int


class MonthsOut(DeadlineOut):
    months: int


class BetweenOut(Schema):
    start: date
    end: date
    working_days: int
    certain: bool
    warnings: list[WarningOut]


class YearCoverageOut(Schema):
    year: int
    coverage: Literal["admin", "package", "missing"]
    coverage_label: str
    source: str
    published_on: date | None
    entered_by: str
    entered_at: datetime | None


class DayIn(Schema):
    date: date
    kind: Literal["holiday", "workday"]
    name: str = ""


class YearIn(Schema):
    year: int
    source: str
    published_on: date
    note: str = ""
    days: list[DayIn] = []
    # Alternatively the text format of the page ("2027-01-01 休 元旦", one per line).
    text: str = ""


class YearOut(Schema):
    year: int
    source: str
    published_on: date
    note: str
    entered_at: datetime
    holidays: int
    workdays: int


class SetDayIn(Schema):
    kind: Literal["holiday", "workday"]
    name: str = ""
    note: str = ""


class EnteredDayOut(Schema):
    date: date
    kind: str
    name: str
    note: str


def _actor(request: HttpRequest) -> Actor:
    actor = actor_for(request.auth)  # type: ignore[attr-defined]
    require_calendar_reader(actor)
    return actor


def _warnings(warnings: tuple[CalendarWarning, ...]) -> list[dict[str, Any]]:
    return [{"year": w.year, "code": w.code, "message": w.message} for w in warnings]


def _deadline(start: date, result: DeadlineResult) -> dict[str, Any]:
    return {
        "start": start,
        "date": result.date,
        "certain": result.certain,
        "warnings": _warnings(result.warnings),
    }


@router.get("/days", response=YearDaysOut, summary="某年每一天的工作日状态")
def year_days(request: HttpRequest, year: int) -> dict[str, Any]:
    _actor(request)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationFailed(f"年份须在 {MIN_YEAR}—{MAX_YEAR} 之间。", field_errors={"year": ["年份超出范围。"]})
    calendar = work_calendar()
    coverage = calendar.coverage(year)
    warnings = (CalendarWarning(year),) if coverage is Coverage.MISSING else ()
    return {
        "year": year,
        "coverage": coverage.value,
        "coverage_label": coverage.label,
        "warning": bool(warnings),
        "warnings": _warnings(warnings),
        "days": [
            {
                "date": s.date,
                "working": s.working,
                "kind": s.kind.value,
                "kind_label": s.kind.label,
                "name": s.name,
                "source": s.source.value,
                "guessed": s.guessed,
            }
            for s in calendar.year_days(year)
        ],
    }


@router.get("/add-working-days", response=WorkingDaysOut, summary="起算日后第 n 个工作日")
def add_working_days(request: HttpRequest, start: date, days: int, strict: bool = False) -> dict[str, Any]:
    _actor(request)
    result = work_calendar().add_working_days(start, days, strict=strict)
    return {**_deadline(start, result), "days": days}


@router.get("/add-months", response=MonthsOut, summary="起算日后 n 个月的期限届满日")
def add_months(request: HttpRequest, start: date, months: int, strict: bool = False) -> dict[str, Any]:
    _actor(request)
    result = work_calendar().add_months(start, months, strict=strict)
    return {**_deadline(start, result), "months": months}


@router.get("/working-days-between", response=BetweenOut, summary="两日之间的工作日数（不含起日，含止日）")
def working_days_between(request: HttpRequest, start: date, end: date, strict: bool = False) -> dict[str, Any]:
    _actor(request)
    if abs((end - start).days) > 366 * 20:
        raise ValidationFailed("两日相隔过远（最多 20 年）。")
    result = work_calendar().working_days_between(start, end, strict=strict)
    return {
        "start": start,
        "end": end,
        "working_days": result.days,
        "certain": result.certain,
        "warnings": _warnings(result.warnings),
    }


@router.get("/years", response=list[YearCoverageOut], summary="近年及已录入年份的数据来源")
def years(request: HttpRequest, around: int | None = None) -> list[dict[str, Any]]:
    actor = _actor(request)
    centre = around if around is not None and MIN_YEAR + 2 <= around <= MAX_YEAR - 2 else timezone.localdate().year
    return [
        {
            "year": row.year,
            "coverage": row.coverage.value,
            "coverage_label": row.coverage.label,
            "source": row.source,
            "published_on": row.published_on,
            "entered_by": row.entered_by,
            "entered_at": row.entered_at,
        }
        for row in year_coverage(actor, work_calendar(), around=centre)
    ]


@router.post("/years", response={201: YearOut}, summary="录入或替换一年的节假日安排（系统管理员）")
def enter_year(request: HttpRequest, payload: YearIn) -> Status[dict[str, Any]]:
    actor = _actor(request)
    services.require_calendar_editor(actor, "calendar.year_entered", "workdays.calendaryear")
    if payload.days and payload.text.strip():
        raise ValidationFailed("days 与 text 只能提供其一。")
    if payload.text.strip():
        days: list[tuple[date, str, str]] = list(parse_schedule(payload.text, year=payload.year))
    else:
        days = [(d.date, d.kind, d.name) for d in payload.days]
    row = services.enter_calendar_year(
        actor=actor,
        year=payload.year,
        source=payload.source,
        published_on=payload.published_on,
        days=days,
        note=payload.note,
        request=request,
    )
    return Status(201, _year_out(actor, row))


def _year_out(actor: Actor, row: CalendarYear) -> dict[str, Any]:
    row = CALENDAR_YEARS.get_for(actor, row.pk)
    kinds = [kind for _, kind, _ in work_calendar().schedule(row.year)]
    return {
        "year": row.year,
        "source": row.source,
        "published_on": row.published_on,
        "note": row.note,
        "entered_at": row.entered_at,
        "holidays": kinds.count("holiday"),
        "workdays": kinds.count("workday"),
    }


@router.put("/days/{day}", response=EnteredDayOut, summary="录入或修改单日（系统管理员）")
def set_day(request: HttpRequest, day: date, payload: SetDayIn) -> CalendarDay:
    actor = _actor(request)
    return services.set_calendar_day(
        actor=actor, day=day, kind=payload.kind, name=payload.name, note=payload.note, request=request
    )


@router.delete("/days/{day}", response={204: None}, summary="删除单日的录入（系统管理员）")
def delete_day(request: HttpRequest, day: date) -> Status[None]:
    actor = _actor(request)
    services.delete_calendar_day(actor=actor, day=day, request=request)
    return Status(204, None)
