"""Shared helpers for the deadline tests: a registered kind, demo units and a frozen today."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from xiezuoqu.access.actor import Actor
from xiezuoqu.deadlines.kinds import register_deadline_kind
from xiezuoqu.deadlines.models import Deadline
from xiezuoqu.deadlines.services import open_deadline
from xiezuoqu.org.models import Unit, Village

KIND = "test.duty"
OTHER_KIND = "test.other_duty"
register_deadline_kind(KIND, "测试办理时限", rule="测试规则：15 个工作日内办结")
register_deadline_kind(OTHER_KIND, "另一测试时限")

TODAY = date(2026, 11, 26)


@pytest.fixture
def frozen_today():  # type: ignore[no-untyped-def]
    """Pages and services that read "today" see 2026-11-26 (the project's today)."""
    import time_machine

    with time_machine.travel("2026-11-26 10:00 +0800", tick=False):
        yield TODAY


def unit_named(fragment: str) -> Unit:
    return Unit.objects.get(name__contains=fragment, kind=Unit.Kind.TOWNSHIP_COMMITTEE, is_demo=True)


def village_of(unit: Unit, index: int = 0) -> Village:
    """A demo village of the unit: a handy saved object for a deadline to point at."""
    return list(Village.objects.filter(township=unit).order_by("id"))[index]


def open_on(
    actor: Actor | None,
    unit: Unit,
    *,
    start: date,
    working_days: int | None = 15,
    months: int | None = None,
    kind: str = KIND,
    target: Any = None,
    index: int = 0,
) -> Deadline:
    return open_deadline(
        actor=actor,
        target=target if target is not None else village_of(unit, index),
        kind=kind,
        label="测试办理时限",
        start=start,
        working_days=None if months is not None else working_days,
        months=months,
        responsible_unit=unit,
    )
