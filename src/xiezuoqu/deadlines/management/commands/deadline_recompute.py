"""``xiezuoqu deadline_recompute``: count every provisional open deadline again on today's calendar.

Every calendar write already does this for the year it changed, in its own transaction; the command
is for after an upgrade (a year entered before due dates were recomputed, or a newer
``chinesecalendar`` release that now covers the year). A system action: audited with no actor.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from xiezuoqu.deadlines.services import recompute_provisional_deadlines


class Command(BaseCommand):
    help = "按当前工作日历重新计算所有“日历待确认”的未办结时限（可重复运行）。"

    def handle(self, *args: Any, **options: Any) -> None:
        count = recompute_provisional_deadlines(actor=None)
        self.stdout.write(f"重新计算并更新时限 {count} 件。")
