#!/usr/bin/env python
"""How the main pages grow from a county to a province to the nation (issue 17, DESIGN §5a/§5b).

    # one scale: load it (resumable, bench/national/load.py) into its own database, then measure
    createdb -h 127.0.0.1 -U postgres xzq_scale_county
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xzq_scale_county .venv/bin/python bench/bench_scale.py \\
        --scale county --load
    # … the same with province and national (national: --load-minutes 30 stops the load and measures what is in)
    .venv/bin/python bench/bench_scale.py --report      # docs/scale-report.md and docs/scale-p95.png from the runs

Measured on the middle county of the database, through the real views (Django's test client, a
session per role as in production, DEBUG off): the clue ledger, the report ledger, the case list,
the home page (work queue), the deadline queue and the statistics page — each p50/p95 of the whole
request, its query count, the raw SQL of its main query (the slowest statement on the page's own
table, replayed through a bare cursor) and of all its statements, and the EXPLAIN (ANALYZE, BUFFERS)
of the main query; then registration through ``intake.services.register_report`` (reports/s, one
transaction each, one process) and ``audit.verify.verify_chain`` over the last 200,000 rows (rows/s).
Each run writes var/bench/scale-<scale>.json; ``--report`` puts the runs side by side with their
targets. Timing decides nothing; a shared machine is said so in the report.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "bench" / "national"))
OUT = ROOT / "var" / "bench"
SCALES = ("county", "province", "national")
YEAR = 2026


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=SCALES, help="the scale of the database in DATABASE_URL")
    parser.add_argument("--fraction", type=float, default=1.0, help="share of the scale's counties to load")
    parser.add_argument("--load", action="store_true", help="load the scale first (skips what is loaded)")
    parser.add_argument("--load-minutes", type=float, help="stop loading after this many minutes")
    parser.add_argument("--samples", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument("--registrations", type=int, default=100, help="timed registrations (default 100)")
    parser.add_argument("--report", action="store_true", help="write docs/scale-report.md from the saved runs")
    return parser.parse_args()


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def main() -> int:
    args = parse_args()
    if args.report:
        import scale_report

        scale_report.write(OUT, ROOT / "docs")
        return 0
    if not args.scale:
        sys.exit("请用 --scale 指明数据库的规模（county / province / national），或用 --report 生成报告。")
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("规模基准只在 PostgreSQL 上运行：请设置 DATABASE_URL=postgres://…（一个可丢弃的库）。")
    from _env import setup_django

    setup_django("scale")
    if args.load:
        import load

        load_args = ["--scale", args.scale, "--fraction", str(args.fraction)]
        if args.load_minutes:
            load_args += ["--minutes", str(args.load_minutes)]
        loaded = load.load(load.parse_args(load_args))
    else:
        loaded = None
    result = measure(args)
    result["load"] = loaded
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"scale-{args.scale}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    print(f"\n结果已写入 {path.relative_to(ROOT)}", flush=True)
    return 0


def table_rows() -> dict[str, int]:
    from django.db import connection

    tables = (
        "intake_report",
        "clues_clue",
        "cases_case",
        "deadlines_deadline",
        "audit_auditevent",
        "clues_subject",
        "org_commission",
        "org_unit",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples::bigint FROM pg_class WHERE relname = ANY(%s)", [list(tables)])
        estimates = dict(cursor.fetchall())
        counts = {}
        for table in tables:
            if estimates.get(table, -1) < 2_000_000:  # exact below two million rows, the planner's count above
                cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
                counts[table] = int(cursor.fetchone()[0])
            else:
                counts[table] = int(estimates[table])
    return counts


PAGES = (
    # (key, label, path, query, login, main table)
    ("clue_ledger", "线索台账（案管）", "/clues/", {}, "anguan", "clues_clue"),
    ("clue_ledger_zone", "线索台账（协作区组长）", "/clues/", {}, "zuzhang1", "clues_clue"),
    ("report_ledger", "检举控告台账（信访登记员）", "/intake/", {}, "dengji", "intake_report"),
    ("report_ledger_case", "检举控告台账（案管）", "/intake/", {}, "anguan", "intake_report"),
    ("case_list", "案件列表（案管）", "/cases/", {}, "anguan", "cases_case"),
    ("home_zone", "首页／工作队列（协作区组长）", "/", {}, "zuzhang1", "deadlines_deadline"),
    ("home_township", "首页／工作队列（乡镇纪委书记）", "/", {}, "t1", "deadlines_deadline"),
    ("deadline_queue", "时限队列（案管）", "/deadlines/", {}, "anguan", "deadlines_deadline"),
    ("deadline_queue_zone", "时限队列（协作区组长）", "/deadlines/", {}, "zuzhang1", "deadlines_deadline"),
    ("statistics", "统计（案管，全年）", "/statistics/", {"year": str(YEAR)}, "anguan", "intake_report"),
)


def measure(args: argparse.Namespace) -> dict[str, Any]:
    import load
    from django.db import connection
    from django.test import Client

    import bench_summary as base
    from xiezuoqu.accounts.models import User

    rows = table_rows()
    tree = load.read_tree()
    if not tree.counties:
        sys.exit("库中没有装载的县：先加 --load。")
    county = tree.counties[len(tree.counties) // 2]
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
    print(
        f"\n规模 {args.scale}：{len(tree.counties):,} 个县；检举控告 {rows['intake_report']:,}，"
        f"线索 {rows['clues_clue']:,}，"
        f"案件 {rows['cases_case']:,}，时限 {rows['deadlines_deadline']:,}，审计 {rows['audit_auditevent']:,} 行；"
        f"计时的县：{county.name}（id {county.commission_id}）",
        flush=True,
    )
    result: dict[str, Any] = {
        "scale": args.scale,
        "counties": len(tree.counties),
        "rows": rows,
        "county": county.name,
        "taken": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{os.cpu_count()} vCPU, load {os.getloadavg()[0]:.1f} at start, Python {platform.python_version()}",
        "database": version,
        "pages": {},
    }
    for key, label, path, query, login, main_table in PAGES:
        user = User.objects.get(username=f"n{county.commission_id}_{login}")
        client = Client()
        client.force_login(user)
        status = client.get(path, query).status_code
        if status != 200:
            print(f"{label:<28} 状态 {status}：跳过", flush=True)
            result["pages"][key] = {"label": label, "status": status}
            continue

        def page(client: Client = client, path: str = path, query: dict[str, str] = query) -> None:
            response = client.get(path, query)
            assert response.status_code == 200, response.status_code

        ms = base.timed(args.samples, page)
        cpu = cpu_times(page, max(5, args.samples // 2))
        profile = profiled(page)
        statements = capture(page)
        main = max((s for s in statements if base.table_of(s[0]) == main_table), key=lambda s: s[2], default=None)
        if main is None:
            main = max(statements, key=lambda s: s[2])
        main_ms = base.timed(args.samples, lambda m=main: replay([m]))
        reads = [s for s in statements if s[0].lstrip().upper().startswith("SELECT") and "FOR UPDATE" not in s[0]]
        all_ms = base.timed(max(5, args.samples // 2), lambda s=reads: replay(s))
        plan = base.explain(main[0], main[1])
        entry = {
            "label": label,
            "path": path,
            "status": status,
            "p50": pct(ms, 50),
            "p95": pct(ms, 95),
            "cpu_p50": pct(cpu, 50),
            "queries": len(statements),
            "writes": len(statements) - len(reads),
            "main_table": base.table_of(main[0]),
            "main_raw_p50": pct(main_ms, 50),
            "all_raw_p50": pct(all_ms, 50),
            "ratio_main": pct(ms, 50) / max(pct(main_ms, 50), 1e-6),
            "ratio_all": pct(ms, 50) / max(pct(all_ms, 50), 1e-6),
            "plan": plan,
            "plan_ms": plan_time(plan),
            "profile": profile,
            "main_sql": main[0][:4000],
            "slowest": [
                (round(t, 2), base.table_of(sql)) for sql, _p, t in sorted(statements, key=lambda s: -s[2])[:3]
            ],
        }
        result["pages"][key] = entry
        print(
            f"{label:<28} p50 {entry['p50']:7.1f} ms  p95 {entry['p95']:7.1f} ms  进程 CPU {entry['cpu_p50']:6.1f} ms  "
            f"{entry['queries']:3d} 次查询  计划执行 {entry['plan_ms']:.2f} ms  "
            f"主查询（{entry['main_table']}）原始 SQL p50 {entry['main_raw_p50']:6.2f} ms"
            f"（{entry['ratio_main']:.1f}×）  "
            f"全部读语句 {entry['all_raw_p50']:6.2f} ms（{entry['ratio_all']:.1f}×）",
            flush=True,
        )
    for key, label, *_rest in PAGES:
        entry = result["pages"][key]
        if entry.get("plan"):
            print(f"\n— {label}：主查询的执行计划（EXPLAIN ANALYZE, BUFFERS）—\n  SQL：{entry['main_sql'][:600]} …")
            for line in entry["plan"]:
                print(f"  │ {line}")
    result["registration"] = registrations(county, args.registrations)
    result["verify"] = verify()
    return result


def cpu_times(page: Any, samples: int) -> list[float]:
    """The request's CPU time in this process (Django, the template, the driver): on a shared machine
    the wall time also holds the waits for a core, this does not."""
    result = []
    for _ in range(samples):
        t0 = time.process_time()
        page()
        result.append((time.process_time() - t0) * 1000)
    return result


def profiled(page: Any, requests: int = 5) -> list[str]:
    """The functions that cost most in a few requests (cProfile, by own time), as text lines."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        page()
    profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("tottime").print_stats(12)
    lines = [line.rstrip() for line in text.getvalue().splitlines() if line.strip()]
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
    root = str(ROOT) + "/"
    return [line.replace(root, "").replace(".venv/lib/python3.11/site-packages/", "") for line in lines[start:]]


def plan_time(plan: list[str]) -> float:
    """The server's own execution time of the main query, from EXPLAIN ANALYZE."""
    for line in plan:
        if line.strip().startswith("Execution Time:"):
            return float(line.split(":")[1].split()[0])
    return 0.0


def capture(page: Any) -> list[tuple[str, Any, float]]:
    from django.db import connection

    import bench_summary as base

    clock = base.QueryClock()
    clock.start_call()
    with connection.execute_wrapper(clock):
        page()
    return clock.calls[0]


def replay(statements: list[tuple[str, Any, float]]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for sql, params, _ms in statements:
            cursor.execute(sql, params)
            if cursor.description:
                cursor.fetchall()


def registrations(county: Any, count: int) -> dict[str, Any]:
    """``register_report`` by the petition office's registrar, one transaction each, one process."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xiezuoqu.access.actor import build_actor
    from xiezuoqu.accounts.models import User
    from xiezuoqu.dedup.services import find_similar
    from xiezuoqu.intake import services as intake

    actor = build_actor(User.objects.get(username=f"n{county.commission_id}_dengji"))
    townships = [t for zone in county.townships for t in zone]
    latencies: list[float] = []
    lookups: list[float] = []
    statements = 0
    started = time.perf_counter()
    for i in range(count):
        data = intake.ReportInput(
            channel="letter",
            received_on=date.today(),
            summary=f"反映第{i % 7 + 1}村干部违规发放补贴",
            content=f"反映某村干部在惠农补贴发放中优亲厚友、虚报冒领，涉及农户{i % 13 + 2}户。",
            category="farm_subsidy",
            township_id=townships[i % len(townships)],
            accused=(intake.AccusedInput(name=f"李某{i % 11}", unit_text="某村村民委员会", position="村委会主任"),),
        )
        t0 = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            report = intake.register_report(actor=actor, data=data)
            t1 = time.perf_counter()
            find_similar(
                text=f"{report.summary}\n{report.content}",
                accused_names=[a.name for a in data.accused],
                commission_ids=[report.commission_id],
                exclude=("report", report.pk),
            )
        t2 = time.perf_counter()
        latencies.append((t2 - t0) * 1000)
        lookups.append((t2 - t1) * 1000)
        statements += len(captured.captured_queries)
    wall = time.perf_counter() - started
    from xiezuoqu.dedup.models import IndexedDocument

    indexed = IndexedDocument.objects.count()
    figures = {
        "count": count,
        "per_second": count / wall,
        "p50": pct(latencies, 50),
        "p95": pct(latencies, 95),
        "statements": statements / count,
        "processes": 1,
        "lookup_p50": pct(lookups, 50),
        "lookup_p95": pct(lookups, 95),
        "indexed_documents": indexed,
    }
    print(
        f"\n登记（含查重，1 个进程，{count} 件）：{figures['per_second']:.0f} 件/秒，p50 {figures['p50']:.1f} ms，"
        f"p95 {figures['p95']:.1f} ms，每件 {figures['statements']:.0f} 条语句；"
        f"查重 p50 {figures['lookup_p50']:.2f} ms、p95 {figures['lookup_p95']:.2f} ms"
        f"（索引中 {indexed:,} 件：装载器不写查重索引）",
        flush=True,
    )
    return figures


def verify() -> dict[str, Any]:
    from xiezuoqu.audit.models import AuditChainHead
    from xiezuoqu.audit.verify import verify_chain

    head = AuditChainHead.objects.get(id=1).seq
    result = verify_chain(from_seq=max(1, head - 200_000))
    figures = {"rows": result.rows_checked, "per_second": result.rows_per_second, "ok": result.ok}
    print(
        f"审计链校验（最后 {result.rows_checked:,} 条）：{result.summary()}；{'完整' if result.ok else result.problem}"
    )
    return figures


if __name__ == "__main__":
    sys.exit(main())
