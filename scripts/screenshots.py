#!/usr/bin/env python
"""Screenshots of the product as its users see it: one work home (工作台) per role, and any further
pages given, at 1366×768, with Debian's Chromium driven by Playwright (a dev dependency; Chromium
comes from scripts/ensure_chromium.sh).

    make screenshots                      # serves a throwaway demo and writes docs/screenshots/
    .venv/bin/python scripts/screenshots.py --base-url http://127.0.0.1:8000 --out docs/screenshots

Each login signs in through the login page with the demo password, as a person would. The pictures
are generated, never edited by hand: run again after a change to the pages.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# One login per kind of home (DEMO_LOGINS has the rest of each role).
HOMES = [
    ("dengji", "信访登记员"),
    ("xinfang", "信访室干部"),
    ("zuzhang1", "协作区组长"),
    ("jianchashi1", "纪检监察室干部"),
    ("xzshuji", "乡镇纪委书记"),
    ("xzganbu", "乡镇纪委干部"),
    ("shenli", "案件审理室"),
    ("shuji", "市纪委书记"),
    ("anguan", "案件监督管理室"),
    ("xitong", "系统管理员"),
    ("jianduyuan", "村级监督员"),
]
PASSWORD = "Fengcheng#2026"
CHROMIUM = "/usr/bin/chromium"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument(
        "--page", action="append", default=[], help="username:/path:name, e.g. anguan:/statistics/:cockpit"
    )
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    shots = [(username, "/", f"home-{username}") for username, _ in HOMES]
    for spec in args.page:
        username, path, name = spec.split(":", 2)
        shots.append((username, path, name))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for username, path, name in shots:
            context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
            page = context.new_page()
            page.goto(f"{args.base_url}/accounts/login/")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", PASSWORD)
            page.click("form button[type=submit], form button")
            page.wait_for_load_state("networkidle")
            page.goto(f"{args.base_url}{path}")
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(1500)  # let charts finish their entry animation
            target = out / f"{name}.png"
            page.screenshot(path=str(target))
            print(f"{target}  ({username} {path}: {page.title()})")
            context.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
