"""Background work of the deadline mechanism: thin callers of the services (STYLE: tasks are thin).

The daily sweep runs on the database-backed worker (``django-tasks-db``), enqueued by the
``deadline_sweep --enqueue`` command from cron or run in-process by ``deadline_sweep``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django_tasks import task

from . import services


@task()
def sweep_deadlines_task(today: str | None = None) -> dict[str, Any]:
    """Run the daily sweep for ``today`` (ISO date; the worker's local date when omitted)."""
    result = services.sweep_deadlines(date.fromisoformat(today) if today else None)
    return {
        "today": result.today.isoformat(),
        "newly_overdue": result.newly_overdue,
        "slips": len(result.slips),
    }


def schedule_sweep(today: date | None = None) -> None:
    """Enqueue the sweep once the surrounding transaction commits (immediately outside one)."""
    argument = today.isoformat() if today else None
    transaction.on_commit(lambda: sweep_deadlines_task.enqueue(argument))
