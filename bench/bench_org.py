#!/usr/bin/env python
"""Benchmark the organisation at province scale: scoped reads and the org pages.

Builds a province commission with N county commissions below it (each shaped like the demo county:
21 townships, 4 zones, ~100 staff, villages), then measures, through the real views and API:
- building the actor of a province-level commission-wide role (walks the commission tree),
- the staff directory page (50 rows) and the staff API (100 rows) for county and province roles,
- the zone org chart of one county,
reporting median and p95 server time and the query count of each.

    .venv/bin/python bench/bench_org.py                  # 100 counties, throwaway SQLite in var/bench/
    .venv/bin/python bench/bench_org.py --counties 20
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/bench_org.py --wipe
"""

from __future__ import annotations

import argparse
import statistics
import time

from _env import setup_django


def setup(args: argparse.Namespace) -> None:
    setup_django("org", wipe=args.wipe)


def build(counties: int) -> None:
    """A province, its counties, each with the demo county's shape (bulk inserts, no audit rows)."""
    from datetime import date

    from xiezuoqu.accounts.models import RoleAssignment, User
    from xiezuoqu.accounts.roles import Role
    from xiezuoqu.org.models import Commission, StaffMember, Unit, Village, Zone, ZoneMembership

    province = Commission.objects.create(name="基准省纪委监委", short_name="基省", level="province")
    password = User.objects.make_random_password() if hasattr(User.objects, "make_random_password") else "x"
    for c in range(counties):
        county = Commission.objects.create(name=f"基准县{c}纪委监委", short_name=f"基{c}", parent=province)
        units = [Unit(commission=county, kind=Unit.Kind.LEADERSHIP, name="委领导班子", sort_order=0)]
        units += [
            Unit(commission=county, kind=Unit.Kind.INSPECTION_OFFICE, name=f"第{i}纪检监察室", sort_order=1)
            for i in range(4)
        ]
        units += [
            Unit(
                commission=county,
                kind=Unit.Kind.TOWNSHIP_COMMITTEE,
                name=f"乡镇{i}纪委",
                township_type="town",
                sort_order=10 + i,
            )
            for i in range(21)
        ]
        units = Unit.objects.bulk_create(units)
        leadership, offices, townships = units[0], units[1:5], units[5:]
        Village.objects.bulk_create([Village(township=t, name=f"村{v}") for t in townships for v in range(7)])
        staff = [
            StaffMember(commission=county, name=f"领导{i}", home_unit=leadership, position="纪委常委") for i in range(5)
        ]
        staff += [
            StaffMember(commission=county, name=f"室{i}", home_unit=offices[i % 4], position="干部", experience=3)
            for i in range(16)
        ]
        staff += [
            StaffMember(commission=county, name=f"乡{i}", home_unit=townships[i % 21], position="干部")
            for i in range(63)
        ]
        staff = StaffMember.objects.bulk_create(staff)
        zones = Zone.objects.bulk_create(
            [
                Zone(
                    commission=county,
                    number=z + 1,
                    name=f"第{z + 1}协作区",
                    leader=staff[z],
                    inspection_office=offices[z],
                )
                for z in range(4)
            ]
        )
        ZoneMembership.objects.bulk_create(
            [ZoneMembership(zone=zones[i % 4], unit=t, start_date=date(2024, 1, 1)) for i, t in enumerate(townships)]
            + [ZoneMembership(zone=zones[i], unit=o, start_date=date(2024, 1, 1)) for i, o in enumerate(offices)]
        )
        if c == 0:
            for username, role, unit, person in [
                ("b_county_head", Role.COMMISSION_HEAD, leadership, staff[4]),
                ("b_township", Role.TOWNSHIP_STAFF, townships[0], staff[21]),
            ]:
                user = User.objects.create(username=username, commission=county, staff=person, password=password)
                RoleAssignment.objects.create(user=user, role=role, unit=unit)
    head_unit = Unit.objects.create(commission=province, kind=Unit.Kind.LEADERSHIP, name="委领导班子")
    head = StaffMember.objects.create(commission=province, name="省领导", home_unit=head_unit, position="书记")
    user = User.objects.create(username="b_province_head", commission=province, staff=head, password=password)
    RoleAssignment.objects.create(user=user, role=Role.COMMISSION_HEAD, unit=head_unit)


def measure(label: str, fn, repeat: int) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection, reset_queries

    response = fn()  # warm up
    if getattr(response, "status_code", 200) != 200:
        raise SystemExit(f"{label}: HTTP {response.status_code}")
    times, queries = [], 0
    from django.conf import settings

    settings.DEBUG = True
    for _ in range(repeat):
        reset_queries()
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
        queries = len(connection.queries)
    settings.DEBUG = False
    times.sort()
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    print(f"  {label:<46} median {statistics.median(times):7.2f} ms   p95 {p95:7.2f} ms   {queries:3d} queries")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--counties", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--wipe", action="store_true", help="flush DATABASE_URL first (never on real data)")
    args = parser.parse_args()
    setup(args)
    from django.db import connection
    from django.test import Client

    from xiezuoqu.access.actor import build_actor
    from xiezuoqu.accounts.models import User
    from xiezuoqu.org.models import StaffMember, Unit

    start = time.perf_counter()
    build(args.counties)
    print(
        f"database: {connection.vendor}; built {args.counties} counties, {StaffMember.objects.count()} staff, "
        f"{Unit.objects.count()} units in {time.perf_counter() - start:.1f} s"
    )
    province = User.objects.get(username="b_province_head")
    county = User.objects.get(username="b_county_head")
    township = User.objects.get(username="b_township")
    measure("build actor (province head, commission tree)", lambda: build_actor(province), args.repeat)
    for name, user in (("township staff", township), ("county head", county), ("province head", province)):
        client = Client()
        client.force_login(user)
        measure(f"staff page, 50 rows ({name})", lambda c=client: c.get("/org/staff/"), args.repeat)
        measure(f"staff API, 100 rows ({name})", lambda c=client: c.get("/api/v1/org/staff?limit=100"), args.repeat)
    client = Client()
    client.force_login(county)
    measure("zone org chart (county head)", lambda: client.get("/org/"), args.repeat)


if __name__ == "__main__":
    main()
