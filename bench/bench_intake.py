#!/usr/bin/env python
"""Benchmark registration (登记) with everything it does: ledger number under a lock, encrypted
identity, accused rows, deadlines, notifications, the audit event and the duplicate index/check.

    .venv/bin/python bench/bench_intake.py                 # 1,000 reports, throwaway SQLite in var/bench/
    .venv/bin/python bench/bench_intake.py --rows 3000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/bench_intake.py --wipe

Target (DESIGN §5b): registration with the duplicate check ≥ 200 reports/s.
"""

from __future__ import annotations

import argparse
import statistics
import time

from _env import setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1000)
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
    from xiezuoqu.access.actor import build_actor
    from xiezuoqu.accounts.models import User
    from xiezuoqu.intake import services as intake
    from xiezuoqu.intake.models import Report

    # Registration alone (the demo loader also routes and concludes): time single registrations.
    actor = build_actor(User.objects.get(username="dengji"))
    sample = Report.objects.filter(commission__is_demo=True).order_by("pk")[: min(300, args.rows)]
    times = []
    for report in sample:
        data = intake.ReportInput(
            channel=report.channel,
            received_on=report.received_on,
            summary=report.summary,
            content=report.content,
            category=report.category,
            township_id=report.township_id,
            village_id=report.village_id,
        )
        t0 = time.perf_counter()
        intake.register_report(actor=actor, data=data)
        times.append(time.perf_counter() - t0)
    times.sort()
    p50, p95 = statistics.median(times) * 1000, times[int(len(times) * 0.95) - 1] * 1000
    print(f"database: {connection.vendor}")
    print(
        f"demo generator: {summary.created} reports registered and routed in {total:.1f} s "
        f"({summary.created / total:.0f} reports/s including routing)"
    )
    print(
        f"registration with duplicate check, one per transaction: p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
        f"{1000 / p50:.0f} reports/s on one connection"
    )


if __name__ == "__main__":
    main()
