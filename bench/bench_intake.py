#!/usr/bin/env python
"""Benchmark registration (登记) with everything it does: ledger number under a lock, encrypted
identity, accused rows, deadlines, notifications, the audit event, the duplicate index — and the
duplicate check the registrar sees next (``find_similar`` on the new report).

    .venv/bin/python bench/bench_intake.py                 # 1,000 reports, throwaway SQLite in var/bench/
    .venv/bin/python bench/bench_intake.py --rows 3000 --timed 600
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/bench_intake.py --wipe \\
        --processes 1 2 4

The demo generator first fills the ledger (``--rows`` reports, registered and routed) so that the
duplicate index has something to find, and ANALYZE gives the planner its statistics (without them
PostgreSQL scans a commission's whole bucket range: 7.8 ms instead of 0.9 ms a lookup); then
``--timed`` registrations are timed, one per transaction, each by the petition office's registrar
(one ledger: the worst case, every registration takes the same counter row), spread over
``--processes`` worker processes with their own connections. For each process count it prints
p50/p95 latency, the aggregate throughput (registrations / wall time), the CPU time per
registration in the workers, and the statements per registration.

Target (DESIGN §5b): registration with the duplicate check ≥ 200 reports/s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import time
from dataclasses import dataclass
from typing import Any

from _env import setup_django


@dataclass
class WorkerResult:
    latencies: list[float]
    cpu: float
    statements: int


def _inputs(count: int) -> list[dict[str, Any]]:
    from xiezuoqu.intake.models import Report, ReporterIdentity

    rows = list(Report.objects.filter(commission__is_demo=True).order_by("pk")[:count])
    identities = {i.report_id: i.opened() for i in ReporterIdentity.objects.filter(report__in=rows)}
    accused: dict[int, list[tuple[str, str, str]]] = {}
    for report in rows:
        accused[report.pk] = [(a.name, a.unit_text, a.position) for a in report.accused.all()]
    inputs = []
    for report in rows:
        identity = identities.get(report.pk)
        inputs.append(
            {
                "channel": report.channel,
                "received_on": report.received_on,
                "summary": report.summary,
                "content": report.content,
                "category": report.category,
                "township_id": report.township_id,
                "village_id": report.village_id,
                "is_real_name": report.is_real_name and identity is not None,
                "identity": identity,
                "accused": accused[report.pk],
            }
        )
    while inputs and len(inputs) < count:
        inputs += inputs[: count - len(inputs)]
    return inputs


def _register_all(work: list[dict[str, Any]], start_at: float) -> WorkerResult:
    from django.db import connection

    from xiezuoqu.access.actor import build_actor
    from xiezuoqu.accounts.models import User
    from xiezuoqu.dedup.services import find_similar
    from xiezuoqu.intake import services as intake

    actor = build_actor(User.objects.get(username="dengji"))
    statements = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    latencies = []
    while time.time() < start_at:
        time.sleep(0.001)
    cpu0 = time.process_time()
    with connection.execute_wrapper(count):
        for item in work:
            identity = item["identity"]
            data = intake.ReportInput(
                channel=item["channel"],
                received_on=item["received_on"],
                summary=item["summary"],
                content=item["content"],
                category=item["category"],
                township_id=item["township_id"],
                village_id=item["village_id"],
                is_real_name=item["is_real_name"],
                identity=intake.IdentityInput(**identity) if identity else None,
                accused=[intake.AccusedInput(*a) for a in item["accused"]],
            )
            t0 = time.perf_counter()
            report = intake.register_report(actor=actor, data=data)
            find_similar(
                text=f"{report.summary}\n{report.content}",
                accused_names=[a[0] for a in item["accused"]],
                commission_ids=[report.commission_id],
                exclude=("report", report.pk),
            )
            latencies.append(time.perf_counter() - t0)
    return WorkerResult(latencies, time.process_time() - cpu0, statements)


def _worker(work: list[dict[str, Any]], start_at: float, queue: Any) -> None:
    from django.db import connections

    connections.close_all()  # never share the parent's connection
    queue.put(_register_all(work, start_at))
    connections.close_all()


def run(inputs: list[dict[str, Any]], processes: int) -> tuple[float, list[WorkerResult]]:
    from django.db import connections

    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    start_at = time.time() + 1.0
    shares = [inputs[i::processes] for i in range(processes)]
    workers = [ctx.Process(target=_worker, args=(share, start_at, queue)) for share in shares]
    for w in workers:
        w.start()
    results = [queue.get() for _ in workers]
    wall = time.time() - start_at
    for w in workers:
        w.join()
    return wall, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1000, help="reports the demo generator registers first")
    parser.add_argument("--timed", type=int, default=400, help="registrations timed per process count")
    parser.add_argument("--processes", type=int, nargs="+", default=[1], help="process counts to run, e.g. 1 2 4")
    parser.add_argument("--wipe", action="store_true", help="flush DATABASE_URL first (never on real data)")
    args = parser.parse_args()
    setup_django("intake", wipe=args.wipe)
    from django.db import connection

    from xiezuoqu.demo.reports import load_demo_reports
    from xiezuoqu.demo.services import load_demo

    load_demo()
    start = time.perf_counter()
    summary = load_demo_reports(count=args.rows, seed=7)
    total = time.perf_counter() - start
    with connection.cursor() as cursor:  # fresh tables: give the planner the statistics autovacuum would
        cursor.execute("ANALYZE")
    print(f"database: {connection.vendor}")
    print(
        f"demo generator: {summary.created} reports registered and routed in {total:.1f} s "
        f"({summary.created / total:.0f} reports/s including routing)"
    )
    inputs = _inputs(args.timed)
    for processes in args.processes:
        wall, results = run(inputs, processes)
        times = sorted(t for r in results for t in r.latencies)
        n = len(times)
        p50, p95 = statistics.median(times) * 1000, times[max(int(n * 0.95) - 1, 0)] * 1000
        cpu = sum(r.cpu for r in results) / n * 1000
        statements = sum(r.statements for r in results) / n
        print(
            f"{processes} process(es): {n} registrations with duplicate check in {wall:.2f} s = "
            f"{n / wall:.0f} reports/s; p50 {p50:.1f} ms, p95 {p95:.1f} ms; "
            f"client CPU {cpu:.1f} ms and {statements:.1f} statements per registration"
        )


if __name__ == "__main__":
    main()
