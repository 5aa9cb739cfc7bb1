"""`make run`: the web server (gunicorn) and the background worker (django-tasks-db) together.

Prints the address and the demo logins, then supervises both processes: if one exits, the other is
stopped too, so a broken worker never goes unnoticed behind a running web server.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description="协作区：启动网页服务与后台任务进程")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
    parser.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezuoqu.settings.dev")
    bin_dir = os.path.dirname(sys.executable)
    web = subprocess.Popen(
        [
            os.path.join(bin_dir, "gunicorn"),
            "xiezuoqu.wsgi:application",
            "--bind",
            f"{args.host}:{args.port}",
            "--workers",
            str(args.web_workers),
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "10",
        ]
    )
    worker = subprocess.Popen([os.path.join(bin_dir, "xiezuoqu"), "task_worker", "--interval", "2", "--no-reload"])
    _announce(args.host, args.port)
    procs = [web, worker]

    def stop(*_: object) -> None:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
    finally:
        stop()
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
    return max((p.returncode or 0) for p in procs)


def _announce(host: str, port: str) -> None:
    import django

    django.setup()
    from xiezuoqu.demo.data import DEMO_LOGINS, DEMO_PASSWORD

    lines = [
        "",
        f"  协作区已启动： http://{host}:{port}/",
        "  后台任务进程已启动（django-tasks-db）。按 Ctrl+C 停止。",
        f"  演示账号（密码均为 {DEMO_PASSWORD}）：",
    ]
    width = max(len(username) for username, _, _ in DEMO_LOGINS)
    lines += [f"    {username:<{width}} {who}" for username, _, who in DEMO_LOGINS]
    print("\n".join(lines) + "\n", flush=True)


if __name__ == "__main__":
    sys.exit(main())
