"""Check every stored evidence file: decrypt, re-hash (SHA-256 and SM3), compare; name the bad ones.

    xiezuoqu evidence_verify [--commission ID]

A failure is recorded as it would be on a download (custody event, audit ``evidence.tamper_detected``,
the item flagged on its inventory) and the command exits non-zero, so that a scheduler notices.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiezuoqu.verification.services import verify_all_evidence


class Command(BaseCommand):
    help = "校验全部证据文件的完整性（解密后重新计算 SHA-256 和 SM3 并比对），列出校验失败的证据"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--commission", type=int, default=None, help="只校验该纪委监委的证据")

    def handle(self, *args: Any, **options: Any) -> None:
        results = verify_all_evidence(commission_id=options["commission"])
        bad = [r for r in results if not r.ok]
        for result in bad:
            item = result.item
            self.stdout.write(
                f"校验失败：{item.clue.ledger_number} 证据 {item.number}“{item.title}”"
                f"（id={item.pk}，{item.storage_name}）：{result.reason}"
            )
        self.stdout.write(f"共校验 {len(results)} 项证据，完好 {len(results) - len(bad)} 项，校验失败 {len(bad)} 项。")
        if bad:
            raise CommandError(f"{len(bad)} 项证据校验失败，已记录在证据保管记录和审计日志中。")
