#!/usr/bin/env python
"""办案车辆: the conflict check a new booking does, with 100,000 bookings in the table.

    .venv/bin/python bench/bench_funds.py                              # throwaway SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/bench_funds.py --wipe

Target (issue 12): p95 ≤ 10 ms on PostgreSQL.

Data: ``--rows`` bookings bulk-inserted (no services, no audit rows) across ``--commissions``
commissions, each with 10 vehicles and 20 drivers, over the year 2026: per vehicle one booking after
another (1 hour to 2 days, some up to a week, gaps of up to two days), each given a driver who is free
at the time, a share cancelled. So the table holds what the service and the PostgreSQL exclusion
constraints of migration 0002 allow: no vehicle and no driver booked twice for overlapping times.

Timed, for ``--samples`` random new bookings (a random vehicle and driver of one commission, a random
start in the year, 1 to 48 hours): what ``services.book_vehicle`` does before it writes — lock the
vehicle and the driver (``select_for_update``) and run ``selectors.overlapping`` for each — inside a
transaction that is rolled back; next to the raw SQL of the same two overlap queries. On PostgreSQL
the plan of the vehicle query is printed. A database given by DATABASE_URL must hold no bookings (or
pass --wipe: it flushes the whole database, so never point it at a database that matters).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from _env import setup_django

VEHICLES = 10  # per commission
DRIVERS = 20
YEAR_START = datetime(2026, 1, 1, tzinfo=UTC)
YEAR_END = datetime(2027, 1, 1, tzinfo=UTC)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000, help="bookings to insert (default 100000)")
    parser.add_argument("--commissions", type=int, default=20, help="commissions (default 20)")
    parser.add_argument("--samples", type=int, default=500, help="timed new bookings (default 500)")
    parser.add_argument("--wipe", action="store_true", help="flush the DATABASE_URL database first")
    return parser.parse_args()


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]


def build_world(commissions: int) -> list[dict[str, Any]]:
    """Commissions, each with a zone, 10 vehicles, 20 drivers and the user who books."""
    from xiezuoqu.accounts.models import User
    from xiezuoqu.funds.models import Vehicle
    from xiezuoqu.org.models import Commission, StaffMember, Unit, Zone

    world = []
    for c in range(commissions):
        commission = Commission.objects.create(name=f"基准第{c + 1}县纪委监委", short_name=f"基{c + 1}")
        office = Unit.objects.create(commission=commission, kind=Unit.Kind.LEADERSHIP, name="委领导班子")
        leader = StaffMember.objects.create(commission=commission, name="组长", home_unit=office, position="纪委常委")
        zone = Zone.objects.create(commission=commission, number=1, name="第1协作区", leader=leader)
        drivers = StaffMember.objects.bulk_create(
            StaffMember(commission=commission, name=f"驾驶员{d + 1}", home_unit=office, position="驾驶员")
            for d in range(DRIVERS)
        )
        vehicles = Vehicle.objects.bulk_create(
            Vehicle(commission=commission, plate=f"基{c + 1:03d}{v:02d}", seats=5, zone=zone) for v in range(VEHICLES)
        )
        user = User.objects.create(username=f"b_fleet_{c + 1}", commission=commission, staff=leader)
        world.append({"commission": commission, "zone": zone, "drivers": drivers, "vehicles": vehicles, "user": user})
    return world


def insert_bookings(world: list[dict[str, Any]], rows: int, rng: random.Random) -> float:
    from django.db import transaction

    from xiezuoqu.funds.models import Booking, BookingState, MatterKind

    per_commission = rows // len(world)
    started = time.perf_counter()
    for c, place in enumerate(world):
        count = per_commission + (rows - per_commission * len(world) if c == len(world) - 1 else 0)
        per_vehicle = [count // VEHICLES + (1 if v < count % VEHICLES else 0) for v in range(VEHICLES)]
        # The year's hours divided between the vehicle's bookings: a booking and the gap after it.
        slots: list[tuple[datetime, datetime, Any]] = []
        for vehicle, n in zip(place["vehicles"], per_vehicle, strict=True):
            span = (YEAR_END - YEAR_START) / max(n, 1)
            moment = YEAR_START
            for _ in range(n):
                length = min(span * rng.uniform(0.3, 0.9), timedelta(days=7))
                length = max(length, timedelta(hours=1))
                start = moment + (span - length) * rng.random()
                slots.append((start, start + length, vehicle))
                moment += span
        slots.sort(key=lambda slot: slot[0])
        free_at = {driver.pk: YEAR_START for driver in place["drivers"]}
        batch = []
        for start, end, vehicle in slots:
            free = [pk for pk, at in free_at.items() if at <= start]
            if not free:  # every driver out: the vehicle stays in the garage this time
                continue
            driver_id = rng.choice(free)
            cancelled = rng.random() < 0.05
            if not cancelled:
                free_at[driver_id] = end
            batch.append(
                Booking(
                    commission=place["commission"],
                    vehicle=vehicle,
                    driver_id=driver_id,
                    matter_kind=MatterKind.CASE,
                    matter_id=rng.randint(1, 5_000),
                    matter_label="基准案件",
                    zone=place["zone"],
                    starts_at=start,
                    ends_at=end,
                    destination="基准目的地",
                    state=BookingState.CANCELLED
                    if cancelled
                    else (BookingState.DONE if end < YEAR_START + timedelta(days=330) else BookingState.BOOKED),
                    booked_by=place["user"],
                )
            )
        with transaction.atomic():
            Booking.objects.bulk_create(batch, batch_size=2_000)
    return time.perf_counter() - started


RAW_OVERLAP = (
    "SELECT id, starts_at, ends_at FROM funds_booking WHERE {column} = %s AND starts_at < %s "
    "AND starts_at > %s AND ends_at > %s AND NOT (state = 'cancelled') ORDER BY starts_at, id LIMIT 1"
)


def main() -> int:
    args = parse_args()
    setup_django("funds", wipe=args.wipe)
    from django.db import connection, transaction

    from xiezuoqu.funds import selectors
    from xiezuoqu.funds.models import Booking, Vehicle
    from xiezuoqu.funds.services import MAX_BOOKING
    from xiezuoqu.org.models import StaffMember

    if Booking.objects.exists():
        sys.exit("该数据库已有用车预约；基准测试只在空库上运行（或加 --wipe 清空整个数据库）。")
    rng = random.Random(2026)
    world = build_world(args.commissions)
    load = insert_bookings(world, args.rows, rng)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE funds_booking")
    size = Booking.objects.count()
    database = f"{connection.vendor} {connection.settings_dict.get('NAME')}"
    print(
        f"办案车辆 conflict check on {database}: {size:,} bookings ({args.commissions} commissions × "
        f"{VEHICLES} vehicles, {DRIVERS} drivers), inserted in {load:.1f} s"
    )

    class Rollback(Exception):
        pass

    probes = []
    for _ in range(args.samples):
        place = rng.choice(world)
        start = YEAR_START + timedelta(minutes=rng.randint(0, 365 * 24 * 60 - 48 * 60))
        end = start + timedelta(hours=rng.randint(1, 48))
        probes.append((rng.choice(place["vehicles"]).pk, rng.choice(place["drivers"]).pk, start, end))

    clashes = 0
    orm: list[float] = []
    for vehicle_id, driver_id, start, end in probes:
        began = time.perf_counter()
        try:
            with transaction.atomic():
                vehicle = Vehicle.objects.select_for_update().get(pk=vehicle_id)
                driver = StaffMember.objects.select_for_update().get(pk=driver_id)
                by_vehicle = selectors.overlapping(Booking.objects.filter(vehicle=vehicle), start, end, MAX_BOOKING)
                clash = by_vehicle.first()
                if clash is None:
                    by_driver = selectors.overlapping(Booking.objects.filter(driver=driver), start, end, MAX_BOOKING)
                    clash = by_driver.first()
                clashes += clash is not None
                raise Rollback
        except Rollback:
            pass
        orm.append(time.perf_counter() - began)

    bare: list[float] = []  # the same two overlap queries through the ORM, no locks, no transaction
    for vehicle_id, driver_id, start, end in probes:
        began = time.perf_counter()
        clash = selectors.overlapping(Booking.objects.filter(vehicle_id=vehicle_id), start, end, MAX_BOOKING).first()
        if clash is None:
            selectors.overlapping(Booking.objects.filter(driver_id=driver_id), start, end, MAX_BOOKING).first()
        bare.append(time.perf_counter() - began)

    raw: list[float] = []
    for vehicle_id, driver_id, start, end in probes:
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(RAW_OVERLAP.format(column="vehicle_id"), [vehicle_id, end, start - MAX_BOOKING, start])
            if cursor.fetchone() is None:
                cursor.execute(RAW_OVERLAP.format(column="driver_id"), [driver_id, end, start - MAX_BOOKING, start])
                cursor.fetchone()
        raw.append(time.perf_counter() - began)

    p50, p95, worst = percentile(orm, 50), percentile(orm, 95), max(orm)
    raw50, bare50 = percentile(raw, 50), percentile(bare, 50)
    met = "met" if p95 <= 0.010 else "NOT met"
    target = f"target ≤ 10 ms on PostgreSQL: {met}" if connection.vendor == "postgresql" else "target is for PostgreSQL"
    print(f"  {args.samples} new bookings ({clashes} would clash), locks + overlap queries, rolled back:")
    print(f"  p50 {p50 * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms, max {worst * 1000:.2f} ms ({target})")
    print(
        f"  the overlap queries alone through the ORM: p50 {bare50 * 1000:.2f} ms, p95 "
        f"{percentile(bare, 95) * 1000:.2f} ms; raw SQL of the same: p50 {raw50 * 1000:.2f} ms, p95 "
        f"{percentile(raw, 95) * 1000:.2f} ms"
    )
    print(
        f"  ratio to the raw SQL: ORM queries {bare50 / raw50:.1f}×, whole check {p50 / raw50:.1f}× "
        f"(the check adds the two row locks and the transaction)"
    )
    if connection.vendor == "postgresql":
        vehicle_id, _, start, end = probes[0]
        with connection.cursor() as cursor:
            cursor.execute(
                "EXPLAIN ANALYZE " + RAW_OVERLAP.format(column="vehicle_id"),
                [vehicle_id, end, start - MAX_BOOKING, start],
            )
            print("  plan of the vehicle query:")
            for (line,) in cursor.fetchall():
                print(f"    {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
