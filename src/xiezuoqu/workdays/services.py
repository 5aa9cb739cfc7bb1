"""Writes to the working-day calendar: only the system administrator, every change on record.

``actor=None`` is a system action from the console (``xiezuoqu calendar_import``): the operator has
shell access to the server, and the audit log shows the change with no actor.

Every write locks the one ``CalendarRevision`` row first (so calendar writes are serialised) and
moves it in the same transaction, so every process re-reads the calendar at its next calculation.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.accounts.roles import Role
from xiezuoqu.audit.services import diff, record_event, snapshot
from xiezuoqu.errors import NotFound, NotPermitted, ValidationFailed

from .calendar import MAX_YEAR, MIN_YEAR, Coverage, EnteredDay, EntryKind, package_data
from .models import CalendarDay, CalendarRevision, CalendarYear
from .schedule import KIND_TEXT, NAME_MAX, WEEKDAY_NAMES, check_schedule

SOURCE_MAX = 200
NOTE_MAX = 200


def require_calendar_editor(
    actor: Actor | None, action: str = "calendar.edit", target_type: str = "workdays.calendarday"
) -> None:
    """Refuse anyone but the system administrator (``None``, the console, is the system itself)."""
    # 三员分立: the security and audit administrators read and audit, they do not maintain data.
    if actor is not None and not actor.has(Role.SYSTEM_ADMIN):
        raise NotPermitted(
            "只有系统管理员可以维护工作日历（节假日安排）。",
            audit_action=action,
            target_type=target_type,
        )


def _lock_revision() -> CalendarRevision:
    revision, _ = CalendarRevision.objects.select_for_update().get_or_create(pk=1)
    return revision


def _bump_revision(revision: CalendarRevision) -> None:
    revision.revision += 1
    revision.token = uuid.uuid4().hex
    revision.changed_at = timezone.now()
    revision.save(update_fields=["revision", "token", "changed_at"])


# Callbacks ``(years=..., actor=..., request=...)`` run inside every calendar write's transaction, after
# the revision moved (so ``work_calendar()`` already answers with the change): the deadlines app
# recomputes its provisional due dates there. Raising refuses the calendar write as a whole.
CalendarListener = Callable[..., None]
CALENDAR_LISTENERS: list[CalendarListener] = []


def on_calendar_changed(callback: CalendarListener) -> CalendarListener:
    """Register a callback for every change of the calendar (a year entered, a day set or deleted)."""
    if callback not in CALENDAR_LISTENERS:
        CALENDAR_LISTENERS.append(callback)
    return callback


def _calendar_changed(years: set[int], actor: Actor | None, request: HttpRequest | None) -> None:
    for callback in CALENDAR_LISTENERS:
        callback(years=frozenset(years), actor=actor, request=request)


def _user_id(actor: Actor | None) -> int | None:
    return actor.user_id if actor is not None else None


def _describe(kind: str, name: str) -> str:
    text = KIND_TEXT[EntryKind(kind)]
    return f"{text} {name}" if name else text


def _year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _as_entries(days: Iterable[Sequence[Any]]) -> tuple[list[EnteredDay], list[str]]:
    entries: list[EnteredDay] = []
    errors: list[str] = []
    for number, item in enumerate(days, start=1):
        try:
            day, kind, name = item
        except (TypeError, ValueError):
            errors.append(f"第 {number} 项：应为（日期, 类型, 名称）。")
            continue
        if not isinstance(day, date):
            errors.append(f"第 {number} 项：日期无效。")
            continue
        entries.append(EnteredDay(day, str(kind), str(name or "").strip()))
    return entries, errors


def enter_calendar_year(
    *,
    actor: Actor | None,
    year: int,
    source: str,
    published_on: date,
    days: Iterable[Sequence[Any]],
    note: str = "",
    request: HttpRequest | None = None,
) -> CalendarYear:
    """Enter (or replace) a whole year's schedule from the State Council notice.

    ``days`` are ``(date, "holiday" | "workday", name)``. Afterwards the year's rest days and make-up
    working days are exactly these plus ordinary weekends; earlier entries of that year are replaced
    and the package's data for the year is no longer used.
    """
    require_calendar_editor(actor, "calendar.year_entered", "workdays.calendaryear")
    source, note = (source or "").strip(), (note or "").strip()
    field_errors: dict[str, list[str]] = {}
    if not MIN_YEAR <= year <= MAX_YEAR:
        field_errors["year"] = [f"年份须在 {MIN_YEAR}—{MAX_YEAR} 之间。"]
    if not source:
        field_errors["source"] = ["请填写依据，如“国务院办公厅关于2027年部分节假日安排的通知”。"]
    elif len(source) > SOURCE_MAX:
        field_errors["source"] = [f"依据过长（最多 {SOURCE_MAX} 字）。"]
    if published_on > timezone.localdate():
        field_errors["published_on"] = ["发布日期不能晚于今天。"]
    entries, item_errors = _as_entries(days)
    if not item_errors and "year" not in field_errors:
        item_errors = check_schedule(year, entries, [f"第 {i} 项" for i in range(1, len(entries) + 1)])
    if item_errors:
        field_errors["days"] = item_errors
    if field_errors:
        count = sum(len(v) for v in field_errors.values())
        raise ValidationFailed(f"{year} 年节假日安排有 {count} 处错误，请修改后重新提交。", field_errors=field_errors)

    now = timezone.now()
    first, last = _year_bounds(year)
    with transaction.atomic():
        revision = _lock_revision()
        row = CalendarYear.objects.select_for_update().filter(year=year).first()
        old_days = {
            d.date: _describe(d.kind, d.name)
            for d in CalendarDay.objects.select_for_update().filter(date__gte=first, date__lte=last)
        }
        replaced = row is not None
        changes: dict[str, list[Any]] = {}
        if row is None:
            row = CalendarYear.objects.create(
                year=year,
                source=source,
                published_on=published_on,
                note=note,
                entered_by_id=_user_id(actor),
                entered_at=now,
            )
            changes = {"source": [None, source], "published_on": [None, published_on], "note": [None, note]}
        else:
            before = snapshot(row, ["source", "published_on", "note", "entered_by"])
            row.source, row.published_on, row.note = source, published_on, note
            row.entered_by_id, row.entered_at = _user_id(actor), now
            changes = diff(before, row)
            row.save(update_fields=["source", "published_on", "note", "entered_by", "entered_at"])
        CalendarDay.objects.filter(date__gte=first, date__lte=last).delete()
        CalendarDay.objects.bulk_create(
            [
                CalendarDay(date=e.date, kind=e.kind, name=e.name, entered_by_id=_user_id(actor), entered_at=now)
                for e in entries
            ]
        )
        new_days = {e.date: _describe(e.kind, e.name) for e in entries}
        for day in sorted(old_days.keys() | new_days.keys()):
            old, new = old_days.get(day), new_days.get(day)
            if old != new:
                changes[day.isoformat()] = [old, new]
        record_event(
            actor=actor,
            action="calendar.year_entered",
            target=row,
            changes=changes,
            detail={
                "year": year,
                "replaced": replaced,
                "holidays": sum(1 for e in entries if e.kind == EntryKind.HOLIDAY.value),
                "workdays": sum(1 for e in entries if e.kind == EntryKind.WORKDAY.value),
                "system": actor is None,
            },
            request=request,
        )
        _bump_revision(revision)
        _calendar_changed({year}, actor, request)
    return row


def set_calendar_day(
    *,
    actor: Actor | None,
    day: date,
    kind: str,
    name: str = "",
    note: str = "",
    request: HttpRequest | None = None,
) -> CalendarDay:
    """Enter or change one day: an amendment of the package, or a correction of an entered year."""
    require_calendar_editor(actor, "calendar.day_set", "workdays.calendarday")
    name, note = (name or "").strip(), (note or "").strip()
    field_errors: dict[str, list[str]] = {}
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        field_errors["date"] = [f"日期须在 {MIN_YEAR}—{MAX_YEAR} 年之间。"]
    if kind not in {EntryKind.HOLIDAY.value, EntryKind.WORKDAY.value}:
        field_errors["kind"] = ["类型应为“法定节假日/休息日”或“调休上班日”。"]
    if len(name) > NAME_MAX:
        field_errors["name"] = [f"名称过长（最多 {NAME_MAX} 字）。"]
    if len(note) > NOTE_MAX:
        field_errors["note"] = [f"备注过长（最多 {NOTE_MAX} 字）。"]
    if field_errors:
        raise ValidationFailed("请按提示修改后重新提交。", field_errors=field_errors)

    with transaction.atomic():
        revision = _lock_revision()
        year_entered = CalendarYear.objects.filter(year=day.year).exists()
        if kind == EntryKind.WORKDAY.value and day.weekday() < 5:
            # A make-up working day on Monday–Friday changes nothing, unless it cancels a holiday the
            # package lists (an amended schedule).
            package = package_data()
            listed = package.by_year.get(day.year, {}).get(day)
            coverage_is_package = not year_entered and package.first_year <= day.year <= package.last_year
            if not (coverage_is_package and listed is not None and listed[0] is EntryKind.HOLIDAY):
                raise ValidationFailed(
                    f"{day.isoformat()} 是星期{WEEKDAY_NAMES[day.weekday()]}，本来就是工作日，"
                    "无需标为调休上班日；请核对日期。",
                    field_errors={"date": ["该日本来就是工作日。"]},
                )
        row = CalendarDay.objects.select_for_update().filter(date=day).first()
        created = row is None
        if row is None:
            row = CalendarDay.objects.create(
                date=day,
                kind=kind,
                name=name,
                note=note,
                entered_by_id=_user_id(actor),
                entered_at=timezone.now(),
            )
            changes: dict[str, list[Any]] = {"kind": [None, kind], "name": [None, name], "note": [None, note]}
        else:
            before = snapshot(row, ["kind", "name", "note"])
            row.kind, row.name, row.note = kind, name, note
            changes = diff(before, row)
            if not changes:
                return row
            row.entered_by_id, row.entered_at = _user_id(actor), timezone.now()
            row.save(update_fields=["kind", "name", "note", "entered_by", "entered_at"])
        record_event(
            actor=actor,
            action="calendar.day_set",
            target=row,
            changes=changes,
            detail={
                "date": day.isoformat(),
                "created": created,
                "year_coverage": Coverage.ADMIN.value if year_entered else "",
                "system": actor is None,
            },
            request=request,
        )
        _bump_revision(revision)
        _calendar_changed({day.year}, actor, request)
    return row


def delete_calendar_day(*, actor: Actor | None, day: date, request: HttpRequest | None = None) -> None:
    """Remove one entered day; the package (or, in an entered year, the weekend rule) applies again."""
    require_calendar_editor(actor, "calendar.day_deleted", "workdays.calendarday")
    with transaction.atomic():
        revision = _lock_revision()
        row = CalendarDay.objects.select_for_update().filter(date=day).first()
        if row is None:
            raise NotFound(f"{day.isoformat()} 没有录入的安排，无需删除。")
        target_id, label = str(row.pk), str(row)
        changes = {"kind": [row.kind, None], "name": [row.name, None], "note": [row.note, None]}
        row.delete()
        record_event(
            actor=actor,
            action="calendar.day_deleted",
            target_type="workdays.calendarday",
            target_id=target_id,
            target_label=label,
            changes=changes,
            detail={"date": day.isoformat(), "system": actor is None},
            request=request,
        )
        _bump_revision(revision)
        _calendar_changed({day.year}, actor, request)
