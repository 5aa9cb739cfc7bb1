"""Helpers for the funds tests: the demo county with its funds set up, a zone budget, a clue to serve."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from tests.clues.conftest import open_other
from tests.intake.conftest import demo_actor
from xiezuoqu.approvals.services import decide
from xiezuoqu.clues.models import Clue
from xiezuoqu.funds import services
from xiezuoqu.funds.models import BudgetLine, Claim, Vehicle, ZoneBudget
from xiezuoqu.org.models import Commission, StaffMember, Zone

YEAR = timezone.localdate().year


def setup_funds() -> Commission:
    commission = Commission.objects.get(is_demo=True)
    services.ensure_funds_setup(commission)
    return commission


def zone(number: int = 1) -> Zone:
    return Zone.objects.filter(commission__is_demo=True).order_by("id")[number - 1]


def budget(number: int = 1, **amounts: str) -> ZoneBudget:
    setup_funds()
    values = {"subsidy": "10000.00", "transport": "3000.00", "travel": "5000.00", "other": "1000.00", **amounts}
    from xiezuoqu.funds.models import LineKind

    kinds = {k.code: k.pk for k in LineKind.objects.filter(commission__is_demo=True)}
    return services.set_budget(
        actor=demo_actor("anguan"),
        zone_id=zone(number).pk,
        year=YEAR,
        amounts={kinds[code]: value for code, value in values.items()},
    )


def line(found: ZoneBudget, code: str = "subsidy") -> BudgetLine:
    return BudgetLine.objects.get(budget=found, kind__code=code)


def clue() -> Clue:
    return open_other("xzshuji")


def draft(found_line: BudgetLine, matter: Clue, amount: str = "1200.00", username: str = "xzshuji") -> Claim:
    return services.create_claim(
        actor=demo_actor(username),
        data=services.ClaimInput(
            line_id=found_line.pk,
            matter_kind="clue",
            matter_id=matter.pk,
            amount=amount,
            purpose="外出调查取证的办案补助",
            people="张三、李四",
        ),
    )


def approve_claim(claim: Claim) -> Claim:
    claim.refresh_from_db()
    approval = claim.approval
    assert approval is not None
    approvers = {"zone_leader": "zuzhang1", "commission_leader": "fenguan", "commission_head": "shuji"}
    for step in approval.steps:
        decide(actor=demo_actor(approvers[step["role"]]), approval_id=approval.pk, decision="approve", comment="同意")
    claim.refresh_from_db()
    return claim


def vehicle(plate: str = "辽F·J0001", odometer: int = 1000) -> Vehicle:
    setup_funds()
    return services.add_vehicle(
        actor=demo_actor("anguan"),
        data=services.VehicleInput(plate=plate, seats=5, zone_id=zone(1).pk, odometer_km=odometer),
    )


def driver(index: int = 0) -> StaffMember:
    return StaffMember.objects.filter(commission__is_demo=True).order_by("id")[index]


def at(hours: float) -> datetime:
    base = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    return base + timedelta(hours=hours)


def booking_input(car: Vehicle, matter: Any, start: float, end: float, **kw: Any) -> services.BookingInput:
    values: dict[str, Any] = {
        "vehicle_id": car.pk,
        "driver_id": driver().pk,
        "matter_kind": "clue",
        "matter_id": matter.pk,
        "starts_at": at(start),
        "ends_at": at(end),
        "destination": "宝山镇双山子村",
        "passengers": "张三、李四",
        **kw,
    }
    return services.BookingInput(**values)


def money(value: str) -> Decimal:
    return Decimal(value)
