"""``xiezuoqu deadline_sweep``: mark overdue deadlines and issue 督办单 now (cron-friendly).

    # every morning at 06:30, in-process:
    30 6 * * *  xiezuoqu deadline_sweep
    # or hand it to the background worker:
    30 6 * * *  xiezuoqu deadline_sweep --enqueue

Idempotent: running it twice on a day creates nothing the second time. Exit status 0 on success.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiezuoqu.deadlines.services import sweep_deadlines
from xiezuoqu.deadlines.tasks import schedule_sweep


class Command(BaseCommand):
    help = "时限日常巡检：标记新超期的时限并为其生成督办单（可重复运行，同日不重复生成）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="按指定日期巡检（YYYY-MM-DD，默认今天）")
        parser.add_argument("--enqueue", action="store_true", help="交给后台任务进程执行，而不是立即执行")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options.get("date"):
            try:
                today = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("日期格式应为 YYYY-MM-DD。") from None
        if options.get("enqueue"):
            schedule_sweep(today)
            self.stdout.write("已提交后台巡检任务。")
            return
        result = sweep_deadlines(today)
        self.stdout.write(str(result))
