"""The daily sweep: marks newly overdue deadlines and issues one 督办单 each, idempotently, with
numbers unique per commission and year even when two sweeps race."""

from __future__ import annotations

import threading
from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from tests.deadlines.conftest import KIND, open_on, unit_named, village_of
from tests.factories import make_commission, make_staff, make_unit, make_village, make_zone
from xiezuoqu.approvals.services import decide
from xiezuoqu.approvals.workflow import Decision
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.deadlines.models import Deadline, SupervisionSlip
from xiezuoqu.deadlines.services import close_deadline, open_deadline, request_extension, sweep_deadlines
from xiezuoqu.deadlines.tasks import sweep_deadlines_task

SWEEP_DAY = date(2026, 11, 26)


@pytest.fixture
def overdue_and_not(demo):
    """Two overdue deadlines (宝山, zone 1; 东汤, zone 2), one due today, one met late."""
    baoshan, dongtang = unit_named("宝山"), unit_named("东汤")
    late_a = open_on(None, baoshan, start=date(2026, 11, 2))  # due 11-23
    late_b = open_on(None, dongtang, start=date(2026, 11, 3))  # due 11-24
    today = open_on(None, baoshan, start=date(2026, 11, 5), index=1)  # due 11-26
    met = open_on(None, dongtang, start=date(2026, 11, 2), index=1)
    close_deadline(actor=None, target=village_of(dongtang, 1), kind=KIND, met_on=date(2026, 11, 25))
    return late_a, late_b, today, met


@pytest.mark.django_db
def test_the_sweep_marks_overdue_and_issues_one_slip_each(demo, overdue_and_not):
    late_a, late_b, today, _met = overdue_and_not
    result = sweep_deadlines(SWEEP_DAY)
    assert result.newly_overdue == 2
    assert len(result.slips) == 2
    late_a.refresh_from_db()
    assert late_a.overdue_since == date(2026, 11, 24)  # the day after the due date
    assert Deadline.objects.get(pk=today.pk).overdue_since is None
    slips = {slip.deadline_id: slip for slip in SupervisionSlip.objects.all()}
    assert set(slips) == {late_a.pk, late_b.pk}
    slip = slips[late_a.pk]
    assert slip.zone == late_a.zone
    assert slip.zone_leader_id == demo.user("zuzhang1").staff_id
    assert slip.number == f"凤纪督〔2026〕{slip.sequence}号"
    assert {s.sequence for s in slips.values()} == {1, 2}
    assert (slip.due_date, slip.issued_on, slip.state) == (date(2026, 11, 23), SWEEP_DAY, "open")
    event = AuditEvent.objects.get(action="supervision_slip.issued")
    assert event.detail["count"] == 2


@pytest.mark.django_db
def test_running_the_sweep_twice_on_a_day_creates_nothing_new(demo, overdue_and_not):
    sweep_deadlines(SWEEP_DAY)
    again = sweep_deadlines(SWEEP_DAY)
    assert (again.newly_overdue, again.slips) == (0, [])
    assert SupervisionSlip.objects.count() == 2
    # The next day only the deadline that was due on the 26th is new; the others keep their slips.
    next_day = sweep_deadlines(date(2026, 11, 27))
    assert SupervisionSlip.objects.get(pk__in=next_day.slips).deadline_id == overdue_and_not[2].pk


@pytest.mark.django_db
def test_an_extension_that_lapses_again_gets_a_new_slip(demo, overdue_and_not):
    """An approved extension (5 WD from 11-23 → 11-30) clears the overdue mark; if it lapses too,
    the next sweep issues a second slip for the new due date."""
    late_a, _, due_today, _ = overdue_and_not
    close_deadline(actor=None, target=due_today.target, kind=KIND, met_on=date(2026, 11, 26))
    sweep_deadlines(SWEEP_DAY)
    extension = request_extension(actor=demo.actor("xzganbu"), deadline_id=late_a.pk, working_days=5, reason="理由")
    with time_machine.travel("2026-11-26 10:00 +0800", tick=False):
        decide(actor=demo.actor("zuzhang1"), approval_id=extension.approval_request_id, decision=Decision.APPROVE)
    late_a.refresh_from_db()
    assert (late_a.due_date, late_a.overdue_since) == (date(2026, 11, 30), None)
    assert sweep_deadlines(date(2026, 11, 30)).slips == []  # due today: not overdue
    result = sweep_deadlines(date(2026, 12, 1))
    assert len(result.slips) == 1
    assert SupervisionSlip.objects.filter(deadline=late_a).count() == 2
    assert sorted(SupervisionSlip.objects.values_list("sequence", flat=True)) == [1, 2, 3]


@pytest.mark.django_db
def test_the_command_and_the_task_run_the_same_sweep(demo, overdue_and_not):
    out = StringIO()
    call_command("deadline_sweep", "--date", "2026-11-26", stdout=out)
    assert "生成督办单 2 份" in out.getvalue()
    # The test settings run tasks immediately: the task is a thin caller of the same service.
    result = sweep_deadlines_task.enqueue("2026-11-26")
    assert result.return_value == {"today": "2026-11-26", "newly_overdue": 0, "slips": 0}
    out = StringIO()
    call_command("deadline_sweep", "--date", "2026-11-27", "--enqueue", stdout=out)
    assert "已提交" in out.getvalue()
    assert SupervisionSlip.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_racing_sweeps_never_duplicate_a_slip_or_a_number():
    """Two threads sweep the same day at once: each overdue deadline gets exactly one slip and the
    numbers 1..N are each used once (the counter row lock; the unique constraints back it)."""
    commission = make_commission(short_name="凤纪")
    units = [make_unit(commission) for _ in range(3)]
    leader = make_staff(units[0])
    make_zone(commission, *units, leader=leader)
    overdue = 0
    for unit in units:
        for _ in range(12):
            open_deadline(
                actor=None,
                target=make_village(unit),
                kind=KIND,
                label="测试",
                start=date(2026, 10, 12),
                working_days=10,
                responsible_unit=unit,
            )
            overdue += 1
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            barrier.wait(timeout=10)
            sweep_deadlines(SWEEP_DAY)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    slips = list(SupervisionSlip.objects.filter(commission=commission).values_list("deadline_id", "sequence", "number"))
    assert len(slips) == overdue
    assert len({deadline for deadline, _, _ in slips}) == overdue
    assert sorted(sequence for _, sequence, _ in slips) == list(range(1, overdue + 1))
    assert len({number for _, _, number in slips}) == overdue
