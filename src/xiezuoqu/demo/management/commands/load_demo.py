"""``xiezuoqu load_demo``: create the demo county (凤城市纪委监委) if it is not there yet."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xiezuoqu.demo.caseload import DEFAULT_CASES, load_demo_caseload
from xiezuoqu.demo.casework import load_demo_casework
from xiezuoqu.demo.funds import load_demo_funds
from xiezuoqu.demo.inspections import load_demo_inspections
from xiezuoqu.demo.reports import load_demo_reports
from xiezuoqu.demo.screening import load_demo_screening
from xiezuoqu.demo.services import load_demo
from xiezuoqu.demo.training import load_demo_training
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
        parser.add_argument(
            "--cases",
            type=int,
            default=DEFAULT_CASES,
            metavar="N",
            help=f"与 --reports 同用：四个协作区的演示案件数（默认 {DEFAULT_CASES}；只生成一次）",
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
                # Runs once, like the rest: a later load finds it done (also on a county loaded before it existed).
                caseload = load_demo_caseload(cases=options["cases"])
                if caseload.loaded:
                    self.stdout.write(caseload.line())
                funds = load_demo_funds()
                if funds.loaded:
                    self.stdout.write(funds.line())
                training = load_demo_training()
                if training.loaded:
                    self.stdout.write(training.line())
                inspections = load_demo_inspections()
                if inspections.loaded:
                    self.stdout.write(inspections.line())
                screening = load_demo_screening()
                if screening.created:
                    self.stdout.write(screening.line())
        except DomainError as error:
            raise CommandError(error.message) from error
