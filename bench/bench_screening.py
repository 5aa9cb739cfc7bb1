#!/usr/bin/env python
"""大数据监督: all six screening rules over 1 M payment rows of one commission.

    .venv/bin/python bench/bench_screening.py --rows 20000                 # throwaway SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_screening .venv/bin/python bench/bench_screening.py --wipe

Target (issue 15): all rules over 1 M rows in ≤ 60 s on PostgreSQL.

Data: one commission with ``--townships`` townships of 10 villages each, 400 cadres (each with a
declared relative in a village), a reference list of 2,000 persons dead or moved away, the standard of
the subsidy items; then ``--rows`` payment rows (惠农 subsidies and 三资 payments, about three per
payee) with each ID number sealed (SM4-GCM) and blind-indexed (HMAC-SM3) as the import does, loaded
with COPY (psycopg ``cursor.copy``) on PostgreSQL, ``bulk_create`` on SQLite. About one row in a
thousand is a planted anomaly (a duplicate, a relative, a dead payee, an amount over the standard, a
split, a round cluster).

Timed: each rule's detector (its set-based SQL and the grouping of the rows it returns), then the
whole run as the product does it (``services.screen``: detectors plus the hit rows written), per rule
and in total, with rows/s. ``--wipe`` flushes the DATABASE_URL database first (never point it at a
database that matters).
"""

from __future__ import annotations

import argparse
import functools
import random
import sys
import time
from datetime import date, timedelta
from decimal import Decimal

from _env import setup_django

print = functools.partial(print, flush=True)  # progress shows while it runs

ITEMS_SUBSIDY = ("耕地地力保护补贴", "玉米生产者补贴", "农机购置补贴")
ITEMS_ASSETS = ("村道保洁劳务费", "水利设施维修费", "村部维修材料费")
STANDARD = Decimal("1500.00")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="payment rows (default 1000000)")
    parser.add_argument("--townships", type=int, default=30, help="townships (default 30)")
    parser.add_argument("--wipe", action="store_true", help="flush the DATABASE_URL database first")
    return parser.parse_args()


def build_world(townships: int) -> dict[str, object]:
    from xiezuoqu.accounts.models import User
    from xiezuoqu.org.models import Commission, DeclaredRelationship, StaffMember, Unit, Village

    commission = Commission.objects.create(name="基准测试市纪委监委", short_name="基纪")
    units = Unit.objects.bulk_create(
        [
            Unit(commission=commission, kind=Unit.Kind.TOWNSHIP_COMMITTEE, name=f"第{i}镇纪委", sort_order=i)
            for i in range(townships)
        ]
    )
    villages = Village.objects.bulk_create(
        [Village(township=u, name=f"{u.name[:-2]}第{j}村") for u in units for j in range(10)]
    )
    office = Unit.objects.create(commission=commission, kind=Unit.Kind.CASE_MANAGEMENT_OFFICE, name="案件监督管理室")
    staff = StaffMember.objects.bulk_create(
        [
            StaffMember(commission=commission, name=f"干部{i:04d}", home_unit=units[i % townships], position="干部")
            for i in range(400)
        ]
    )
    relationships = DeclaredRelationship.objects.bulk_create(
        [
            DeclaredRelationship(
                staff=s,
                kind=DeclaredRelationship.Kind.KIN,
                kinship=DeclaredRelationship.Kinship.SIBLING,
                person_name=f"亲属{i:04d}",
                related_village=villages[(i * 7) % len(villages)],
                declared_on=date(2025, 1, 1),
            )
            for i, s in enumerate(staff)
        ]
    )
    user = User.objects.create(username="bench_screening", commission=commission)
    return {
        "commission": commission,
        "units": units,
        "villages": villages,
        "office": office,
        "relationships": relationships,
        "user": user,
    }


def person_id(n: int) -> str:
    """A distinct valid ID number for person ``n`` (n < 18 M)."""
    from xiezuoqu.screening.imports import id_check_digit

    born = date(1940, 1, 1) + timedelta(days=n % 20000)
    first = f"2106{(n // 20000) % 100:02d}{born:%Y%m%d}{(n // 2_000_000) % 1000:03d}"
    return first + id_check_digit(first)


def load_rows(world: dict[str, object], rows: int) -> tuple[int, float, float]:
    """Generate, seal and load the rows; returns (planted anomalies, seconds preparing, seconds loading)."""
    from django.db import connection

    from xiezuoqu.crypto import blind_index, seal
    from xiezuoqu.org.models import Village
    from xiezuoqu.screening.models import ID_PURPOSE, ImportBatch, ItemStandard, MoneyKind, Payment, ReferenceList
    from xiezuoqu.screening.services import id_context

    rng = random.Random(15)
    commission = world["commission"]
    villages: list[Village] = world["villages"]  # type: ignore[assignment]
    user = world["user"]
    for item in ITEMS_SUBSIDY:
        ItemStandard.objects.create(commission=commission, kind=MoneyKind.FARM_SUBSIDY, item=item, max_amount=STANDARD)
    batch = ImportBatch.objects.create(
        commission=commission,
        kind=MoneyKind.FARM_SUBSIDY,
        file_name="bench.csv",
        sha256="0" * 64,
        sm3="0" * 64,
        row_count=rows,
        imported_by=user,
    )
    today = date.today()
    persons = max(1, rows // 3)
    planted = 0
    started = time.perf_counter()
    records: list[tuple[object, ...]] = []
    dead: list[tuple[int, date]] = []
    duplicates: list[int] = []
    relationships = world["relationships"]  # type: ignore[assignment]
    for line in range(1, rows + 1):
        kind_roll = rng.random()
        n = rng.randrange(persons)
        village = villages[n % len(villages)]
        name = f"村民{n:07d}"
        paid = today - timedelta(days=rng.randrange(1, 720))
        if kind_roll < 0.6:
            kind, item = MoneyKind.FARM_SUBSIDY.value, ITEMS_SUBSIDY[line % 3]
            amount = Decimal(rng.randrange(20000, 149000)) / 100 + Decimal("0.01")
            period = f"{paid.year}年度#{line}"  # ordinary rows: distinct periods, so no accidental duplicate
        else:
            kind, item = MoneyKind.ASSETS.value, ITEMS_ASSETS[line % 3]
            amount = Decimal(rng.randrange(10000, 480000)) / 100 + Decimal("0.01")
            period = f"{paid.year}年{paid.month}月"
        roll = rng.random()
        if roll < 0.0002:  # over the standard
            kind, item, amount = MoneyKind.FARM_SUBSIDY.value, ITEMS_SUBSIDY[0], Decimal("3216.88")
            planted += 1
        elif roll < 0.0004:  # a duplicate: the row is written twice (a second line, 20 days later)
            kind, item, period = MoneyKind.FARM_SUBSIDY.value, ITEMS_SUBSIDY[1], f"{paid.year}年度"
            duplicates.append(line)
            planted += 1
        elif roll < 0.0006:  # a declared relative
            relation = relationships[line % len(relationships)]
            name, village = relation.person_name, relation.related_village
            planted += 1
        elif roll < 0.0008:  # will be on the dead list, dated before this payment
            dead.append((n, paid - timedelta(days=30)))
            planted += 1
        elif roll < 0.001:  # round amounts
            amount = Decimal(rng.choice((1000, 2000, 3000)))
            planted += 1
        number = person_id(n)
        records.append(
            (
                commission.pk,  # type: ignore[attr-defined]
                batch.pk,
                kind,
                line,
                village.township_id,
                village.pk,
                "",
                name,
                seal(number, purpose=ID_PURPOSE, context=id_context("batch", batch.pk, line)),
                blind_index(number, purpose=ID_PURPOSE),
                number[-4:],
                item,
                amount,
                paid,
                paid.toordinal(),
                period,
                "",
                "",
            )
        )
    for offset, line in enumerate(duplicates, start=1):
        first = records[line - 1]
        again = first[14] - 20  # type: ignore[operator]
        number = person_id(int(str(first[7])[2:]))
        records.append(
            (
                *first[:3],
                rows + offset,
                *first[4:8],
                seal(number, purpose=ID_PURPOSE, context=id_context("batch", batch.pk, rows + offset)),
                *first[9:13],
                date.fromordinal(again),
                again,
                *first[15:],
            )
        )
    prepared = time.perf_counter() - started
    columns = [
        "commission_id",
        "batch_id",
        "kind",
        "line_no",
        "township_id",
        "village_id",
        "payer",
        "payee_name",
        "id_sealed",
        "id_index",
        "id_tail",
        "item",
        "amount",
        "paid_on",
        "day_number",
        "period",
        "approver",
        "voucher",
    ]
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {Payment._meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy:
                for record in records:
                    copy.write_row(record)
            cursor.execute(f"ANALYZE {Payment._meta.db_table}")
    else:
        Payment.objects.bulk_create(
            [Payment(**dict(zip(columns, record, strict=True))) for record in records], batch_size=5000
        )
    loaded = time.perf_counter() - started
    from xiezuoqu.screening.models import ReferenceEntry

    reference = ReferenceList.objects.create(
        commission=commission,
        file_name="bench-ref.csv",
        sha256="1" * 64,
        sm3="1" * 64,
        row_count=len(dead) + 2000,
        imported_by=user,
    )
    entries = [(n, since) for n, since in dead] + [(persons + i, today - timedelta(days=400)) for i in range(2000)]
    ReferenceEntry.objects.bulk_create(
        [
            ReferenceEntry(
                commission=commission,
                reference_list=reference,
                line_no=i + 1,
                status="deceased",
                person_name=f"村民{n:07d}",
                id_sealed=seal(person_id(n), purpose=ID_PURPOSE, context=b"bench"),
                id_index=blind_index(person_id(n), purpose=ID_PURPOSE),
                id_tail=person_id(n)[-4:],
                since=since,
            )
            for i, (n, since) in enumerate(entries)
        ],
        batch_size=2000,
    )
    return planted, prepared, loaded


def main() -> None:
    args = parse_args()
    setup_django("screening", wipe=args.wipe)
    from django.db import connection, transaction

    from xiezuoqu.screening import detectors, services
    from xiezuoqu.screening.models import Hit

    world = build_world(args.townships)
    commission_id = world["commission"].pk  # type: ignore[attr-defined]
    planted, prepared, loaded = load_rows(world, args.rows)
    print(f"{connection.vendor}: {args.rows:,} payment rows, {planted} planted anomalies")
    how = "COPY" if connection.vendor == "postgresql" else "bulk_create"
    print(f"  generate + seal + blind-index: {prepared:.1f} s; load ({how}): {loaded:.1f} s")
    rules = services.ensure_rules(commission_id)
    print("detectors alone (set-based SQL + grouping of the returned rows):")
    detector_total = 0.0
    for rule in rules:
        started = time.perf_counter()
        found = detectors.RULES[rule.code](commission_id, rule)
        seconds = time.perf_counter() - started
        detector_total += seconds
        print(f"  {rule.code:18s} {seconds:7.2f} s  {len(found):6d} hits")
    print(f"  total              {detector_total:7.2f} s  ({args.rows / detector_total:,.0f} rows/s)")
    started = time.perf_counter()
    with transaction.atomic():
        result = services.screen(commission_id=commission_id)
    total = time.perf_counter() - started
    print("the full run (services.screen: detectors + hits and hit rows written, one transaction):")
    for code, seconds in result.seconds.items():
        print(f"  {code:18s} {seconds:7.2f} s  {result.added[code]:6d} hits written")
    print(f"  total              {total:7.2f} s  ({args.rows / total:,.0f} rows/s); {Hit.objects.count()} hits")
    print(f"  ratio full run / detectors alone: {total / detector_total:.2f}")
    target = 60.0
    print(f"target ≤ {target:.0f} s for all rules: {'met' if total <= target else 'NOT met'}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
