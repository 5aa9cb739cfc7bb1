"""Who sees which deadline, extension and 督办单: scope and predicate agree for every demo login, with
deadlines in all four zones; administrators and village supervisors see none (case content)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.deadlines.conftest import open_on, unit_named
from xiezuoqu.deadlines.models import Deadline, DeadlineExtension, SupervisionSlip
from xiezuoqu.deadlines.selectors import DEADLINES, EXTENSIONS, SLIPS, may_see_overdue_list
from xiezuoqu.deadlines.services import request_extension, sweep_deadlines
from xiezuoqu.demo.data import DEMO_LOGINS

pytestmark = pytest.mark.django_db
LOGINS = [username for username, _, _ in DEMO_LOGINS]


@pytest.fixture
def spread(demo):
    """An overdue deadline in one township of each zone, one extension, and the sweep's slips."""
    rows = {
        name: open_on(None, unit_named(name), start=date(2026, 11, 2)) for name in ("宝山", "东汤", "赛马", "青城子")
    }
    request_extension(actor=demo.actor("xzganbu"), deadline_id=rows["宝山"].pk, working_days=3, reason="理由")
    sweep_deadlines(date(2026, 11, 26))
    return rows


@pytest.mark.parametrize("username", LOGINS)
def test_scope_and_predicate_agree(demo, spread, username):
    actor = demo.actor(username)
    for policy, model in ((DEADLINES, Deadline), (EXTENSIONS, DeadlineExtension), (SLIPS, SupervisionSlip)):
        scoped = set(policy.scope(actor).values_list("pk", flat=True))
        predicate = {obj.pk for obj in model.objects.all() if policy.can_view(actor, obj)}
        assert scoped == predicate, f"{username} × {model.__name__}"


def _seen(demo, username):
    return {d.responsible_unit.name for d in DEADLINES.scope(demo.actor(username)).select_related("responsible_unit")}


def test_who_sees_what(demo, spread):
    everything = {unit_named(n).name for n in ("宝山", "东汤", "赛马", "青城子")}
    for username in ("shuji", "fenguan", "anguan", "xinfang", "shenli"):
        assert _seen(demo, username) == everything
    assert _seen(demo, "xzganbu") == {unit_named("宝山").name}
    assert _seen(demo, "xzshuji2") == {unit_named("东汤").name}
    assert unit_named("宝山").name in _seen(demo, "zuzhang1")
    assert unit_named("东汤").name not in _seen(demo, "zuzhang1")
    for username in ("xitong", "anquan", "shenji", "jianduyuan"):
        assert _seen(demo, username) == set()
        assert not SLIPS.scope(demo.actor(username)).exists()
        assert not EXTENSIONS.scope(demo.actor(username)).exists()


def test_slips_are_for_the_zone_leader_commission_leadership_and_case_management(demo, spread):
    assert SLIPS.scope(demo.actor("anguan")).count() == 4
    assert SLIPS.scope(demo.actor("shuji")).count() == 4
    assert [s.deadline_id for s in SLIPS.scope(demo.actor("zuzhang1"))] == [spread["宝山"].pk]
    for username in ("xzganbu", "fuzuzhang1", "xinfang", "xzshuji2"):
        assert not SLIPS.scope(demo.actor(username)).exists()


@pytest.mark.parametrize(
    ("username", "allowed"),
    [
        ("zuzhang1", True),
        ("fuzuzhang1", True),
        ("anguan", True),
        ("shuji", True),
        ("xzganbu", False),
        ("xitong", False),
    ],
)
def test_the_overdue_list_is_for_zone_leadership_and_commission_wide_roles(demo, username, allowed):
    assert may_see_overdue_list(demo.actor(username)) is allowed
