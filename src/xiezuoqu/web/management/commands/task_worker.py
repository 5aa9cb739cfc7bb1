"""``xiezuoqu task_worker``: the background worker of ``make run`` — django-tasks-db's ``db_worker`` that
first takes back the tasks a killed worker left behind.

django-tasks-db marks a task RUNNING when a worker claims it and only ever moves it on from inside that
worker; a worker killed mid-task (``kill -9``, the machine losing power) leaves the task RUNNING forever
and nobody runs it again. At start this command puts such tasks back to READY, so that it (or another
worker) runs them again:

- a task whose worker id names this host and a process that no longer exists (this command's worker
  ids are ``<host>:<pid>:<random>``) — at once;
- any other RUNNING task started more than ``--reclaim-after`` seconds ago (default 6 hours; a worker
  on another host, or a worker started by plain ``db_worker``).

Running a task again is safe only when the task is idempotent or one transaction; the product's tasks
are (the daily sweep: each batch of 督办单 is one transaction and a second run creates only what is
missing). Every reclaim is written to the log with the task's id and its dead worker.
"""

from __future__ import annotations

import logging
import os
import socket
from argparse import ArgumentParser
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.models import DBTaskResult

from xiezuoqu.audit.services import record_event

logger = logging.getLogger("django_tasks_db")
DEFAULT_RECLAIM_AFTER = 6 * 3600


def _host() -> str:
    return socket.gethostname()[:40]


def new_worker_id() -> str:
    """``<host>:<pid>:<random>``: lets a later worker on the same host tell whether this one is alive."""
    return f"{_host()}:{os.getpid()}:{get_random_string(8)}"[:64]


def _dead_here(worker_id: str) -> bool:
    """The worker id names this host and a process id that no longer exists."""
    parts = worker_id.split(":")
    if len(parts) != 3 or parts[0] != _host() or not parts[1].isdigit():
        return False
    pid = int(parts[1])
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def reclaim_stale_tasks(*, reclaim_after: float = DEFAULT_RECLAIM_AFTER) -> list[str]:
    """Put the RUNNING tasks of dead workers back to READY; returns their ids."""
    cutoff = timezone.now() - timedelta(seconds=reclaim_after)
    reclaimed: list[str] = []
    with transaction.atomic():
        for row in DBTaskResult.objects.running().select_for_update(skip_locked=True).order_by("started_at"):
            owner = row.worker_ids[-1] if row.worker_ids else ""
            dead = _dead_here(owner)
            if not (dead or row.started_at is None or row.started_at < cutoff):
                continue
            row.status = TaskResultStatus.READY
            row.started_at = None
            row.save(update_fields=["status", "started_at"])
            reclaimed.append(str(row.pk))
            # On the audit chain too, in the same transaction: a task run twice (its first run cut off)
            # is something an auditor asks about.
            record_event(
                actor=None,
                action="task.reclaimed",
                target=row,
                target_label=row.task_path,
                detail={"worker": owner, "reason": "dead_worker" if dead else "stale"},
            )
            logger.warning("Reclaimed task id=%s path=%s left RUNNING by worker %s", row.pk, row.task_path, owner)
    return reclaimed


class Command(DbWorkerCommand):
    help = "后台任务进程：先收回被中断的进程遗留的“运行中”任务，再按 db_worker 执行任务。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(worker_id=None)
        parser.add_argument(
            "--reclaim-after",
            type=float,
            default=DEFAULT_RECLAIM_AFTER,
            help="其他主机或未知进程的任务运行超过该秒数即收回（默认 21600）",
        )

    def handle(self, *args: Any, **options: Any) -> None:  # type: ignore[override]
        options["worker_id"] = options.get("worker_id") or new_worker_id()
        self.configure_logging(options["verbosity"])
        reclaim_stale_tasks(reclaim_after=options.pop("reclaim_after"))
        super().handle(*args, **options)
