#!/usr/bin/env python
"""Load benchmark (issue 16): 50 simulated users across the demo roles against a served instance on PostgreSQL,
then 1,000 racing attempts of the same state transition on one matter.

It starts what ``make run`` starts — gunicorn (2 processes) and the background worker — on a throwaway
PostgreSQL database (dropped and re-created: ``--database``, default ``xiezuoqu_load``), migrated and loaded
with the demo county (``load_demo --reports N``). Every simulated user logs in through the login page (pages
with the session) and holds an API token of its own account (the API); each loops for ``--duration``
seconds over its role's daily tasks with a think time of 0.2–1 s:

- everyone: the home (工作台);
- readers (leaders, zone leaders and deputies, offices, 案管, trial office, township secretaries): the report
  ledger, the clue ledger, the case list (page and API), the 统计 page and its figures API, one clue or case;
- the registrar (``dengji``): registers a report over the API;
- the petition office (``xinfang``): accepts (受理) one of the reports registered in this run.

A page the role may not open is answered 403 and counted as a refusal, not an error; an error is a 5xx or a
broken connection. The racing part: one freshly registered report, ``--race`` (1,000) POSTs of 受理 at once
from 50 threads; exactly one may succeed, every other must be a 409/422 problem JSON, and the report must
show one acceptance in the audit log. Prints p50/p95 per page, requests/s and the error count.

    .venv/bin/python bench/bench_load.py                 # 10 minutes
    .venv/bin/python bench/bench_load.py --duration 60   # a quick run
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "Fengcheng#2026"
READERS = [
    "shuji", "fenguan", "zuzhang1", "zuzhang2", "zuzhang3", "zuzhang4", "fuzuzhang1", "fuzuzhang2",
    "fuzuzhang3", "fuzuzhang4", "jianchashi1", "jianchashi2", "jianchashi3", "jianchashi4", "paizhu1",
    "xzshuji", "xzshuji2", "xzshuji3", "xzshuji4", "anguan", "shenli", "xzganbu",
]  # fmt: skip
REGISTRAR, PETITION = "dengji", "xinfang"

TOKENS = """
import json
from xiezuoqu.access.actor import build_actor
from xiezuoqu.accounts.models import User
from xiezuoqu.accounts.services import issue_api_token
out = {}
for name in %r:
    user = User.objects.get(username=name)
    out[name] = issue_api_token(actor=build_actor(user), user=user, name="负载测试", days=2).raw
print("TOKENS" + json.dumps(out))
"""


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.codes: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.errors: list[str] = []

    def add(self, name: str, status: int, seconds: float, detail: str = "") -> None:
        with self.lock:
            self.times[name].append(seconds * 1000)
            self.codes[name][status] += 1
            if status >= 500 or status == 0:
                self.errors.append(f"{name} {status} {detail[:200]}")


class Client:
    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.token = token
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(
        self, method: str, path: str, body: Any = None, *, api: bool = False, form: Any = None
    ) -> tuple[int, bytes]:
        headers = {"Accept": "application/json"} if api else {}
        data = None
        if api:
            headers["Authorization"] = f"Bearer {self.token}"
            if body is not None:
                data = json.dumps(body).encode()
                headers["Content-Type"] = "application/json"
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = self.base + path
        req = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        opener = urllib.request.build_opener() if api else self.opener
        try:
            with opener.open(req, timeout=60) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()
        except OSError as exc:
            return 0, str(exc).encode()

    def login(self, username: str) -> bool:
        status, page = self.request("GET", "/accounts/login/")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not match:
            return False
        form = {"csrfmiddlewaretoken": match.group(1).decode(), "username": username, "password": PASSWORD}
        status, _ = self.request("POST", "/accounts/login/", form=form)
        return status == 200 and any(c.name == "sessionid" for c in self.jar)


def timed(stats: Stats, name: str, client: Client, method: str, path: str, **kw: Any) -> tuple[int, bytes]:
    start = time.perf_counter()
    status, body = client.request(method, path, **kw)
    stats.add(name, status, time.perf_counter() - start, body.decode("utf-8", "replace"))
    return status, body


def report_payload(n: int) -> dict[str, Any]:
    return {
        "channel": "letter",
        "received_on": date.today().isoformat(),
        "summary": f"负载测试来信第{n}件：反映村干部优亲厚友",
        "content": "反映某村干部在低保评定中优亲厚友，群众意见较大。（负载测试生成）",
        "category": "masses",
        "not_head_confirmed": True,
    }


def user_loop(username: str, client: Client, stats: Stats, until: float, ids: dict[str, list[int]],
              registered: list[int], lock: threading.Lock) -> None:  # fmt: skip
    rng = random.Random(username)
    counter = 0
    while time.monotonic() < until:
        timed(stats, "page /", client, "GET", "/")
        if username == REGISTRAR:
            counter += 1
            status, body = timed(stats, "api POST intake/reports", client, "POST", "/api/v1/intake/reports",
                                 body=report_payload(counter), api=True)  # fmt: skip
            if status == 201:
                with lock:
                    registered.append(json.loads(body)["id"])
        elif username == PETITION:
            with lock:
                target = registered.pop(0) if registered else None
            if target is not None:
                timed(stats, "api POST intake/reports/{id}/route accept", client, "POST",
                      f"/api/v1/intake/reports/{target}/route", body={"action": "accept", "reason": "符合受理条件"},
                      api=True)  # fmt: skip
            timed(stats, "page /intake/", client, "GET", "/intake/")
        else:
            choice = rng.random()
            if choice < 0.2:
                timed(stats, "page /intake/", client, "GET", "/intake/")
            elif choice < 0.35:
                timed(stats, "page /clues/", client, "GET", "/clues/")
            elif choice < 0.5:
                timed(stats, "page /cases/", client, "GET", "/cases/")
            elif choice < 0.6:
                timed(stats, "page /statistics/", client, "GET", "/statistics/")
            elif choice < 0.7 and ids["clues"]:
                timed(stats, "page /clues/{id}/", client, "GET", f"/clues/{rng.choice(ids['clues'])}/")
            elif choice < 0.8 and ids["cases"]:
                timed(stats, "page /cases/{id}/", client, "GET", f"/cases/{rng.choice(ids['cases'])}/")
            elif choice < 0.87:
                timed(stats, "api GET intake/reports", client, "GET", "/api/v1/intake/reports", api=True)
            elif choice < 0.94:
                timed(stats, "api GET clues/", client, "GET", "/api/v1/clues/", api=True)
            else:
                timed(stats, "api GET statistics/figures", client, "GET", "/api/v1/statistics/figures", api=True)
        time.sleep(rng.uniform(0.2, 1.0))


def race(base: str, tokens: dict[str, str], attempts: int) -> dict[str, Any]:
    registrar, office = Client(base, tokens[REGISTRAR]), Client(base, tokens[PETITION])
    status, body = registrar.request("POST", "/api/v1/intake/reports", body=report_payload(0), api=True)
    if status != 201:
        raise SystemExit(f"登记赛跑用来信失败：{status} {body[:300]!r}")
    report_id = json.loads(body)["id"]
    codes: dict[int, int] = defaultdict(int)
    bad: list[str] = []
    lock = threading.Lock()

    def attempt(_: int) -> None:
        status, body = office.request("POST", f"/api/v1/intake/reports/{report_id}/route",
                                      body={"action": "accept", "reason": "赛跑受理"}, api=True)  # fmt: skip
        with lock:
            codes[status] += 1
            if status not in (200, 201) and (status not in (409, 422) or b"detail" not in body):
                bad.append(f"{status} {body[:200]!r}")

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=50) as pool:
        list(pool.map(attempt, range(attempts)))
    seconds = time.perf_counter() - start
    _, detail = office.request("GET", f"/api/v1/intake/reports/{report_id}", api=True)
    return {"report": report_id, "codes": dict(codes), "unclear": bad, "seconds": seconds,
            "state": json.loads(detail).get("state") if detail.startswith(b"{") else None}  # fmt: skip


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=600, help="seconds of load (default 600)")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--race", type=int, default=1000, help="racing attempts of one transition")
    parser.add_argument("--reports", type=int, default=240, help="demo reports to load")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--database", default="xiezuoqu_load")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="server URL without database")
    args = parser.parse_args()

    url = f"{args.pg}/{args.database}"
    admin = f"{args.pg}/postgres"
    subprocess.run(["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)'], check=True)
    subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{args.database}"'], check=True)
    var = Path(f"/tmp/{args.database}-var")
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "xiezuoqu.settings.dev",
           "XIEZUOQU_VAR_DIR": str(var), "XIEZUOQU_MEDIA_ROOT": str(var / "media")}  # fmt: skip
    cli = [str(BIN / "xiezuoqu")]
    t0 = time.perf_counter()
    subprocess.run([*cli, "migrate", "--noinput", "-v0"], env=env, check=True)
    subprocess.run([*cli, "load_demo", "--reports", str(args.reports)], env=env, check=True, stdout=subprocess.DEVNULL)
    users = [*READERS, REGISTRAR, PETITION]
    out = subprocess.run([*cli, "shell", "-c", TOKENS % users], env=env, check=True, capture_output=True, text=True)
    tokens = json.loads(out.stdout.split("TOKENS", 1)[1])
    print(f"准备：迁移、演示数据（{args.reports} 件来信）与令牌 {time.perf_counter() - t0:.0f} s", flush=True)

    server = subprocess.Popen([sys.executable, "-m", "xiezuoqu.serve", "--port", str(args.port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(120):
            if Client(base, "").request("GET", "/accounts/login/")[0] == 200:
                break
            time.sleep(0.5)
        else:
            raise SystemExit("服务未能启动")
        probe = Client(base, tokens["anguan"])
        ids: dict[str, list[int]] = {}
        for kind, path in (("clues", "/api/v1/clues/"), ("cases", "/api/v1/cases/")):
            status, body = probe.request("GET", path, api=True)
            data = json.loads(body) if status == 200 else {}
            rows = (data.get("items") or data.get("results") or []) if isinstance(data, dict) else data
            ids[kind] = [row["id"] for row in rows if isinstance(row, dict) and "id" in row][:50]

        stats = Stats()
        clients = []
        for i in range(args.users):
            name = users[i % len(users)] if i < len(users) else READERS[i % len(READERS)]
            client = Client(base, tokens[name])
            if not client.login(name):
                raise SystemExit(f"{name} 登录失败")
            clients.append((name, client))
        registered: list[int] = []
        lock = threading.Lock()
        until = time.monotonic() + args.duration
        start = time.perf_counter()
        threads = [
            threading.Thread(target=user_loop, args=(n, c, stats, until, ids, registered, lock)) for n, c in clients
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start

        total = sum(len(v) for v in stats.times.values())
        print(f"\n负载：{args.users} 个用户，{args.duration} s，PostgreSQL，gunicorn 2 进程 + 后台任务进程")
        print(f"{'page':<48} {'n':>6} {'p50 ms':>8} {'p95 ms':>8}  statuses")
        for name in sorted(stats.times):
            values = stats.times[name]
            codes = ", ".join(f"{k}×{v}" for k, v in sorted(stats.codes[name].items()))
            print(f"{name:<48} {len(values):>6} {statistics.median(values):>8.1f} {pct(values, 0.95):>8.1f}  {codes}")
        print(f"requests: {total}, {total / elapsed:.1f} req/s, errors (5xx or broken): {len(stats.errors)}")
        for line in stats.errors[:10]:
            print("  ", line)

        result = race(base, tokens, args.race)
        ok = sum(v for k, v in result["codes"].items() if k in (200, 201))
        print(f"\n赛跑：{args.race} 次同时受理同一件来信（#{result['report']}），{result['seconds']:.1f} s")
        print(f"statuses: {result['codes']}; succeeded: {ok} (valid: 1); final state: {result['state']}; "
              f"unclear refusals: {len(result['unclear'])}")  # fmt: skip
        for line in result["unclear"][:5]:
            print("  ", line)
        return 0 if ok == 1 and not result["unclear"] and not stats.errors else 1
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
