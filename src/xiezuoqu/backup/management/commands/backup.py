"""``xiezuoqu backup DEST``: the database and the encrypted file store, consistently, into one archive.

    xiezuoqu backup /srv/backup/xzq-$(date +%F)        # a new directory
    xiezuoqu backup /srv/backup/xzq-$(date +%F).tar    # or one .tar file

SQLite is copied with its online backup API, PostgreSQL with ``pg_dump`` (custom format; the client
tools must be installed). The keys are not in the archive: back them up separately. Exits non-zero
when a row references a file missing from the store (the archive is written, and marked so).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiezuoqu.backup.services import BackupRefused, create_backup


class Command(BaseCommand):
    help = "备份数据库与加密文件库到一个新目录或 .tar 文件（含清单：时间、数据库类型、迁移状态、文件 SHA-256、版本）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("destination", help="新的备份目录，或以 .tar 结尾的文件名（不得已存在）")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            summary = create_backup(destination=Path(options["destination"]))
        except BackupRefused as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            f"已备份到 {summary.path}：数据库（{summary.vendor}）与 {summary.files} 个文件，"
            f"共 {summary.bytes / (1024 * 1024):.1f} MB，数据库引用的文件 {summary.referenced} 个；"
            f"用时 {time.perf_counter() - started:.1f} 秒。"
        )
        self.stdout.write("注意：审计密钥和数据加密主密钥不在备份中，须另行妥善备份。")
        if summary.missing:
            raise CommandError(
                f"数据库引用的 {len(summary.missing)} 个文件在文件库中缺失（如 {summary.missing[0]}），"
                "该备份不能用于恢复；请运行 xiezuoqu evidence_verify 查明。"
            )
