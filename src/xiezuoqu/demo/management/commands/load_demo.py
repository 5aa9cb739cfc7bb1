"""``xiezuoqu load_demo``: create the demo county (凤城市纪委监委) if it is not there yet."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xiezuoqu.demo.services import load_demo
from xiezuoqu.errors import DomainError


class Command(BaseCommand):
    help = "加载凤城市演示数据（可重复运行：已有的数据不会重复创建）。"

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            load_demo(stdout=self.stdout)
        except DomainError as error:
            raise CommandError(error.message) from error
