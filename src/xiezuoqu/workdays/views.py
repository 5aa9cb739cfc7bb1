"""The working-day calendar page: a month grid, year coverage, the deadline calculator, and (for the
system administrator) entering a year's schedule or single days."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.errors import ValidationFailed

from . import services
from .calendar import MAX_YEAR, MIN_YEAR, CalendarWarning, Coverage, DeadlineResult, WorkCalendar
from .forms import CalculatorForm, CalendarDayForm, YearScheduleForm, apply_domain_errors
from .models import CalendarDay
from .schedule import format_schedule
from .selectors import (
    CALENDAR_YEARS,
    can_edit_calendar,
    entered_days_for,
    require_calendar_reader,
    work_calendar,
    year_coverage,
)

if TYPE_CHECKING:
    from xiezuoqu.accounts.models import User

WEEKDAY_HEADERS = ["一", "二", "三", "四", "五", "六", "日"]


def _actor(request: HttpRequest) -> Actor:
    # @login_required has run: the user is a real account.
    return actor_for(cast("User", request.user))


def _int_param(request: HttpRequest, name: str, default: int, low: int, high: int) -> int:
    try:
        value = int(request.GET.get(name, default))
    except (TypeError, ValueError):
        return default
    return value if low <= value <= high else default


def _month_url(year: int, month: int) -> str:
    return f"{reverse('workdays:calendar')}?year={year}&month={month}"


def _calculate(calendar: WorkCalendar, form: CalculatorForm) -> DeadlineResult | None:
    if not form.is_bound or not form.is_valid():
        return None
    start, n, unit = form.cleaned_data["start"], form.cleaned_data["n"], form.cleaned_data["unit"]
    try:
        if unit == "months":
            return calendar.add_months(start, n)
        return calendar.add_working_days(start, n)
    except ValidationFailed as error:
        form.add_error(None, error.message)
        return None


def _calculator_form(request: HttpRequest) -> CalculatorForm:
    if "start" in request.GET:
        return CalculatorForm(request.GET)
    return CalculatorForm(initial={"start": timezone.localdate(), "n": 5, "unit": "working_days"})


def _year_form_initial(calendar: WorkCalendar, year: int) -> dict[str, Any]:
    """Prefill the year form with the schedule that applies now, so that an amendment starts from it."""
    return {
        "year": year,
        "source": f"国务院办公厅关于{year}年部分节假日安排的通知",
        "text": format_schedule(calendar.schedule(year))
        if calendar.is_covered(year)
        else f"# 按国务院办公厅通知逐条录入 {year} 年的放假日和调休上班日，例如：\n"
        f"# {year}-01-01 休 元旦\n# {year}-02-06~{year}-02-12 休 春节\n# {year}-02-20 班 春节调休\n",
    }


def _render_page(
    request: HttpRequest,
    actor: Actor,
    *,
    year: int,
    month: int,
    year_form: YearScheduleForm | None = None,
    day_form: CalendarDayForm | None = None,
    status: int = 200,
) -> HttpResponse:
    calendar = work_calendar()
    today = timezone.localdate()
    editor = can_edit_calendar(actor)
    calculator = _calculator_form(request)
    result = _calculate(calendar, calculator)
    coverage = calendar.coverage(year)
    context: dict[str, Any] = {
        "year": year,
        "month": month,
        "today": today,
        "weeks": calendar.month(year, month),
        "weekday_headers": WEEKDAY_HEADERS,
        "coverage": coverage,
        "warning": CalendarWarning(year) if coverage is Coverage.MISSING else None,
        "years": year_coverage(actor, calendar, around=today.year),
        "entered_days": entered_days_for(actor, year),
        "package": calendar.package,
        "prev_url": _month_url(year - 1, 12) if month == 1 else _month_url(year, month - 1),
        "next_url": _month_url(year + 1, 1) if month == 12 else _month_url(year, month + 1),
        "today_url": _month_url(today.year, today.month),
        "months": range(1, 13),
        "calculator": calculator,
        "result": result,
        "editor": editor,
    }
    if editor:
        if year_form is None:
            initial = _year_form_initial(calendar, year)
            entered = CALENDAR_YEARS.scope(actor).filter(year=year).first()
            if entered is not None:
                initial.update(source=entered.source, published_on=entered.published_on, note=entered.note)
            year_form = YearScheduleForm(initial=initial)
        context["year_form"] = year_form
        context["day_form"] = day_form or CalendarDayForm(initial={"date": date(year, month, 1)})
    return render(request, "workdays/calendar.html", context, status=status)


@login_required
@require_GET
def calendar_page(request: HttpRequest) -> HttpResponse:
    """Everyone with a staff or administrator role: the month grid, coverage and the calculator."""
    actor = _actor(request)
    require_calendar_reader(actor)
    today = timezone.localdate()
    year = _int_param(request, "year", today.year, MIN_YEAR, MAX_YEAR)
    month = _int_param(request, "month", today.month if year == today.year else 1, 1, 12)
    return _render_page(request, actor, year=year, month=month)


@login_required
@require_GET
def calculate(request: HttpRequest) -> HttpResponse:
    """The calculator's result alone (htmx); without htmx the full page shows the same result."""
    actor = _actor(request)
    require_calendar_reader(actor)
    if not request.headers.get("HX-Request"):
        return redirect(f"{reverse('workdays:calendar')}?{request.GET.urlencode()}#calculator")
    form = _calculator_form(request)
    result = _calculate(work_calendar(), form)
    return render(request, "workdays/calendar.html#calculator-result", {"calculator": form, "result": result})


@login_required
@require_POST
def enter_year(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    services.require_calendar_editor(actor, "calendar.year_entered", "workdays.calendaryear")
    form = YearScheduleForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.enter_calendar_year(
                actor=actor,
                year=data["year"],
                source=data["source"],
                published_on=data["published_on"],
                days=form.days,
                note=data["note"],
                request=request,
            )
        except ValidationFailed as error:
            apply_domain_errors(form, error, {"days": "text"})
        else:
            messages.success(
                request, f"{data['year']} 年节假日安排已录入，共 {len(form.days)} 天；此后的期限按此计算。"
            )
            return redirect(_month_url(data["year"], 1))
    messages.error(request, "节假日安排未保存：请按页面下方表单中的提示修改后重新提交。")
    year = form.cleaned_data.get("year")
    shown = year if isinstance(year, int) else timezone.localdate().year
    return _render_page(request, actor, year=shown, month=1, year_form=form, status=422)


@login_required
@require_POST
def set_day(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    services.require_calendar_editor(actor, "calendar.day_set")
    form = CalendarDayForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.set_calendar_day(
                actor=actor,
                day=data["date"],
                kind=data["kind"],
                name=data["name"],
                note=data["note"],
                request=request,
            )
        except ValidationFailed as error:
            apply_domain_errors(form, error)
        else:
            label = CalendarDay.Kind(data["kind"]).label
            messages.success(request, f"{data['date'].isoformat()} 已设为{label}。")
            return redirect(_month_url(data["date"].year, data["date"].month))
    messages.error(request, "该日未保存：请按页面下方表单中的提示修改后重新提交。")
    shown = form.cleaned_data.get("date") or timezone.localdate()
    return _render_page(request, actor, year=shown.year, month=shown.month, day_form=form, status=422)


@login_required
@require_POST
def delete_day(request: HttpRequest, day: str) -> HttpResponse:
    actor = _actor(request)
    services.require_calendar_editor(actor, "calendar.day_deleted")
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise ValidationFailed("日期格式应为 YYYY-MM-DD。") from None
    services.delete_calendar_day(actor=actor, day=when, request=request)
    messages.success(request, f"已删除 {when.isoformat()} 的录入；该日恢复按内置数据或周末计算。")
    return redirect(_month_url(when.year, when.month))
