"""The calendar is national data, not case data: every staff and administrator account reads it,
village supervisors do not; scope and predicate agree, as for every protected object type."""

from __future__ import annotations

from datetime import date

import pytest

from xiezuoqu.access.actor import actor_for
from xiezuoqu.access.registry import POLICIES
from xiezuoqu.workdays.models import CalendarDay, CalendarYear
from xiezuoqu.workdays.services import enter_calendar_year, set_calendar_day

pytestmark = pytest.mark.django_db
WHO = ["system_admin", "security_admin", "audit_admin", "case_manager", "township_staff", "village_supervisor"]


@pytest.fixture
def entries(admin_actor):
    enter_calendar_year(
        actor=admin_actor,
        year=2027,
        source="国务院办公厅关于2027年部分节假日安排的通知",
        published_on=date(2026, 11, 20),
        days=[(date(2027, 1, 1), "holiday", "元旦")],
    )
    set_calendar_day(actor=admin_actor, day=date(2026, 10, 9), kind="holiday", name="国庆节（调整）")


def test_both_calendar_models_are_under_a_policy():
    assert {CalendarYear, CalendarDay} <= set(POLICIES)


@pytest.mark.parametrize("who", WHO)
def test_scope_and_predicate_agree(request, entries, who):
    actor = actor_for(request.getfixturevalue(who))
    for model in (CalendarYear, CalendarDay):
        policy = POLICIES[model]
        scoped = set(policy.scope(actor).values_list("pk", flat=True))
        predicate = {obj.pk for obj in model._default_manager.all() if policy.can_view(actor, obj)}
        assert scoped == predicate
        assert bool(scoped) is (who != "village_supervisor")
