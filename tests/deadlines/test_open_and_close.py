"""Opening and closing deadlines: one open per (target, kind), met on time or late, on record."""

from __future__ import annotations

from datetime import date

import pytest

from tests.deadlines.conftest import KIND, OTHER_KIND, open_on, unit_named, village_of
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.deadlines.models import DeadlineState
from xiezuoqu.deadlines.services import cancel_deadline, close_deadline, deadline_for, open_deadline
from xiezuoqu.errors import NotPermitted, RuleViolation, ValidationFailed

pytestmark = pytest.mark.django_db


def test_opening_the_same_kind_twice_on_one_target_is_refused(demo):
    """A second open deadline of the same kind on the same object is a rule violation; another kind is fine."""
    unit = unit_named("宝山")
    first = open_on(demo.actor("xzganbu"), unit, start=date(2026, 11, 2))
    with pytest.raises(RuleViolation, match="已有未办结的时限"):
        open_on(demo.actor("xzganbu"), unit, start=date(2026, 11, 3))
    other = open_on(demo.actor("xzganbu"), unit, start=date(2026, 11, 3), kind=OTHER_KIND)
    assert deadline_for(village_of(unit), KIND) == first
    assert deadline_for(village_of(unit), OTHER_KIND) == other


def test_once_closed_the_same_kind_may_be_opened_again(demo):
    unit = unit_named("宝山")
    open_on(None, unit, start=date(2026, 11, 2))
    close_deadline(actor=None, target=village_of(unit), kind=KIND, met_on=date(2026, 11, 10))
    again = open_on(None, unit, start=date(2026, 11, 12))
    assert again.state == DeadlineState.OPEN
    assert deadline_for(village_of(unit), KIND) == again


@pytest.mark.parametrize(
    ("met_on", "state", "action"),
    [
        (date(2026, 11, 23), DeadlineState.MET, "deadline.met"),  # the due day itself is on time
        (date(2026, 11, 5), DeadlineState.MET, "deadline.met"),
        (date(2026, 11, 24), DeadlineState.MET_LATE, "deadline.met_late"),
    ],
)
def test_closing_marks_the_deadline_met_on_time_or_late(demo, met_on, state, action):
    """Due 2026-11-23 (15 WD after 2026-11-02): met on or before that day is on time, after it late."""
    unit = unit_named("宝山")
    deadline = open_on(demo.actor("xzganbu"), unit, start=date(2026, 11, 2))
    assert deadline.due_date == date(2026, 11, 23)
    closed = close_deadline(actor=demo.actor("xzganbu"), target=village_of(unit), kind=KIND, met_on=met_on)
    assert closed is not None
    assert (closed.state, closed.met_on) == (state, met_on)
    assert closed.closed_at is not None
    event = AuditEvent.objects.filter(action=action, target_id=str(deadline.pk)).get()
    assert event.changes["state"] == ["open", state]


def test_closing_when_nothing_is_open_returns_none(demo):
    assert close_deadline(actor=None, target=village_of(unit_named("宝山")), kind=KIND) is None


def test_opening_is_on_record_with_the_rule_it_enforces(demo):
    deadline = open_on(demo.actor("xzganbu"), unit_named("宝山"), start=date(2026, 11, 2))
    event = AuditEvent.objects.get(action="deadline.opened", target_id=str(deadline.pk))
    assert event.actor_name == "xzganbu"
    assert event.detail["rule"] == "测试规则：15 个工作日内办结"
    assert event.detail["period"] == "15 个工作日"


@pytest.mark.parametrize(("working_days", "months"), [(None, None), (5, 1), (0, None), (None, 0)])
def test_exactly_one_positive_period_is_required(demo, working_days, months):
    with pytest.raises(ValidationFailed):
        open_deadline(
            actor=None,
            target=village_of(unit_named("宝山")),
            kind=KIND,
            label="x",
            start=date(2026, 11, 2),
            working_days=working_days,
            months=months,
        )


def test_an_unregistered_kind_is_refused(demo):
    with pytest.raises(ValidationFailed, match="未登记的时限类别"):
        open_on(None, unit_named("宝山"), start=date(2026, 11, 2), kind="nobody.registered")


@pytest.mark.parametrize("username", ["xitong", "anquan", "shenji", "jianduyuan"])
def test_administrators_and_supervisors_cannot_set_deadlines(demo, username):
    """三员分立: administrators never touch case matters; village supervisors only submit."""
    with pytest.raises(NotPermitted):
        open_on(demo.actor(username), unit_named("宝山"), start=date(2026, 11, 2))


def test_cancelling_needs_a_reason_and_stops_the_timer(demo):
    unit = unit_named("宝山")
    open_on(None, unit, start=date(2026, 11, 2))
    with pytest.raises(ValidationFailed):
        cancel_deadline(actor=None, target=village_of(unit), kind=KIND, reason=" ")
    cancelled = cancel_deadline(actor=None, target=village_of(unit), kind=KIND, reason="已转上级纪委监委办理")
    assert cancelled is not None and cancelled.state == DeadlineState.CANCELLED
    assert AuditEvent.objects.filter(action="deadline.cancelled", target_id=str(cancelled.pk)).exists()
