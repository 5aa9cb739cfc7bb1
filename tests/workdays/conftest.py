"""People and data for the working-day calendar tests."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from tests.factories import make_commission, make_staff, make_unit, make_user, make_village
from xiezuoqu.access.actor import actor_for
from xiezuoqu.accounts.roles import Role
from xiezuoqu.org.models import Unit, VillageSupervisor
from xiezuoqu.workdays.selectors import forget_cached_calendar

# A made-up 2027 schedule for the tests (the real notice is not published yet): text format.
SCHEDULE_2027 = """\
# 测试用的 2027 年安排（虚构）
2027-01-01~2027-01-03 休 元旦
2027-02-06~2027-02-12 休 春节
2027-02-20 班 春节调休
2027-10-01~2027-10-07 休 国庆节
2027-10-09 班 国庆节调休
"""


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    forget_cached_calendar()
    yield
    forget_cached_calendar()


@pytest.fixture(autouse=True)
def _today():
    # "Today" is 2026-11-26: 2026 is in the package, 2027 not yet published.
    with time_machine.travel(date(2026, 11, 26), tick=False):
        yield


@pytest.fixture
def commission():
    return make_commission()


@pytest.fixture
def system_admin(commission):
    return make_user(Role.SYSTEM_ADMIN, commission=commission)


@pytest.fixture
def security_admin(commission):
    return make_user(Role.SECURITY_ADMIN, commission=commission)


@pytest.fixture
def audit_admin(commission):
    return make_user(Role.AUDIT_ADMIN, commission=commission)


@pytest.fixture
def case_manager(commission):
    office = make_unit(commission, Unit.Kind.CASE_MANAGEMENT_OFFICE)
    return make_user(Role.CASE_MANAGER, unit=office, staff=make_staff(office))


@pytest.fixture
def township_staff(commission):
    township = make_unit(commission)
    return make_user(Role.TOWNSHIP_STAFF, unit=township, staff=make_staff(township))


@pytest.fixture
def village_supervisor(commission):
    village = make_village(make_unit(commission))
    record = VillageSupervisor.objects.create(village=village, name="监督员甲", start_date=date(2025, 1, 1))
    return make_user(Role.VILLAGE_SUPERVISOR, commission=commission, village_supervisor=record)


@pytest.fixture
def admin_actor(system_admin):
    return actor_for(system_admin)
