#!/usr/bin/env python
"""Load one year of the nation (or a province, or a county) into PostgreSQL with COPY.

    createdb -h 127.0.0.1 -U postgres xzq_national
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/xzq_national
    .venv/bin/python bench/national/load.py --scale national --minutes 30
    DATABASE_URL=... .venv/bin/python bench/national/load.py --scale national --fraction 0.01   # 28 counties
    DATABASE_URL=... XIEZUOQU_AUDIT_KEY=bench-audit-key-not-a-secret-0123456789 .venv/bin/xiezuoqu audit verify

What is written (bench/national/world.py says how each row follows the services' rules): the org
tree — 31 provinces → 330 cities → 2,800 counties at national scale, each commission with its
offices, each county with 12–16 townships in 4 zones, its staff, accounts and roles — then, county by
county, one year of reports (1,250 a county), clues (715) with their subjects, cases (286), their
deadlines, the ledger counters, and one audit event per write on the one chain, sealed as the
services seal it (the chain head moves with each commit), so ``xiezuoqu audit verify`` passes.

Resumable: the org tree is written once (one transaction); then ``--batch`` counties are written per
transaction and recorded in ``bench_national_loaded``; a rerun skips the counties already there, so
an interrupted load goes on where it stopped and a finished one does nothing. The same county always
gets the same rows (its random generator is seeded by its commission id).

The audit key must be the one ``audit verify`` will use: the bench's ``XIEZUOQU_AUDIT_KEY``
(bench/_env.py) unless you set another. Never point DATABASE_URL at a database that matters.
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing
import os
import random
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

STATE_TABLE = "bench_national_loaded"
SEED = 20261207


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    import world

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=sorted(world.SCALES), default="county")
    parser.add_argument("--fraction", type=float, default=1.0, help="share of the scale's counties (development)")
    parser.add_argument("--year", type=int, default=2026, help="the loaded year (default 2026, up to today)")
    parser.add_argument("--today", type=date.fromisoformat, help="the day the year is loaded up to (default today)")
    parser.add_argument("--batch", type=int, default=10, help="counties per transaction (default 10)")
    parser.add_argument("--limit", type=int, help="stop after this many counties in this run (resume later)")
    parser.add_argument("--workers", type=int, default=2, help="generator processes (default 2)")
    parser.add_argument("--minutes", type=float, help="stop after the batch that ends past this many minutes")
    parser.add_argument("--no-analyze", action="store_true")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("全国规模装载只支持 PostgreSQL：请设置 DATABASE_URL=postgres://…（一个可丢弃的库）。")
    from _env import setup_django

    setup_django("national")
    result = load(args)
    return 0 if result else 1


def load(args: argparse.Namespace) -> dict[str, Any]:
    import world
    from django.db import connection, transaction
    from django.utils import timezone

    scale = world.scaled(args.scale, args.fraction)
    today = args.today or timezone.localdate()
    print(
        f"数据库 {connection.settings_dict.get('NAME')}；规模 {args.scale}×{args.fraction:g}：{scale.provinces} 省、"
        f"{scale.cities} 市、{scale.counties} 县；每县每年 {scale.reports} 件检举控告、{scale.clues} 件线索、"
        f"{scale.cases} 件立案；{args.year} 年（至 {today}）",
        flush=True,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {STATE_TABLE} (commission_id bigint PRIMARY KEY, rows bigint NOT NULL, "
            "seconds double precision NOT NULL, loaded_at timestamptz NOT NULL DEFAULT now())"
        )
    started = time.perf_counter()
    totals: dict[str, int] = {}
    tree = read_tree()
    if not tree.counties:
        t0 = time.perf_counter()
        with transaction.atomic():
            batch = Batch()
            _tree, counts = world.build_tree(batch.table, scale, date(args.year, 1, 1), random.Random(SEED))
            rows = batch.copy_all()
        print(
            f"组织机构：{rows:,} 行，{time.perf_counter() - t0:.1f} 秒  "
            + "，".join(f"{k} {v:,}" for k, v in counts.items()),
            flush=True,
        )
        totals["组织机构"] = rows
        tree = read_tree()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT commission_id FROM {STATE_TABLE}")
        done = {row[0] for row in cursor.fetchall()}
    todo = [c for c in tree.counties if c.commission_id not in done]
    if args.limit is not None:
        todo = todo[: args.limit]
    print(f"县级纪委监委 {len(tree.counties):,} 个：已装载 {len(done):,}，本次装载 {len(todo):,}", flush=True)
    loaded_rows, t_load = 0, time.perf_counter()
    per_table: dict[str, int] = {}
    copy_seconds: dict[str, float] = {}
    generate_seconds = 0.0
    seal_seconds = 0.0
    batches = [todo[i : i + args.batch] for i in range(0, len(todo), args.batch)]
    # Generator processes (--workers, forked here) build each batch's COPY text and prepare its audit
    # events; this process seals the events in batch order onto the chain, streams the batch into
    # PostgreSQL and commits it, while the workers build the next ones (at most workers + 1 ahead).
    bases, block = _id_bases(scale, args.batch)
    connection.close()
    context = multiprocessing.get_context("fork")
    pool = context.Pool(args.workers)
    pending: collections.deque[Any] = collections.deque()
    task = 0

    def submit() -> None:
        nonlocal task
        if task < len(batches):
            pending.append(pool.apply_async(_produce, (task, batches[task], scale, args.year, today, bases, block)))
            task += 1

    for _ in range(args.workers + 1):
        submit()
    finished = 0
    deadline = time.monotonic() + args.minutes * 60 if args.minutes else None
    from copyrows import seal

    from xiezuoqu.audit.chain import GENESIS, configured_algorithm

    algorithm = configured_algorithm()
    next_audit_id = bases["audit_auditevent"]
    try:
        for counties in batches:
            message = pending.popleft().get()
            submit()
            t0 = time.perf_counter()
            with transaction.atomic(), connection.cursor() as wrapper:
                raw = wrapper.cursor
                raw.execute(
                    "INSERT INTO audit_auditchainhead (id, seq, mac) VALUES (1, 0, %s) ON CONFLICT (id) DO NOTHING",
                    [GENESIS],
                )
                raw.execute("SELECT seq, mac FROM audit_auditchainhead WHERE id = 1 FOR UPDATE")
                head_seq, head_mac = raw.fetchone()
                t_seal = time.perf_counter()
                lines, seq, mac, next_audit_id = seal(message["events"], head_seq, head_mac, next_audit_id, algorithm)
                seal_seconds += time.perf_counter() - t_seal
                tables = [*message["tables"], ("audit_auditevent", message["audit_columns"], lines, len(lines))]
                rows = 0
                for name, columns, text, count in tables:
                    if not count:
                        continue
                    t_copy = time.perf_counter()
                    with raw.copy(f'COPY "{name}" ({columns}) FROM STDIN') as copy:
                        if isinstance(text, list):
                            for start in range(0, len(text), 20_000):
                                copy.write("\n".join(text[start : start + 20_000]) + "\n")
                        else:
                            copy.write(text)
                    rows += count
                    per_table[name] = per_table.get(name, 0) + count
                    copy_seconds[name] = copy_seconds.get(name, 0.0) + time.perf_counter() - t_copy
                raw.execute("UPDATE audit_auditchainhead SET seq = %s, mac = %s WHERE id = 1", [seq, mac])
                sequences = dict(message["sequences"])
                sequences["audit_auditevent"] = next_audit_id
                for name, value in sequences.items():
                    raw.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)", [name, value])
                t_commit = time.perf_counter()
                seconds = time.perf_counter() - t0
                for county in counties:
                    raw.execute(
                        f"INSERT INTO {STATE_TABLE} (commission_id, rows, seconds) VALUES (%s, %s, %s)",
                        [county.commission_id, rows // len(counties), (seconds + message["seconds"]) / len(counties)],
                    )
            copy_seconds["(提交：外键检查、WAL)"] = copy_seconds.get("(提交：外键检查、WAL)", 0.0) + (
                time.perf_counter() - t_commit
            )
            generate_seconds += message["seconds"]
            loaded_rows += rows
            finished += len(counties)
            elapsed = time.perf_counter() - t_load
            rate = loaded_rows / elapsed if elapsed else 0.0
            eta = elapsed / finished * (len(todo) - finished)
            print(
                f"  [{finished:>5,}/{len(todo):,} 县] 本批 {rows:>9,} 行（生成 {message['seconds']:4.1f} 秒，"
                f"COPY＋提交 {seconds:4.1f} 秒）；累计 {loaded_rows:>12,} 行，{rate:>8,.0f} 行/秒，"
                f"{elapsed / 60:5.1f} 分钟，"
                f"审计链至 seq {seq:,}，预计还需 {eta / 60:5.1f} 分钟",
                flush=True,
            )
            if deadline is not None and time.monotonic() > deadline:
                print(
                    f"已到 --minutes {args.minutes} 的时限：停止（再次运行即从第 {finished + 1} 个县继续）。",
                    flush=True,
                )
                break
    finally:
        pool.terminate()
        pool.join()
    totals.update(per_table)
    if todo and not args.no_analyze:
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"ANALYZE：{time.perf_counter() - t0:.1f} 秒", flush=True)
    total_seconds = time.perf_counter() - started
    print(f"完成：本次写入 {sum(totals.values()):,} 行，用时 {total_seconds / 60:.1f} 分钟", flush=True)
    for name, count in sorted(per_table.items(), key=lambda kv: -kv[1]):
        spent = copy_seconds.get(name, 0.0)
        print(f"  {name:<32} {count:>12,} 行  COPY {spent:7.1f} 秒  {spent / count * 1e6:6.1f} µs/行", flush=True)
    if copy_seconds:
        commit = copy_seconds.get("(提交：外键检查、WAL)", 0.0)
        print(
            f"  生成进程共 {generate_seconds:.1f} 秒（与写入并行），封链 {seal_seconds:.1f} 秒，"
            f"COPY {sum(copy_seconds.values()) - commit:.1f} 秒，"
            f"提交（延迟的外键检查、WAL）{commit:.1f} 秒",
            flush=True,
        )
    return {
        "rows": sum(totals.values()),
        "seconds": total_seconds,
        "tables": per_table,
        "copy_seconds": copy_seconds,
        "generate_seconds": generate_seconds,
        "seal_seconds": seal_seconds,
        "counties_loaded": len(done) + finished,
        "counties": len(tree.counties),
    }


def _id_bases(scale: Any, batch: int) -> tuple[dict[str, int], int]:
    """Per table, the first id of this run (after every row already there), and the id block of a batch:
    more than any table's rows in ``batch`` counties (a county has at most reports + clues + cases
    deadlines, and fewer rows of every other table)."""
    import world
    from django.apps import apps
    from django.db import connection

    models = [apps.get_model(label) for label in world.LOADED_MODELS]
    bases = {}
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(f'SELECT COALESCE(MAX("id"), 0) FROM "{table}"')
            bases[table] = int(cursor.fetchone()[0]) + 1
    return bases, batch * (scale.reports + scale.clues + scale.cases) * 2


def _produce(
    index: int, counties: list[Any], scale: Any, year_number: int, today: date, bases: dict[str, int], block: int
) -> dict[str, Any]:
    """A generator process: one batch's rows as COPY text and its audit events prepared, not sealed."""
    import world
    from copyrows import BlockIds, Table, Unsealed
    from django.db import connection
    from django.utils import timezone

    from xiezuoqu.audit.models import AuditEvent

    if getattr(_produce, "pid", None) != os.getpid():  # first task of this worker: its own connection
        connection.close()
        _produce.pid = os.getpid()  # type: ignore[attr-defined]
    t0 = time.perf_counter()
    ids = BlockIds(bases, index, block)
    now = timezone.now()
    tables: dict[Any, Any] = {}

    def table(model: Any) -> Any:
        found = tables.get(model)
        if found is None:
            found = tables[model] = Table(model, ids, now)  # type: ignore[arg-type]
        return found

    audit = Table(AuditEvent, None, now)
    chain = Unsealed(audit)
    generator = world.Year(table, chain, scale, year_number, today)
    for county in counties:
        generator.county(county, random.Random(SEED + county.commission_id))
    out = []
    for t in tables.values():
        if t.lines:
            columns = ", ".join(f'"{c}"' for c in t.columns)
            out.append((t.name, columns, "\n".join(t.lines) + "\n", len(t.lines)))
    return {
        "tables": out,
        "events": chain.events,
        "audit_columns": ", ".join(f'"{c}"' for c in audit.columns),
        "sequences": list(ids.next.items()),
        "seconds": time.perf_counter() - t0,
    }


class Batch:
    """The tables of one transaction, and the COPY of all of them."""

    def __init__(self, ids: Any = None) -> None:
        from copyrows import Ids
        from django.db import connection
        from django.utils import timezone

        self.raw = connection.cursor().cursor  # psycopg's own cursor (copy support)
        self.ids = ids if ids is not None else Ids(self.raw)
        self.ids.cursor = self.raw
        self.now = timezone.now()
        self.tables: dict[Any, Any] = {}

    def table(self, model: Any) -> Any:
        from copyrows import Table

        table = self.tables.get(model)
        if table is None:
            table = self.tables[model] = Table(model, self.ids, self.now)
        return table

    def copy_all(self, per_table: dict[str, int] | None = None) -> int:
        rows = 0
        for table in self.tables.values():
            count = table.copy(self.raw)
            rows += count
            if per_table is not None:
                per_table[table.name] = per_table.get(table.name, 0) + count
        self.ids.sync()
        return rows


def read_tree() -> Any:
    """The counties' ids from the database (after the tree was written, or on a rerun)."""
    import world

    from xiezuoqu.accounts.models import User
    from xiezuoqu.org.models import Commission, Unit, Zone, ZoneMembership

    tree = world.Tree()
    counties = list(
        Commission.objects.filter(level="county", name__startswith="基准第", name__endswith="县纪委监委")
        .order_by("id")
        .values_list("id", "name", "short_name")
    )
    if not counties:
        return tree
    ids = [c[0] for c in counties]
    units: dict[int, list[tuple[int, str, str, int]]] = {i: [] for i in ids}
    for uid, cid, kind, short, order in Unit.objects.filter(commission_id__in=ids).values_list(
        "id", "commission_id", "kind", "short_name", "sort_order"
    ):
        units[cid].append((uid, kind, short, order))
    zones: dict[int, list[int]] = {i: [] for i in ids}
    for zid, cid in Zone.objects.filter(commission_id__in=ids).order_by("number").values_list("id", "commission_id"):
        zones[cid].append(zid)
    members: dict[int, list[int]] = {}
    for zid, uid in (
        ZoneMembership.objects.filter(zone__commission_id__in=ids, unit__kind=Unit.Kind.TOWNSHIP_COMMITTEE)
        .order_by("unit__sort_order")
        .values_list("zone_id", "unit_id")
    ):
        members.setdefault(zid, []).append(uid)
    users = dict(User.objects.filter(commission_id__in=ids, username__startswith="n").values_list("username", "id"))
    for cid, name, short in counties:
        by_kind: dict[str, list[tuple[int, str, int]]] = {}
        for uid, kind, ushort, order in units[cid]:
            by_kind.setdefault(kind, []).append((uid, ushort, order))
        townships = sorted(by_kind.get(Unit.Kind.TOWNSHIP_COMMITTEE, []), key=lambda u: u[2])
        secretaries = {}
        for t, (uid, _short, _order) in enumerate(townships):
            username = f"n{cid}_t{t + 1}"
            secretaries[uid] = (users[username], username)
        tree.counties.append(
            world.County(
                commission_id=cid,
                short_name=short,
                name=name,
                leadership=by_kind[Unit.Kind.LEADERSHIP][0][0],
                petition=by_kind[Unit.Kind.PETITION_OFFICE][0][0],
                case_office=by_kind[Unit.Kind.CASE_MANAGEMENT_OFFICE][0][0],
                offices=[u[0] for u in sorted(by_kind[Unit.Kind.INSPECTION_OFFICE], key=lambda u: u[2])],
                zones=zones[cid],
                townships=[members.get(z, []) for z in zones[cid]],
                township_names={u: s for u, s, _o in townships},
                registrar=(users[f"n{cid}_dengji"], f"n{cid}_dengji"),
                secretaries=secretaries,
            )
        )
    return tree


if __name__ == "__main__":
    sys.exit(main())
