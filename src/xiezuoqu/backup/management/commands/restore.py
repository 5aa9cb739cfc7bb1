"""``xiezuoqu restore SRC``: restore an archive of ``xiezuoqu backup`` into an empty instance.

The archive is verified whole first (manifest signature, SHA-256 of the database and of every file,
nothing unlisted); then the instance must be empty (no tables, no stored files); then the files and
the database are restored, and every file a restored row references is checked to be present.
Needs the same audit key and data key as the instance that made the backup.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiezuoqu.backup.services import BackupRefused, restore_backup


class Command(BaseCommand):
    help = "把 xiezuoqu backup 生成的备份恢复到一个空实例（先校验清单签名与全部 SHA-256，目标不空则拒绝）"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="备份目录或 .tar 文件")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            summary = restore_backup(source=Path(options["source"]))
        except BackupRefused as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            f"已从 {options['source']}（备份于 {summary.created_at}）恢复：数据库（{summary.vendor}，"
            f"{summary.migrations} 个迁移）与 {summary.files} 个文件，"
            f"数据库引用的 {summary.referenced} 个文件均已就位；"
            f"用时 {time.perf_counter() - started:.1f} 秒。"
        )
        if summary.pending_migrations:
            self.stdout.write(f"本版本比备份多 {summary.pending_migrations} 个迁移：请接着运行 xiezuoqu migrate。")
        self.stdout.write("请接着运行 xiezuoqu audit verify 与 xiezuoqu evidence_verify 核对恢复结果。")
