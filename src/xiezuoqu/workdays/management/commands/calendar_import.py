"""``xiezuoqu calendar_import FILE --year 2027 --source … --published-on 2026-12-xx`` — enter a year.

The file uses the page's text format (``2027-01-01 休 元旦``, ``2027-02-06~2027-02-14 休 春节``,
``2027-02-20 班 春节调休``). The import is a system action: it replaces the year's entries exactly as
the page does and is recorded in the audit log with no actor.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiezuoqu.errors import DomainError
from xiezuoqu.workdays.schedule import parse_schedule
from xiezuoqu.workdays.services import enter_calendar_year


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"发布日期“{text}”无效，格式应为 YYYY-MM-DD。") from None


class Command(BaseCommand):
    help = "从文本文件导入一年的节假日安排（替换该年已有录入，记入审计日志）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="安排文件（UTF-8），每行如“2027-01-01 休 元旦”")
        parser.add_argument("--year", type=int, required=True, help="年份，如 2027")
        parser.add_argument("--source", required=True, help="依据，如“国务院办公厅关于2027年部分节假日安排的通知”")
        parser.add_argument("--published-on", required=True, type=_date, help="通知发布日期 YYYY-MM-DD")
        parser.add_argument("--note", default="", help="备注")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"无法读取 {path}：{error}") from None
        year = options["year"]
        try:
            days = parse_schedule(text, year=year)
            enter_calendar_year(
                actor=None,
                year=year,
                source=options["source"],
                published_on=options["published_on"],
                days=days,
                note=options["note"],
            )
        except DomainError as error:
            lines = [error.message]
            for messages in error.field_errors.values():
                lines.extend(f"  {m}" for m in messages)
            raise CommandError("\n".join(lines)) from None
        holidays = sum(1 for d in days if d.kind == "holiday")
        self.stdout.write(
            self.style.SUCCESS(f"{year} 年节假日安排已导入：放假 {holidays} 天，调休上班 {len(days) - holidays} 天。")
        )
