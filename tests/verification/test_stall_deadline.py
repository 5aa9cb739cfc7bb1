"""The 6-month stall is a supervised deadline like every other (issue 18, item 3).

A live verification carries an open "verification.stall" deadline from its first draft: due 6 months
(民法典 第201条, counted like every months-period) after its last recorded progress, moved forward
by every progress, closed when the verification concludes. The daily sweep turns it red and issues
the 督办单 to the zone leader; the verification page's 红色预警 reads the same deadline.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.deadlines.models import DeadlineState, SupervisionSlip
from xiezuoqu.deadlines.selectors import overdue_list, work_queue
from xiezuoqu.deadlines.services import compute_due, deadline_for, sweep_deadlines
from xiezuoqu.deadlines.urgency import Colour
from xiezuoqu.verification.models import Verification
from xiezuoqu.verification.selectors import is_stalled, stalled_verifications

from .conftest import approved, concluded, demo_actor, drafted, login, measured

pytestmark = pytest.mark.django_db
STALL = "verification.stall"


def _stall(verification: Verification):
    deadline = deadline_for(verification, STALL)
    assert deadline is not None, "a live verification has a stall deadline"
    return deadline


def _seven_months_later():
    return timezone.now() + timedelta(days=215)


def test_a_draft_opens_the_stall_deadline_six_months_from_its_first_progress(demo):
    verification = drafted()
    deadline = _stall(verification)
    today = timezone.localdate()
    assert deadline.state == DeadlineState.OPEN
    assert (deadline.start_date, deadline.period_value, deadline.period_unit) == (today, 6, "months")
    assert deadline.due_date == compute_due(today, 6, "months").date
    assert deadline.zone_id == verification.clue.zone_id


def test_seven_months_without_progress_the_sweep_issues_a_slip_to_the_zone_leader(demo):
    verification = approved()
    deadline = _stall(verification)
    with time_machine.travel(_seven_months_later(), tick=False):
        today = timezone.localdate()
        result = sweep_deadlines(today)
        slip = SupervisionSlip.objects.get(deadline=deadline)
        assert slip.pk in result.slips
        assert slip.zone_leader_id == demo.user("zuzhang1").staff_id
        assert slip.due_date == deadline.due_date
        # The period's own slip (2 months) is a separate one: the stall is not hidden behind it.
        assert SupervisionSlip.objects.filter(deadline__target_id=verification.pk).count() == 2
        assert sweep_deadlines(today).slips == []


def test_the_leaders_queue_and_overdue_list_show_the_stall_red(demo, client):
    verification = approved()
    deadline = _stall(verification)
    with time_machine.travel(_seven_months_later(), tick=False):
        sweep_deadlines(timezone.localdate())
        leader = demo_actor("zuzhang1")
        queue = {row.deadline.pk: row for row in work_queue(leader).rows}
        assert queue[deadline.pk].urgency.colour is Colour.RED
        assert queue[deadline.pk].kind_label == "核查停滞预警"
        overdue = {row.deadline.pk: row for row in overdue_list(leader, kind=STALL).rows}
        assert overdue[deadline.pk].urgency.colour is Colour.RED
        assert overdue[deadline.pk].slip is not None
        login(client, "zuzhang1")
        html = client.get(reverse("deadlines:overdue")).content.decode()
        detail_link = f'href="{reverse("deadlines:detail", args=[deadline.pk])}"'
        row = next(part for part in html.split("<tr>") if detail_link in part)
        assert "核查停滞预警" in row and 'class="tag red"' in row and overdue[deadline.pk].slip.number in row


def test_progress_moves_the_due_date_and_clears_the_red(demo):
    verification = approved()
    deadline = _stall(verification)
    with time_machine.travel(_seven_months_later(), tick=False):
        sweep_deadlines(timezone.localdate())
        assert is_stalled(verification)
        measured(verification)
        today = timezone.localdate()
        moved = _stall(verification)
        assert moved.pk == deadline.pk, "the same deadline is moved, not cancelled and opened again"
        assert moved.start_date == today
        assert moved.due_date == compute_due(today, 6, "months").date
        assert moved.overdue_since is None
        verification.refresh_from_db()
        assert not is_stalled(verification)
        event = AuditEvent.objects.filter(action="deadline.restarted", target_id=str(deadline.pk)).get()
        assert event.changes["due_date"] == [deadline.due_date.isoformat(), moved.due_date.isoformat()]
        # A second progress on the same day changes nothing and records nothing more.
        measured(verification)
        assert AuditEvent.objects.filter(action="deadline.restarted", target_id=str(deadline.pk)).count() == 1


def test_conclusion_closes_the_stall_deadline(demo):
    verification = concluded()
    assert verification.state == "concluded"
    deadline = _stall(verification)
    assert deadline.state == DeadlineState.MET
    assert deadline.met_on == timezone.localdate()
    with time_machine.travel(_seven_months_later(), tick=False):
        sweep_deadlines(timezone.localdate())
        assert not SupervisionSlip.objects.filter(deadline=deadline).exists()
        assert not is_stalled(verification)


@pytest.mark.parametrize("offset, red", [(-1, False), (0, False), (1, True)])
def test_the_red_flag_of_the_page_is_the_deadlines_colour(demo, client, offset, red):
    """The day before the due date, on it and the day after: the page's flag and the engine agree."""
    verification = approved()
    deadline = _stall(verification)
    moment = timezone.make_aware(datetime.combine(deadline.due_date + timedelta(days=offset), time(10, 0)))
    with time_machine.travel(moment, tick=False):
        today = timezone.localdate()
        rows = {row.deadline.pk: row for row in work_queue(demo_actor("zuzhang1"), today=today).rows}
        assert (rows[deadline.pk].urgency.colour is Colour.RED) is red
        verification.refresh_from_db()
        assert is_stalled(verification) is red
        assert (verification in stalled_verifications(demo_actor("zuzhang1"))) is red
        login(client, "zuzhang1")
        page = client.get(reverse("verification:detail", args=[verification.pk])).content.decode()
        assert ("红色预警" in page) is red
        listed = client.get("/verification/?stalled=1").content.decode()
        assert (verification.clue.ledger_number in listed) is red


def test_the_migration_opens_the_stall_deadline_of_every_live_round_from_its_last_progress(demo):
    """Rounds that went live before the stall was a deadline (no stall row) enter the engine on upgrade."""
    import importlib

    from django.apps import apps

    from xiezuoqu.deadlines.models import Deadline

    migration = importlib.import_module("xiezuoqu.verification.migrations.0003_open_stall_deadlines")
    live, done = approved(), concluded()
    Deadline.objects.filter(kind=STALL).delete()  # as before the upgrade
    last_progress = timezone.now() - timedelta(days=215)
    Verification.objects.filter(pk=live.pk).update(last_progress_at=last_progress)
    migration.open_stall_deadlines(apps, None)
    migration.open_stall_deadlines(apps, None)  # idempotent
    deadline = Deadline.objects.get(kind=STALL)
    start = timezone.localdate(last_progress)
    assert (deadline.target_id, deadline.state, deadline.start_date) == (live.pk, DeadlineState.OPEN, start)
    assert deadline.due_date == compute_due(start, 6, "months").date
    assert deadline.zone_id == live.clue.zone_id and deadline.responsible_unit_id == live.team.lead_unit_id
    assert deadline_for(done, STALL) is None
    event = AuditEvent.objects.get(action="deadline.opened", target_id=str(deadline.pk))
    assert event.detail["deadlines"][0]["verification"] == live.pk
    live.refresh_from_db()
    assert is_stalled(live)
    sweep_deadlines(timezone.localdate())
    assert SupervisionSlip.objects.get(deadline=deadline).zone_leader_id == demo.user("zuzhang1").staff_id
