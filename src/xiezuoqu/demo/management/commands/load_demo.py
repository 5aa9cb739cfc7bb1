"""``xiezuoqu load_demo``: create the demo county (凤城市纪委监委) if it is not there yet."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xiezuoqu.demo.casework import load_demo_casework
from xiezuoqu.demo.reports import load_demo_reports
from xiezuoqu.demo.services import load_demo
from xiezuoqu.errors import DomainError


class Command(BaseCommand):
    help = "加载凤城市演示数据（可重复运行：已有的数据不会重复创建）。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--reports",
            type=int,
            default=0,
            metavar="N",
            help="同时登记 N 件演示信访举报并办理到不同阶段（已有举报时不再生成）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            load_demo(stdout=self.stdout)
            if options["reports"]:
                summary = load_demo_reports(count=options["reports"])
                if summary.created:
                    self.stdout.write(
                        f"演示信访举报：登记 {summary.created} 件，办结 {summary.concluded} 件，"
                        f"转为问题线索 {summary.clues} 条；"
                        f"用时 {summary.seconds:.1f} 秒。"
                    )
                    work = load_demo_casework()
                    self.stdout.write(
                        f"演示办案：初步核实 {work.verifications} 件，立案 {work.cases} 件，"
                        f"澄清正名 {work.clearings} 件；用时 {work.seconds:.1f} 秒。"
                    )
        except DomainError as error:
            raise CommandError(error.message) from error
