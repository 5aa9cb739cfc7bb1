"""Django's ``flush``, allowed to empty the audit log along with every other table.

Emptying the whole database is the one operation that may remove audit records (PostgreSQL's
``TRUNCATE`` passes the row triggers anyway; SQLite deletes row by row, so the guard is opened for
this thread while the flush runs). The test framework flushes between transactional tests.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as FlushCommand

from xiezuoqu.audit.guard import wiping_database


class Command(FlushCommand):
    def handle(self, **options: Any) -> None:
        with wiping_database():
            super().handle(**options)
