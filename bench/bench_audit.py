#!/usr/bin/env python
"""Benchmark the audit chain: append throughput, what an append adds to a write, verification speed.

    .venv/bin/python bench/bench_audit.py                     # throwaway SQLite file in var/bench/
    .venv/bin/python bench/bench_audit.py --rows 20000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/bench_audit.py

Targets (DESIGN §5b): the audit log costs ≤ 10 % of a request; verification ≥ 100 k rows/s.
A database given by DATABASE_URL must hold no audit events (or pass --wipe: it TRUNCATEs the log,
so never point this at a database whose log matters).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000, help="events to append (default 100000)")
    parser.add_argument("--writes", type=int, default=2_000, help="write transactions for the overhead test")
    parser.add_argument("--requests", type=int, default=300, help="page requests for the request-share test")
    parser.add_argument("--wipe", action="store_true", help="empty the audit log of DATABASE_URL first")
    return parser.parse_args()


def setup_django(args: argparse.Namespace) -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezuoqu.settings.dev")
    os.environ.setdefault("DEBUG", "0")  # as in production: no per-query logging
    os.environ.setdefault("XIEZUOQU_AUDIT_KEY", "bench-audit-key-not-a-secret-0123456789")
    if not os.environ.get("DATABASE_URL"):
        bench_dir = ROOT / "var" / "bench"
        bench_dir.mkdir(parents=True, exist_ok=True)
        db = bench_dir / "audit.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from xiezuoqu.audit.models import AuditEvent

    if AuditEvent.objects.exists():
        if not args.wipe:
            sys.exit("该数据库已有审计记录；基准测试只在空库上运行（或加 --wipe 清空审计日志）。")
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("TRUNCATE audit_auditevent, audit_auditchainhead")
            else:
                from xiezuoqu.audit.guard import wiping_database

                with wiping_database():
                    cursor.execute("DELETE FROM audit_auditevent")
                    cursor.execute("DELETE FROM audit_auditchainhead")
    settings_db = connection.settings_dict
    return f"{connection.vendor} {settings_db.get('NAME')}"


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]


def bench_appends(rows: int) -> float:
    from django.db import transaction
    from django.test import RequestFactory

    from xiezuoqu.access.actor import Actor
    from xiezuoqu.audit.services import record_event

    actor = Actor(user_id=1, username="bench", commission_id=1, roles=frozenset({"case_manager"}))
    request = RequestFactory().post("/clues/1/", REMOTE_ADDR="10.12.0.7")
    samples: list[float] = []
    started = time.perf_counter()
    for i in range(rows):
        t0 = time.perf_counter()
        with transaction.atomic():  # one append per transaction, as in a request
            record_event(
                actor=actor,
                action="clue.disposal_approved",
                target_type="clues.clue",
                target_id=str(i),
                target_label=f"线索 FC-2026-{i:06d}",
                changes={"state": ["disposal_proposed", "disposal_approved"], "disposal": [None, "preliminary"]},
                detail={"approval": i, "note": "经协作区研判会集体研究"},
                commission_id=1,
                request=request,
            )
        samples.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    ms = [s * 1000 for s in samples]
    print(
        f"追加      {rows:>9,} 条  {rows / elapsed:>10,.0f} 条/秒   每条（含提交）"
        f" 平均 {statistics.mean(ms):.3f} ms  p50 {percentile(ms, 50):.3f} ms  p95 {percentile(ms, 95):.3f} ms"
    )
    return percentile(ms, 50)


def bench_overhead(writes: int) -> None:
    """A minimal write transaction (lock a row, change a field, save) with and without its audit event."""
    from django.db import transaction

    from xiezuoqu.access.actor import Actor
    from xiezuoqu.audit.services import diff, record_event, snapshot
    from xiezuoqu.org.models import Commission, StaffMember, Unit

    commission, _ = Commission.objects.get_or_create(name="基准测试纪委监委", defaults={"short_name": "基准"})
    unit, _ = Unit.objects.get_or_create(
        name="基准测试单位", commission=commission, defaults={"kind": Unit.Kind.INSPECTION_OFFICE}
    )
    staff, _ = StaffMember.objects.get_or_create(
        name="基准干部", commission=commission, home_unit=unit, defaults={"position": "干部"}
    )
    actor = Actor(user_id=1, username="bench", commission_id=commission.pk, roles=frozenset({"system_admin"}))

    def write(i: int, audited: bool) -> float:
        t0 = time.perf_counter()
        with transaction.atomic():
            member = StaffMember.objects.select_for_update().get(pk=staff.pk)
            before = snapshot(member, ["position"])
            member.position = f"干部{i}"
            member.save(update_fields=["position"])
            if audited:
                record_event(actor=actor, action="staff.updated", target=member, changes=diff(before, member))
        return time.perf_counter() - t0

    for i in range(200):  # warm up both paths
        write(i, i % 2 == 0)
    plain: list[float] = []
    audited: list[float] = []
    for i in range(writes):  # interleaved, so that drift hits both alike
        plain.append(write(i, False))
        audited.append(write(i, True))
    p, a = statistics.median(plain) * 1000, statistics.median(audited) * 1000
    print(
        f"写事务    {writes:>9,} 次  无审计 中位 {p:.3f} ms   含审计 中位 {a:.3f} ms   审计增加 {a - p:.3f} ms"
        f"（占含审计写事务的 {(a - p) / a:.0%}；一次页面请求通常 ≥ 10 ms）"
    )


def bench_request(requests: int, append_p50_ms: float) -> None:
    """A real page request that appends one event (the audit log's own list, which records the view)."""
    from django.test import Client

    from xiezuoqu.accounts.models import RoleAssignment, User
    from xiezuoqu.accounts.roles import Role
    from xiezuoqu.org.models import Commission

    commission = Commission.objects.get(name="基准测试纪委监委")
    user, created = User.objects.get_or_create(username="bench-auditor", defaults={"commission": commission})
    if created:
        RoleAssignment.objects.create(user=user, role=Role.AUDIT_ADMIN)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    for _ in range(20):
        client.get("/audit/")
    samples = []
    for _ in range(requests):
        t0 = time.perf_counter()
        response = client.get("/audit/")
        samples.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    p50 = statistics.median(samples)
    print(
        f"页面请求  {requests:>9,} 次  审计日志列表（每次追加 1 条）"
        f"中位 {p50:.2f} ms  p95 {percentile(samples, 95):.2f} ms"
        f"   一次追加（中位 {append_p50_ms:.3f} ms）约占 {append_p50_ms / p50:.1%}"
    )


def bench_verify() -> None:
    from xiezuoqu.audit.verify import verify_chain

    for label in ("第1次", "第2次"):
        result = verify_chain()
        status = "完整" if result.ok else f"未通过：{result.problem.message if result.problem else ''}"
        print(
            f"校验({label})  {result.rows_checked:>9,} 条  {result.rows_per_second:>10,.0f} 条/秒"
            f"   用时 {result.seconds:.2f} 秒   {status}"
        )


def bench_deferred(transactions: int, per: int = 5) -> None:
    """Several events in one transaction (a registration writes 2–3): appended one by one, or buffered
    by ``deferred_events`` and written in one INSERT at the end (docs/decisions/0013)."""
    from django.db import transaction

    from xiezuoqu.access.actor import Actor
    from xiezuoqu.audit.services import deferred_events, record_event

    actor = Actor(user_id=1, username="bench", commission_id=1, roles=frozenset({"registrar"}))

    def run(block: object) -> list[float]:
        samples = []
        for i in range(transactions):
            t0 = time.perf_counter()
            with block():  # type: ignore[operator]
                for j in range(per):
                    record_event(
                        actor=actor,
                        action="report.registered",
                        target_type="intake.report",
                        target_id=str(i),
                        changes={"state": [None, "registered"]},
                        detail={"n": j},
                        commission_id=1,
                    )
            samples.append((time.perf_counter() - t0) * 1000)
        return samples

    for label, block in (("逐条追加", transaction.atomic), ("事务末批量追加", deferred_events)):
        ms = run(block)
        print(
            f"{per} 条/事务 {label:<8} {transactions:>6,} 个事务  p50 {percentile(ms, 50):.3f} ms  "
            f"p95 {percentile(ms, 95):.3f} ms"
        )


def main() -> None:
    args = parse_args()
    where = setup_django(args)
    import platform

    print(f"审计链基准  数据库 {where}  Python {platform.python_version()}  CPU {os.cpu_count()} 核")
    append_p50 = bench_appends(args.rows)
    bench_overhead(args.writes)
    bench_request(args.requests, append_p50)
    bench_deferred(min(args.writes, 2_000))
    bench_verify()


if __name__ == "__main__":
    main()
