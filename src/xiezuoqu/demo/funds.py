"""Demo 办案经费与车辆 of 凤城市: the four zones' budgets of the year with claims in every state, an approved
追加, a pool of six vehicles with a month of bookings and trips (some for confidential measures), and
trip costs claimed against 交通. Each step runs on its story day (demo.clock): the budgets in early
January, the claims spread over the year after their matter was opened, a booking two days before its trip.

Everything goes through the real services as the demo logins (案管 ``anguan`` sets budgets and keeps the
pool, each zone's 纪检监察室 ``jianchashiN`` claims and books, the zone leader and the commission's
leaders approve). Like the other loaders it runs once: nothing is done when the pool has vehicles.
Claims need a matter: a zone without a clue the zone's office may see gets its budget only.
"""

from __future__ import annotations

import time as clock
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from xiezuoqu.clues.models import Clue
from xiezuoqu.clues.selectors import clues_visible_to
from xiezuoqu.funds import services
from xiezuoqu.funds.models import BudgetLine, LineKind, Vehicle
from xiezuoqu.org.models import Commission, StaffMember, Zone

from .casework import actor_of, approve_all
from .clock import Story, Timeline, moment, story_clock, workday_on_or_after, workdays_after
from .data import COMMISSION_NAME

MANAGER = "anguan"
AMOUNTS = {"subsidy": "120000.00", "transport": "30000.00", "travel": "40000.00", "other": "10000.00"}
PLATES = (
    ("辽F·J1001", "别克GL8", 7, 1),
    ("辽F·J1002", "大众帕萨特", 5, 2),
    ("辽F·J1003", "丰田汉兰达", 7, 3),
    ("辽F·J1004", "大众帕萨特", 5, 4),
    ("辽F·J1005", "江铃全顺", 9, None),
    ("辽F·J1006", "比亚迪汉", 5, None),
)
DESTINATIONS = ("宝山镇", "东汤镇", "赛马镇", "青城子镇", "凤山街道", "边门镇", "爱阳镇", "沙里寨镇")


@dataclass
class FundsSummary:
    loaded: bool = False
    budgets: int = 0
    claims: int = 0
    vehicles: int = 0
    bookings: int = 0
    trips: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        return (
            f"演示办案经费与车辆：协作区预算 {self.budgets} 份，经费申请 {self.claims} 件，车辆 {self.vehicles} 辆，"
            f"用车预约 {self.bookings} 次，出车记录 {self.trips} 条；用时 {self.seconds:.1f} 秒。"
        )


def _matter(zone: Zone, username: str) -> Clue | None:
    return clues_visible_to(actor_of(username)).filter(zone=zone).order_by("id").first()


def _claim(line: BudgetLine, matter: Clue, username: str, amount: str, purpose: str) -> Any:
    return services.create_claim(
        actor=actor_of(username),
        data=services.ClaimInput(
            line_id=line.pk,
            matter_kind="clue",
            matter_id=matter.pk,
            amount=amount,
            purpose=purpose,
            people="核查组成员",
        ),
    )


def _claims_for_zone(
    zone_no: int, lines: dict[str, BudgetLine], matter: Clue, summary: FundsSummary, today: date
) -> Story:
    """The zone's claims of the year, each submitted, decided and paid on its own days after the matter
    was opened (the clock never passes the real now, so the last ones are still under way)."""
    from xiezuoqu.approvals.services import decide

    staff = f"jianchashi{zone_no}"
    actor = actor_of(staff)
    first = max(timezone.localtime(matter.created_at).date() + timedelta(days=3), date(today.year, 2, 1))
    span = max((today - first).days - 10, 10)
    days = iter(first + timedelta(days=span * n // 10) for n in range(10))

    opened = timezone.localtime(matter.created_at) + timedelta(hours=1)

    def on(day: date, hour: int = 10) -> datetime:
        return max(moment(workday_on_or_after(day), hour, 10 * zone_no), opened)  # never before the matter

    def later(workdays: int, hour: int = 15) -> datetime:
        return moment(workdays_after(timezone.localdate(), workdays), hour, 10 * zone_no)

    def submitted(code: str, amount: str, purpose: str) -> Any:
        claim = _claim(lines[code], matter, staff, amount, purpose)
        summary.claims += 1
        return services.submit_claim(actor=actor, claim_id=claim.pk)

    for amount, purpose in (("3600.00", "外调取证办案补助"), ("1280.00", "谈话场所租用")):
        yield on(next(days))
        claim = submitted("subsidy", amount, purpose)
        yield later(2)
        approve_all(claim.approval_id)
        yield later(3)
        services.pay_claim(actor=actor_of(MANAGER), claim_id=claim.pk)
    if zone_no == 2:
        yield on(next(days))
        adjustment = services.request_adjustment(
            actor=actor_of(MANAGER),
            line_id=lines["travel"].pk,
            kind="increase",
            amount="8000.00",
            reason="跨省外调增加",
        )
        yield later(3)
        approve_all(adjustment.approval_id)
    if zone_no == 1:
        # A paid claim corrected by a reversing entry, and the 交通 line past its 80 % warning.
        yield on(next(days))
        wrong = submitted("subsidy", "500.00", "重复报销的办案补助")
        approve_all(wrong.approval_id)
        yield later(2)
        services.pay_claim(actor=actor_of(MANAGER), claim_id=wrong.pk)
        yield later(8)
        services.reverse_claim(actor=actor_of(MANAGER), claim_id=wrong.pk, reason="与第一笔补助重复，冲销")
        summary.claims += 1
        yield on(next(days))
        heavy = submitted("transport", "24500.00", "租用车辆外调（全年）")
        yield later(2)
        approve_all(heavy.approval_id)
        yield later(3)
        services.pay_claim(actor=actor_of(MANAGER), claim_id=heavy.pk)
    yield on(next(days))
    withdrawn = submitted("travel", "640.00", "取消的外调差旅")
    yield later(1)
    services.withdraw_claim(actor=actor, claim_id=withdrawn.pk)
    yield on(next(days))
    rejected = submitted("subsidy", "980.00", "超标准就餐补助")
    yield later(2)
    decide(
        actor=actor_of(f"zuzhang{zone_no}"),
        approval_id=rejected.approval_id,
        decision="reject",
        comment="不符合办案补助标准",
    )
    # The last weeks: approved and waiting to be paid, waiting for the zone leader, a draft.
    yield on(today - timedelta(days=12))
    travel = submitted("travel", "2450.00", "赴外省调取银行流水差旅费")
    yield later(2)
    approve_all(travel.approval_id)
    yield on(today - timedelta(days=3))
    submitted("other", "860.00", "调查材料印制")
    yield on(today - timedelta(days=1), 16)
    _claim(lines["other"], matter, staff, "300.00", "证据保全公证费（待补票据）")
    summary.claims += 1


def _drivers(commission: Commission) -> list[StaffMember]:
    taken = set(StaffMember.objects.filter(commission=commission, user__isnull=False).values_list("id", flat=True))
    pool = [
        s for s in StaffMember.objects.filter(commission=commission, is_active=True).order_by("id") if s.pk not in taken
    ]
    return (pool or list(StaffMember.objects.filter(commission=commission).order_by("id")))[: len(PLATES)]


def _bookings(
    commission: Commission, zones: list[Zone], matters: dict[int, Clue | None], summary: FundsSummary, now: datetime
) -> Iterator[Story]:
    """One story per vehicle of the pool: added at the start of the month shown, each booking made two
    days ahead, driven, its trip logged when the car is back and some trip costs claimed the next day."""
    drivers = _drivers(commission)
    for index, (_, _, _, zone_no) in enumerate(PLATES):
        served = zone_no or (1 + index % 2)
        yield _vehicle_story(
            index,
            zone=zones[zone_no - 1] if zone_no else None,
            served=served,
            matter=matters.get(served),
            driver=drivers[index % len(drivers)],
            now=now,
            summary=summary,
        )


def _vehicle_story(
    index: int,
    *,
    zone: Zone | None,
    served: int,
    matter: Clue | None,
    driver: StaffMember,
    now: datetime,
    summary: FundsSummary,
) -> Story:
    plate, model_name, seats, _ = PLATES[index]
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    yield today - timedelta(days=36 - index, hours=-9)
    car = services.add_vehicle(
        actor=actor_of(MANAGER),
        data=services.VehicleInput(
            plate=plate,
            seats=seats,
            zone_id=zone.pk if zone else None,
            model_name=model_name,
            odometer_km=20000 + 7919 * index,
        ),
    )
    summary.vehicles += 1
    if matter is None:
        return
    staff = f"jianchashi{served}"
    odometer = car.odometer_km
    for day in range(-30, 8, 3):
        start: datetime = today + timedelta(days=day + index % 3, hours=8, minutes=30)
        booked = start - timedelta(days=2, hours=-7)
        if booked < matter.created_at:
            continue  # no trip for a matter not yet opened
        yield booked
        booking = services.book_vehicle(
            actor=actor_of(staff),
            data=services.BookingInput(
                vehicle_id=car.pk,
                driver_id=driver.pk,
                matter_kind="clue",
                matter_id=matter.pk,
                starts_at=start,
                ends_at=start + timedelta(hours=8, minutes=30),
                destination=DESTINATIONS[(day + index) % len(DESTINATIONS)],
                passengers="核查组成员",
                confidential=day % 4 == 0,
            ),
        )
        summary.bookings += 1
        back = start + timedelta(hours=9)
        if back >= now:
            continue
        yield back
        distance = 40 + (day * 7 + index * 13) % 90
        trip = services.record_trip(
            actor=actor_of(staff),
            booking_id=booking.pk,
            odometer_start=odometer,
            odometer_end=odometer + distance,
            cost=f"{distance * 0.85:.2f}",
        )
        odometer += distance + 3
        summary.trips += 1
        if day in (-30, -18):
            yield back + timedelta(hours=16)  # the next morning
            claim = services.claim_trip(actor=actor_of(staff), trip_id=trip.pk)
            summary.claims += 1
            claim = services.submit_claim(actor=actor_of(staff), claim_id=claim.pk)
            yield back + timedelta(hours=20)  # approved by its early afternoon
            approve_all(claim.approval_id)


def load_demo_funds() -> FundsSummary:
    started = clock.monotonic()
    commission = Commission.objects.filter(name=COMMISSION_NAME, is_demo=True).first()
    if commission is None or Vehicle.objects.filter(commission=commission).exists():
        return FundsSummary()
    summary = FundsSummary(loaded=True)
    services.ensure_funds_setup(commission)
    now = timezone.localtime()
    today = now.date()
    kinds = {k.code: k.pk for k in LineKind.objects.filter(commission=commission)}
    zones = list(Zone.objects.filter(commission=commission).order_by("id"))[:4]
    matters: dict[int, Clue | None] = {
        zone_no: _matter(zone, f"jianchashi{zone_no}") for zone_no, zone in enumerate(zones, 1)
    }
    with story_clock() as story:
        timeline = Timeline(story)
        # The city's allocation reaches the zones in the first working days of the year.
        story.set(moment(workday_on_or_after(date(today.year, 1, 5)), 10))
        for zone_no, zone in enumerate(zones, start=1):
            budget = services.set_budget(
                actor=actor_of(MANAGER),
                zone_id=zone.pk,
                year=today.year,
                amounts={kinds[code]: value for code, value in AMOUNTS.items() if code in kinds},
                note="市级财政下达协作区办案经费",
            )
            summary.budgets += 1
            lines = {line.kind.code: line for line in BudgetLine.objects.filter(budget=budget).select_related("kind")}
            matter = matters[zone_no]
            if matter is not None:
                timeline.add(_claims_for_zone(zone_no, lines, matter, summary, today))
        for vehicle in _bookings(commission, zones, matters, summary, now):
            timeline.add(vehicle)
        timeline.run()
    summary.seconds = clock.monotonic() - started
    return summary
