#!/usr/bin/env python
"""Run every benchmark under bench/ one after the other and print their numbers (`make bench`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = [
    ("审计链 / audit chain", ["bench_audit.py", "--rows", "100000"]),
    ("组织机构（省级规模）/ org at province scale", ["bench_org.py", "--counties", "100"]),
    ("时限 / deadlines", ["bench_deadlines.py", "--rows", "1000000"]),
    ("登记 / registration", ["bench_intake.py", "--rows", "1000"]),
    ("重复件 / duplicates", ["bench_dedup.py", "--rows", "200000"]),
    ("组队求解 / team solver", ["bench_teams.py"]),
    ("总结会与处分期满台账 / summary and sanction ledger", ["bench_summary.py", "--scale", "province"]),
    ("统计：协作区 × 月成案率 / statistics month table", ["bench_statistics.py", "--scale", "province"]),
    ("交叉互检 / cross-inspection assignment", ["bench_inspections.py"]),
    ("办案车辆：预约冲突检查 / vehicle booking conflict check", ["bench_funds.py", "--rows", "100000"]),
]


def main() -> int:
    failed = 0
    for title, argv in BENCHES:
        print(f"\n=== {title} ===", flush=True)
        failed |= subprocess.call([sys.executable, str(HERE / argv[0]), *argv[1:]])
    return failed


if __name__ == "__main__":
    sys.exit(main())
