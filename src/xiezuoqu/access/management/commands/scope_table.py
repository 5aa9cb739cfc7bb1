"""Print the table of every registered scope policy (docs/scope.md keeps it)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from xiezuoqu.access.docs import scope_table


class Command(BaseCommand):
    help = "列出每类对象的访问范围规则所在的模块（docs/scope.md 的表格）。"

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(scope_table())
