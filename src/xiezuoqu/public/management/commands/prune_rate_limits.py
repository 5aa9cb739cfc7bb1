"""Delete the public site's rate-limit windows that closed more than a day ago."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from xiezuoqu.public.ratelimit import prune


class Command(BaseCommand):
    help = "删除网络举报平台一天前已结束的访问频率窗口。"

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = prune()
        self.stdout.write(f"已删除 {deleted} 个过期的访问频率窗口。")
