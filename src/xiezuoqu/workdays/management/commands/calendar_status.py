"""``xiezuoqu calendar_status`` — which years the working-day calendar covers, and what is missing.

Run it in December: the State Council publishes next year's schedule at the end of the year, and
until a system administrator enters it every deadline reaching into that year carries a warning.
With ``--check`` the command exits with status 1 when this year or next year is missing (for cron).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from xiezuoqu.workdays.calendar import CalendarWarning, Coverage
from xiezuoqu.workdays.models import CalendarDay, CalendarYear
from xiezuoqu.workdays.selectors import work_calendar


class Command(BaseCommand):
    help = "列出工作日历已覆盖的年份，并提示今年和明年是否缺少节假日安排。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="今年或明年缺少安排时以状态 1 退出")

    def handle(self, *args: Any, **options: Any) -> None:
        calendar = work_calendar()
        package = calendar.package
        self.stdout.write(f"内置数据（chinesecalendar {package.version}）：{package.first_year}—{package.last_year} 年")
        entered = list(CalendarYear.objects.order_by("year"))
        if entered:
            for row in entered:
                days = CalendarDay.objects.filter(date__year=row.year).count()
                who = str(row.entered_by) if row.entered_by else "系统导入"
                self.stdout.write(
                    f"管理员录入：{row.year} 年，{days} 天，依据《{row.source}》"
                    f"（{row.published_on:%Y-%m-%d} 发布），"
                    f"{who} 录入于 {timezone.localtime(row.entered_at):%Y-%m-%d %H:%M}"
                )
        else:
            self.stdout.write("管理员录入：无")
        loose = CalendarDay.objects.exclude(date__year__in=[row.year for row in entered]).count()
        if loose:
            self.stdout.write(f"单日录入（修改内置数据或预录）：{loose} 天")

        this_year = timezone.localdate().year
        missing = []
        for year in (this_year, this_year + 1):
            coverage = calendar.coverage(year)
            if coverage is Coverage.MISSING:
                missing.append(year)
                self.stdout.write(self.style.WARNING(f"{year} 年：{CalendarWarning(year).message}"))
            else:
                self.stdout.write(self.style.SUCCESS(f"{year} 年：已覆盖（{coverage.label}）"))
        if missing and options["check"]:
            raise CommandError(f"缺少 {'、'.join(str(y) for y in missing)} 年的节假日安排。", returncode=1)
