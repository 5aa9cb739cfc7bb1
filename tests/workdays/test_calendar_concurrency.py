"""Two administrators entering the same year at the same moment: the writes queue on the calendar's
revision row, so the year ends up as exactly one of the two schedules, never a mixture or an error."""

from __future__ import annotations

import threading
import time
from datetime import date
from typing import Any

import pytest
from django.db import OperationalError, connection

from xiezuoqu.access.actor import actor_for
from xiezuoqu.workdays.models import CalendarDay, CalendarRevision, CalendarYear
from xiezuoqu.workdays.services import enter_calendar_year

pytestmark = pytest.mark.django_db(transaction=True)

SCHEDULES = {
    "甲": [(date(2027, 1, 1), "holiday", "元旦"), (date(2027, 1, 2), "holiday", "元旦")],
    "乙": [(date(2027, 1, 1), "holiday", "元旦"), (date(2027, 2, 20), "workday", "春节调休")],
}


def _enter(**kw: Any) -> None:
    """``enter_calendar_year``, waiting out SQLite's shared-cache table lock.

    Django's in-memory SQLite test database runs in shared-cache mode, where a second writer gets
    SQLITE_LOCKED at once instead of waiting; a file database (production) waits. The rolled-back
    attempt is retried, which is that wait; which write wins is decided by the service's locking.
    """
    shared_cache = connection.vendor == "sqlite" and connection.is_in_memory_db()
    for _ in range(2000):
        try:
            enter_calendar_year(**kw)
            return
        except OperationalError as exc:
            if not (shared_cache and "locked" in str(exc)):
                raise
            time.sleep(0.005)
    raise AssertionError("SQLite lock never released")


def test_two_concurrent_entries_of_a_year_are_serialised(system_admin):
    actor = actor_for(system_admin)
    start = threading.Barrier(len(SCHEDULES))
    errors: list[BaseException] = []

    def enter(label: str) -> None:
        try:
            start.wait()
            _enter(
                actor=actor,
                year=2027,
                source=f"国务院办公厅关于2027年部分节假日安排的通知（{label}）",
                published_on=date(2026, 11, 20),
                days=SCHEDULES[label],
            )
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=enter, args=(label,)) for label in SCHEDULES]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    row = CalendarYear.objects.get(year=2027)
    winner = row.source[-2]
    days = sorted(CalendarDay.objects.filter(date__year=2027).values_list("date", "kind", "name"))
    assert days == sorted(SCHEDULES[winner])
    assert CalendarRevision.objects.get(pk=1).revision >= 2
