"""Small builders for test data. Tests that need a whole county use the ``demo`` fixture instead."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from xiezuoqu.accounts.models import RoleAssignment, User
from xiezuoqu.org.models import Commission, StaffMember, Unit, Village, Zone, ZoneMembership

_seq = itertools.count(1)


def make_commission(**kw: Any) -> Commission:
    n = next(_seq)
    defaults: dict[str, Any] = {"name": f"测试市纪委监委{n}", "short_name": f"测{n}"}
    defaults.update(kw)
    return Commission.objects.create(**defaults)


def make_unit(commission: Commission, kind: str = Unit.Kind.TOWNSHIP_COMMITTEE, **kw: Any) -> Unit:
    n = next(_seq)
    defaults: dict[str, Any] = {"name": f"测试单位{n}", "kind": kind, "commission": commission}
    if kind == Unit.Kind.TOWNSHIP_COMMITTEE:
        defaults["township_type"] = Unit.TownshipType.TOWN
    defaults.update(kw)
    return Unit.objects.create(**defaults)


def make_village(township: Unit, **kw: Any) -> Village:
    return Village.objects.create(township=township, name=kw.pop("name", f"测试村{next(_seq)}"), **kw)


def make_staff(unit: Unit, **kw: Any) -> StaffMember:
    defaults: dict[str, Any] = {
        "name": f"干部{next(_seq)}",
        "commission": unit.commission,
        "home_unit": unit,
        "position": "干部",
    }
    defaults.update(kw)
    return StaffMember.objects.create(**defaults)


def make_user(
    *roles: str,
    unit: Unit | None = None,
    staff: StaffMember | None = None,
    commission: Commission | None = None,
    password: str = "correct horse battery",
    **kw: Any,
) -> User:
    commission = commission or (unit.commission if unit else staff.commission if staff else None)
    user = User.objects.create_user(
        username=kw.pop("username", f"user{next(_seq)}"),
        password=password,
        commission=commission,
        staff=staff,
        **kw,
    )
    for role in roles:
        RoleAssignment.objects.create(user=user, role=role, unit=unit)
    return user


def make_zone(commission: Commission, *units: Unit, leader: StaffMember | None = None, **kw: Any) -> Zone:
    n = next(_seq)
    zone = Zone.objects.create(
        commission=commission, number=n, name=kw.pop("name", f"第{n}协作区"), leader=leader, **kw
    )
    for unit in units:
        ZoneMembership.objects.create(zone=zone, unit=unit, start_date=date(2024, 1, 1))
    return zone
