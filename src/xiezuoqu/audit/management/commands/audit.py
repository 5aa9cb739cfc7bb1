"""``xiezuoqu audit verify``: check the whole audit chain and name the first broken row.

Exit status 0 when the chain is intact, 1 when it is broken (the message names the row).
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xiezuoqu.audit.verify import BATCH_SIZE, verify_chain


class Command(BaseCommand):
    help = "审计日志：verify 校验整条审计链，报告第一条被篡改、删除或插入的记录。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{verify}")
        verify = sub.add_parser("verify", help="校验审计链（逐条重算 MAC，检查序号连续与链头）")
        verify.add_argument("--from-seq", type=int, default=1, help="从该序号开始校验（默认 1，即整条链）")
        verify.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="每批读取的记录数")
        verify.add_argument("--database", default="default", help="数据库别名")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            self.verify(options)

    def verify(self, options: dict[str, Any]) -> None:
        if options["from_seq"] < 1 or options["batch_size"] < 1:
            raise CommandError("--from-seq 与 --batch-size 必须为正整数。")
        result = verify_chain(from_seq=options["from_seq"], batch_size=options["batch_size"], using=options["database"])
        self.stdout.write(result.summary())
        if not result.anchored:
            self.stdout.write(f"注意：seq={options['from_seq'] - 1} 不存在，起点未能与前一条核对。")
        if result.problem is not None:
            raise CommandError(f"审计链校验未通过 [{result.problem.kind}]：{result.problem.message}", returncode=1)
        self.stdout.write(self.style.SUCCESS("审计链完整：所有记录的 MAC 均正确，序号连续，链头一致。"))
