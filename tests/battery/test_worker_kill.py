"""Faults (issue 16): the background worker is killed (``kill -9``) in the middle of a task.

A separate instance (its own SQLite file, or a fresh PostgreSQL database), as an operator runs it: the
demo county, four overdue deadlines, and the daily sweep enqueued on the database task backend. A real
``xiezuoqu task_worker`` process runs the sweep; a test-only hook *inside that process* (not in the
product) makes the sweep issue 督办单 in batches of two and stop after its first batch has committed. The
worker is killed there. django-tasks-db alone leaves the task RUNNING for ever (plain ``db_worker`` does
not touch it); ``task_worker`` reclaims it at start because its worker is gone, runs it again, and the
sweep creates only what is missing: every deadline has exactly one 督办单, the numbers run 1–4 without a
gap or a repeat, and the audit chain verifies.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
import pytest
from django.db import connection
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.pg import maintenance
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.web.management.commands.task_worker import _host, new_worker_id, reclaim_stale_tasks

REPO = Path(__file__).resolve().parents[2]
SWEEP_DAY = "2026-12-21"

SETTINGS = """
from xiezuoqu.settings.test import *  # noqa: F403
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
"""

SEED = """
import os
import django
django.setup()
from datetime import date
from xiezuoqu.deadlines.services import open_deadline
from xiezuoqu.deadlines.tasks import sweep_deadlines_task
from xiezuoqu.demo.services import load_demo
from xiezuoqu.org.models import Unit, Village
from xiezuoqu.verification import rules

load_demo()
for name in ("宝山", "东汤", "赛马", "青城子"):
    unit = Unit.objects.get(name__contains=name, kind=Unit.Kind.TOWNSHIP_COMMITTEE, is_demo=True)
    village = Village.objects.filter(township=unit).order_by("id").first()
    open_deadline(actor=None, target=village, kind=rules.PERIOD_KIND, label="核实时限", start=date(2026, 11, 2),
                  working_days=5, responsible_unit=unit)
print(sweep_deadlines_task.enqueue(os.environ["SWEEP_DAY"]).id)
"""

# The hook of the first worker only: batches of two, and a pause (until killed) after the first batch.
PAUSED_WORKER = """
import os, pathlib, sys, time
import django
django.setup()
from django.core.management import call_command
from xiezuoqu.deadlines import services

services.SLIP_BATCH = 2
issue = services._issue_slips

def issue_then_pause(*args, **kwargs):
    issue(*args, **kwargs)
    pathlib.Path(os.environ["PAUSE_MARKER"]).write_text("first batch committed")
    time.sleep(3600)

services._issue_slips = issue_then_pause
call_command("task_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2")
"""

STATE = """
import json
import os
import django
django.setup()
from django_tasks_db.models import DBTaskResult
from xiezuoqu.deadlines.models import Deadline, SupervisionSlip

task = DBTaskResult.objects.get()
slips = list(SupervisionSlip.objects.order_by("id").values("deadline_id", "number"))
print(json.dumps({
    "status": task.status,
    "worker_ids": task.worker_ids,
    "return_value": task.return_value,
    "slips": slips,
    "overdue": sorted(Deadline.objects.filter(due_date__lt=os.environ["SWEEP_DAY"]).values_list("id", flat=True)),
}))
"""


class Instance:
    def __init__(self, tmp_path: Path) -> None:
        self.root = tmp_path
        (tmp_path / "worker_kill_settings.py").write_text(SETTINGS)
        self.pg_name = ""
        if connection.vendor == "postgresql":
            self.pg_name = f"{dj_database_url.parse(os.environ['DATABASE_URL'])['NAME']}_worker_kill"
            maintenance(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)', f'CREATE DATABASE "{self.pg_name}"')
            p = connection.settings_dict
            self.url = f"postgres://{p['USER']}:{p['PASSWORD'] or ''}@{p['HOST']}:{p['PORT']}/{self.pg_name}"
        else:
            self.url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "worker_kill_settings",
            "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO), os.environ.get("PYTHONPATH", "")]),
            "DATABASE_URL": self.url,
            "XIEZUOQU_MEDIA_ROOT": str(tmp_path / "media"),
            "XIEZUOQU_VAR_DIR": str(tmp_path / "var"),
            "PAUSE_MARKER": str(tmp_path / "paused"),
            "SWEEP_DAY": SWEEP_DAY,
        }

    def drop(self) -> None:
        if self.pg_name:
            maintenance(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')

    def cli(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "xiezuoqu.cli", *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result

    def python(self, code: str) -> str:
        result = subprocess.run(
            [sys.executable, "-c", code], env=self.env, capture_output=True, text=True, check=False, timeout=600
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    def state(self) -> dict[str, Any]:
        return json.loads(self.python(STATE).strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.fixture
def instance(tmp_path: Path) -> Any:
    target = Instance(tmp_path)
    yield target
    target.drop()


@pytest.mark.django_db(transaction=True)
def test_a_task_of_a_killed_worker_is_run_again_and_nothing_is_done_twice_or_half(instance):
    instance.cli("migrate", "--noinput")
    instance.python(SEED)

    worker = subprocess.Popen(
        [sys.executable, "-c", PAUSED_WORKER], env=instance.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    marker = Path(instance.env["PAUSE_MARKER"])
    try:
        limit = time.monotonic() + 300
        while not marker.exists():
            assert worker.poll() is None, worker.stdout.read().decode()[-3000:]  # type: ignore[union-attr]
            assert time.monotonic() < limit, "the worker never reached the end of the sweep's first batch"
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL

    killed = instance.state()
    assert killed["status"] == TaskResultStatus.RUNNING
    assert len(killed["overdue"]) == 4
    assert len(killed["slips"]) == 2  # the first batch committed whole; the second never began

    # django-tasks-db on its own never runs the task again: it stays RUNNING for ever.
    instance.cli("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0.1")
    assert instance.state()["status"] == TaskResultStatus.RUNNING

    instance.cli("task_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0.1")
    done = instance.state()
    assert done["status"] == TaskResultStatus.SUCCESSFUL
    assert len(done["worker_ids"]) == 2 and done["worker_ids"][0] == killed["worker_ids"][0]
    assert done["return_value"]["slips"] == 2  # only what was missing
    assert sorted(s["deadline_id"] for s in done["slips"]) == done["overdue"]
    assert done["slips"][:2] == killed["slips"]
    numbers = [s["number"] for s in done["slips"]]
    assert [int(n.split("〕")[1].rstrip("号")) for n in numbers] == [1, 2, 3, 4]
    instance.cli("audit", "verify")


def _running(worker_id: str, *, started: timedelta = timedelta(0)) -> DBTaskResult:
    return DBTaskResult.objects.create(  # type: ignore[no-any-return]
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - started,
        args_kwargs={"args": [SWEEP_DAY], "kwargs": {}},
        task_path="xiezuoqu.deadlines.tasks.sweep_deadlines_task",
        backend_name="default",
        run_after=timezone.now(),
        worker_ids=[worker_id],
    )


@pytest.mark.django_db
def test_only_the_tasks_of_dead_or_long_silent_workers_are_reclaimed():
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        live = _running(f"{_host()}:{alive.pid}:abcdefgh")
        mine = _running(new_worker_id())
        elsewhere_recent = _running("other-host:123:abcdefgh", started=timedelta(hours=1))
        elsewhere_old = _running("other-host:123:abcdefgh", started=timedelta(hours=7))
        plain_old = _running("k3J9aQ0x7" * 3, started=timedelta(hours=7))
        assert set(reclaim_stale_tasks()) == {str(elsewhere_old.pk), str(plain_old.pk)}
        assert DBTaskResult.objects.get(pk=live.pk).status == TaskResultStatus.RUNNING
        assert DBTaskResult.objects.get(pk=mine.pk).status == TaskResultStatus.RUNNING
        assert DBTaskResult.objects.get(pk=elsewhere_recent.pk).status == TaskResultStatus.RUNNING
    finally:
        alive.kill()
        alive.wait()
    # Its process is gone now: the task comes back at once, ready to run, without a start time.
    assert reclaim_stale_tasks() == [str(live.pk)]
    again = DBTaskResult.objects.get(pk=live.pk)
    assert again.status == TaskResultStatus.READY and again.started_at is None
    assert reclaim_stale_tasks(reclaim_after=1800) == [str(elsewhere_recent.pk)]
    # Each reclaim is on the audit chain with its dead worker and why.
    events = {
        e.target_id: e.detail
        for e in AuditEvent.objects.filter(action="task.reclaimed", target_type="django_tasks_database.dbtaskresult")
    }
    assert set(events) == {str(t.pk) for t in (live, elsewhere_old, plain_old, elsewhere_recent)}
    assert events[str(live.pk)] == {"worker": live.worker_ids[-1], "reason": "dead_worker"}
    assert events[str(elsewhere_recent.pk)]["reason"] == "stale"
