"""``xiezuoqu archive_verify FILE.zip``: verify an archive package (signature, every file's SHA-256 and
SM3, no missing or extra file, every audit row's MAC; with ``--live`` each audit row against the live
chain). Exit status 0 when the package is intact, 1 when a problem is found."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xiezuoqu.archive.package import verify_package


class Command(BaseCommand):
    help = "校验归档包：清单签名、每个文件的 SHA-256 与 SM3、文件齐全、审计摘录逐条 MAC。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="归档包（.zip）")
        parser.add_argument("--live", action="store_true", help="同时与本系统现行审计链逐条比对")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取 {path}：{exc.strerror}", returncode=2) from None
        result = verify_package(data, check_live=options["live"])
        self.stdout.write(f"SHA-256：{result.sha256}")
        self.stdout.write(result.summary())
        for problem in result.problems:
            self.stdout.write(f"  - {problem}")
        if not result.ok:
            raise CommandError(f"归档包校验未通过：发现 {len(result.problems)} 个问题。", returncode=1)
        self.stdout.write(self.style.SUCCESS("归档包完整。"))
