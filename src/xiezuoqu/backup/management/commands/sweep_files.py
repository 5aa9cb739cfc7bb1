"""``xiezuoqu sweep_files [--delete]``: the stored files no row references (xiezuoqu.backup.sweep)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiezuoqu.backup.sweep import DEFAULT_OLDER_THAN, MIN_OLDER_THAN, sweep_unreferenced_files


class Command(BaseCommand):
    help = "列出（--delete 时删除）文件库中没有任何记录引用、且超过时限未写入的文件（事务失败留下的孤立文件）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--delete", action="store_true", help="删除这些文件（记入审计链）；默认只列出")
        parser.add_argument(
            "--older-than",
            type=float,
            default=DEFAULT_OLDER_THAN.total_seconds() / 3600,
            help="只处理超过该小时数未写入的文件（默认 24，保护仍在进行的事务）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        hours = options["older_than"]
        if not hours >= MIN_OLDER_THAN.total_seconds() / 3600:  # also refuses nan
            raise CommandError(
                f"--older-than 至少为 {MIN_OLDER_THAN.total_seconds() / 3600:g} 小时："
                "更近写入的文件可能属于仍在进行的事务。"
            )
        summary = sweep_unreferenced_files(older_than=timedelta(hours=hours), delete=options["delete"])
        for name in summary.orphans:
            self.stdout.write(name)
        verb = "已删除" if summary.deleted else "发现"
        self.stdout.write(
            f"{verb}孤立文件 {len(summary.orphans)} 个，共 {summary.bytes / 1024:.1f} KB；"
            f"另有 {summary.kept_recent} 个未被引用的文件写入不足时限，未处理。"
        )
        if summary.orphans and not summary.deleted:
            self.stdout.write("确认无误后加 --delete 删除。")
