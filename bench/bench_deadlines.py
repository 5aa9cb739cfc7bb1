#!/usr/bin/env python
"""Benchmark the deadline mechanism at national scale: work queue, overdue list, daily sweep.

    .venv/bin/python bench/bench_deadlines.py                          # 1 M deadlines, throwaway SQLite
    .venv/bin/python bench/bench_deadlines.py --rows 200000 --samples 100
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/bench_deadlines.py --wipe

Targets (DESIGN §5b): any work-queue page (filtered, sorted, 50 rows) p95 ≤ 50 ms server time and
within 1.5× of the raw SQL its query needs; keyset pagination, no COUNT(*).

Data: ``--rows`` deadlines bulk-inserted across ``--commissions`` commissions (20 townships and 4
zones each). Most deadlines are closed (met or met late); ``--open-share`` are open, spread from
six weeks before "today" (2026-11-26) to three months after, so a share of them is overdue. Timed:
- work queue (``selectors.work_queue``: query + colour of each row) for a township secretary (one
  unit), a zone leader (five units and the zone) and 案管 (the whole commission), first page and a
  keyset second page, next to the raw SQL of the same query;
- overdue list (``selectors.overdue_list``) for a zone leader and for 案管 with a unit filter;
- the sweep (``services.sweep_deadlines``): the first run over the backlog (every overdue deadline
  gets its 督办单), a second run the same day (idempotent: creates nothing), and the next day's run.
A database given by DATABASE_URL must hold no deadlines (or pass --wipe: it empties the deadline
tables, so never point this at a database that matters).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 26)
TOWNSHIPS_PER_COMMISSION = 20
ZONES_PER_COMMISSION = 4


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="deadlines to insert (default 1000000)")
    parser.add_argument("--commissions", type=int, default=100, help="commissions (default 100)")
    parser.add_argument("--open-share", type=float, default=0.1, help="share of open deadlines (default 0.1)")
    parser.add_argument("--samples", type=int, default=200, help="timed runs per query (default 200)")
    parser.add_argument("--wipe", action="store_true", help="empty the deadline tables of DATABASE_URL first")
    return parser.parse_args()


def setup_django(args: argparse.Namespace) -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezuoqu.settings.dev")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("XIEZUOQU_AUDIT_KEY", "bench-audit-key-not-a-secret-0123456789")
    if not os.environ.get("DATABASE_URL"):
        bench_dir = ROOT / "var" / "bench"
        bench_dir.mkdir(parents=True, exist_ok=True)
        db = bench_dir / "deadlines.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from xiezuoqu.deadlines.models import Deadline

    if Deadline.objects.exists():
        if not args.wipe:
            sys.exit("该数据库已有时限数据；基准测试只在空库上运行（或加 --wipe 清空时限相关表）。")
        with connection.cursor() as cursor:
            tables = [
                "deadlines_supervisionslip",
                "deadlines_slipcounter",
                "deadlines_deadlineextension",
                "deadlines_deadline",
            ]
            if connection.vendor == "postgresql":
                cursor.execute(f"TRUNCATE {', '.join(tables)}")
            else:
                for table in tables:
                    cursor.execute(f"DELETE FROM {table}")
    return f"{connection.vendor} {connection.settings_dict.get('NAME')}"


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]


# --- data -------------------------------------------------------------------------------------------


def build_org(commissions: int) -> list[dict[str, Any]]:
    """Commissions with 20 township committees in 4 zones, each zone with a leader."""
    from xiezuoqu.org.models import Commission, StaffMember, Unit, Zone, ZoneMembership

    world = []
    for c in range(commissions):
        existing = Commission.objects.filter(name=f"基准第{c + 1}县纪委监委").first()
        if existing is not None:  # a rerun on the same database (--wipe): reuse the organisation
            units = list(
                Unit.objects.filter(commission=existing, kind=Unit.Kind.TOWNSHIP_COMMITTEE).order_by("sort_order")
            )
            zones = [
                {
                    "zone": zone,
                    "units": [m.unit for m in zone.memberships.select_related("unit").order_by("unit__sort_order")],
                }
                for zone in Zone.objects.filter(commission=existing).order_by("number")
            ]
            world.append({"commission": existing, "units": units, "zones": zones})
            continue
        commission = Commission.objects.create(name=f"基准第{c + 1}县纪委监委", short_name=f"基{c + 1}")
        leadership = Unit.objects.create(commission=commission, kind=Unit.Kind.LEADERSHIP, name="委领导班子")
        units = Unit.objects.bulk_create(
            Unit(
                commission=commission,
                kind=Unit.Kind.TOWNSHIP_COMMITTEE,
                township_type=Unit.TownshipType.TOWN,
                name=f"第{u + 1}镇纪委",
                sort_order=u,
            )
            for u in range(TOWNSHIPS_PER_COMMISSION)
        )
        zones = []
        for z in range(ZONES_PER_COMMISSION):
            leader = StaffMember.objects.create(
                commission=commission, name=f"组长{z + 1}", home_unit=leadership, position="纪委常委"
            )
            zone = Zone.objects.create(commission=commission, number=z + 1, name=f"第{z + 1}协作区", leader=leader)
            members = units[z::ZONES_PER_COMMISSION]
            ZoneMembership.objects.bulk_create(
                ZoneMembership(zone=zone, unit=unit, start_date=date(2024, 1, 1)) for unit in members
            )
            zones.append({"zone": zone, "units": members})
        world.append({"commission": commission, "units": units, "zones": zones})
    return world


def insert_deadlines(world: list[dict[str, Any]], rows: int, open_share: float) -> float:
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction

    from xiezuoqu.deadlines.kinds import register_deadline_kind
    from xiezuoqu.deadlines.models import Deadline
    from xiezuoqu.org.models import Village

    kinds = ["bench.acceptance_notice", "bench.disposal", "bench.letter_reply", "bench.result_notice"]
    for slug in kinds:
        register_deadline_kind(slug, f"基准时限 {slug}")
    target_type = ContentType.objects.get_for_model(Village)
    rng = random.Random(20261126)
    zone_of = {}
    for entry in world:
        for zone in entry["zones"]:
            for unit in zone["units"]:
                zone_of[unit.pk] = zone["zone"].pk
    started = time.perf_counter()
    batch: list[Deadline] = []
    per_commission = rows // len(world)
    target = 0
    for entry in world:
        commission_id = entry["commission"].pk
        units = entry["units"]
        for _ in range(per_commission):
            target += 1
            unit = units[rng.randrange(len(units))]
            is_open = rng.random() < open_share
            if is_open:
                due = TODAY + timedelta(days=rng.randint(-42, 90))
            else:
                due = TODAY - timedelta(days=rng.randint(1, 700))
            start = due - timedelta(days=rng.choice((21, 30, 35, 45)))
            state, met_on = "open", None
            if not is_open:
                late = rng.random() < 0.08
                met_on = due + timedelta(days=rng.randint(1, 20)) if late else due - timedelta(days=rng.randint(0, 15))
                met_on = max(met_on, start)
                state = "met_late" if late else "met"
            batch.append(
                Deadline(
                    commission_id=commission_id,
                    target_type=target_type,
                    target_id=target,
                    target_label=f"基{commission_id}信〔2026〕{target}号",
                    kind=kinds[target % len(kinds)],
                    label="实名举报受理告知",
                    start_date=start,
                    period_value=15,
                    period_unit="working_days",
                    original_due_date=due,
                    due_date=due,
                    state=state,
                    met_on=met_on,
                    responsible_unit_id=unit.pk,
                    zone_id=zone_of[unit.pk],
                )
            )
            if len(batch) >= 10_000:
                with transaction.atomic():
                    Deadline.objects.bulk_create(batch, batch_size=2_000)
                batch.clear()
    if batch:
        with transaction.atomic():
            Deadline.objects.bulk_create(batch, batch_size=2_000)
    elapsed = time.perf_counter() - started
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "ANALYZE deadlines_deadline")
    return elapsed


# --- timing -----------------------------------------------------------------------------------------


def timed(samples: int, fn: Callable[[int], Any]) -> list[float]:
    fn(0)  # warm caches (calendar, content types)
    result = []
    for i in range(samples):
        t0 = time.perf_counter()
        fn(i)
        result.append((time.perf_counter() - t0) * 1000)
    return result


def report(label: str, ms: list[float], raw: list[float] | None = None) -> None:
    line = f"{label:<34} p50 {percentile(ms, 50):7.2f} ms  p95 {percentile(ms, 95):7.2f} ms"
    if raw:
        ratio = percentile(ms, 50) / max(percentile(raw, 50), 1e-6)
        line += f"   原始 SQL p50 {percentile(raw, 50):6.2f} ms  p95 {percentile(raw, 95):6.2f} ms  （{ratio:.1f}×）"
    print(line, flush=True)


def raw_sql_timer(qs_for: Callable[[int], Any]) -> Callable[[int], Any]:
    from django.db import connection

    def run(i: int) -> Any:
        sql, params = qs_for(i).query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def actors(world: list[dict[str, Any]]) -> dict[str, list[Any]]:
    from xiezuoqu.access.actor import Actor

    result: dict[str, list[Any]] = {"township": [], "zone_leader": [], "case_manager": []}
    for entry in world:
        cid = entry["commission"].pk
        common = {"user_id": 1, "username": "bench", "commission_id": cid, "commission_ids": frozenset({cid})}
        for unit in entry["units"][:5]:
            result["township"].append(
                Actor(
                    roles=frozenset({"township_secretary"}),
                    role_unit_ids=frozenset({unit.pk}),
                    role_unit_pairs=frozenset({("township_secretary", unit.pk)}),
                    **common,
                )
            )
        for zone in entry["zones"]:
            zid = frozenset({zone["zone"].pk})
            result["zone_leader"].append(
                Actor(roles=frozenset({"zone_leader"}), zone_ids=zid, led_zone_ids=zid, staff_id=None, **common)
            )
        result["case_manager"].append(Actor(roles=frozenset({"case_manager"}), **common))
    return result


def bench_queries(world: list[dict[str, Any]], samples: int) -> None:
    from xiezuoqu.deadlines.models import DeadlineState
    from xiezuoqu.deadlines.selectors import (
        _for_list,
        deadlines_visible_to,
        overdue_list,
        overdue_scope,
        work_queue,
    )

    people = actors(world)
    rng = random.Random(7)
    print("\n— 我的待办时限（50 条/页，keyset）—", flush=True)
    for role, label in (
        ("township", "乡镇纪委书记（1 个单位）"),
        ("zone_leader", "协作区组长（5 个单位）"),
        ("case_manager", "案管（全委）"),
    ):
        pool = people[role]
        picks = [rng.choice(pool) for _ in range(samples + 1)]
        for actor in pool:
            actor.work_unit_ids()  # the actor is computed once per request, outside the page query
        page_ms = timed(samples, lambda i, picks=picks: work_queue(picks[i], today=TODAY))

        def queue_qs(i: int, picks: list[Any] = picks) -> Any:
            qs = (
                deadlines_visible_to(picks[i])
                .filter(state=DeadlineState.OPEN)
                .select_related("responsible_unit", "zone")
            )
            return qs.order_by("due_date", "id")[:51]

        raw_ms = timed(samples, raw_sql_timer(queue_qs))
        report(f"{label} 第 1 页", page_ms, raw_ms)
        cursors = [work_queue(a, today=TODAY).next_cursor for a in picks]
        second = timed(
            samples, lambda i, picks=picks, cursors=cursors: work_queue(picks[i], after=cursors[i], today=TODAY)
        )
        report(f"{label} 第 2 页", second)

    print("\n— 超期督办清单（50 条/页）—", flush=True)
    leaders = people["zone_leader"]
    picks = [rng.choice(leaders) for _ in range(samples + 1)]
    ms = timed(samples, lambda i: overdue_list(picks[i], today=TODAY))

    def overdue_qs(i: int) -> Any:
        qs = overdue_scope(picks[i]).filter(state=DeadlineState.OPEN, due_date__lt=TODAY)
        return _for_list(qs).order_by("due_date", "id")[:51]

    report("协作区组长", ms, timed(samples, raw_sql_timer(overdue_qs)))
    managers = people["case_manager"]
    units = {a.commission_id: [u.pk for u in e["units"]] for a, e in zip(managers, world, strict=True)}
    picks = [rng.choice(managers) for _ in range(samples + 1)]
    unit_picks = [rng.choice(units[a.commission_id]) for a in picks]
    ms = timed(samples, lambda i: overdue_list(picks[i], today=TODAY))
    report("案管（全委）", ms)
    ms = timed(samples, lambda i: overdue_list(picks[i], unit_id=unit_picks[i], today=TODAY))
    report("案管 按责任单位筛选", ms)


def bench_sweep() -> None:
    from xiezuoqu.deadlines.services import sweep_deadlines

    print("\n— 每日巡检 —", flush=True)
    for label, day in (
        ("首次（积压全部生成督办单）", TODAY),
        ("同日再次运行（幂等）", TODAY),
        ("次日", TODAY + timedelta(days=1)),
    ):
        t0 = time.perf_counter()
        result = sweep_deadlines(day)
        elapsed = time.perf_counter() - t0
        print(
            f"{label:<26} {elapsed:8.2f} s   新增超期 {result.newly_overdue:>7,}   督办单 {len(result.slips):>7,}",
            flush=True,
        )


def main() -> None:
    args = parse_args()
    database = setup_django(args)
    print(f"数据库：{database}", flush=True)
    t0 = time.perf_counter()
    world = build_org(args.commissions)
    print(f"组织机构：{args.commissions} 个纪委监委，{time.perf_counter() - t0:.1f} s", flush=True)
    elapsed = insert_deadlines(world, args.rows, args.open_share)
    from xiezuoqu.deadlines.models import Deadline

    total = Deadline.objects.count()
    open_count = Deadline.objects.filter(state="open").count()
    overdue = Deadline.objects.filter(state="open", due_date__lt=TODAY).count()
    print(
        f"写入时限：{total:,} 条（未办结 {open_count:,}，其中超期 {overdue:,}），"
        f"{elapsed:.1f} s，{total / elapsed:,.0f} 条/秒",
        flush=True,
    )
    bench_queries(world, args.samples)
    bench_sweep()


if __name__ == "__main__":
    main()
