"""In a real browser (issue 16): every role's home loads with its scripts, styles and htmx fragments and no
script error or Content-Security-Policy violation, and the statistics charts draw.

What the Django test client cannot see: a script the CSP blocks, a vendored file that 404s, a fragment htmx
fails to load. Playwright (a dev dependency) drives Debian's Chromium, which scripts/ensure_chromium.sh
installs, against the live test server; part of ``make test``, and ``make browser`` runs them alone.
Without Playwright or Chromium the module is skipped and says which is missing.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_spec = importlib.util.spec_from_file_location(
    "screenshots", Path(__file__).resolve().parents[2] / "scripts" / "screenshots.py"
)
assert _spec and _spec.loader
screenshots = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(screenshots)
CHROMIUM, HOMES, PASSWORD = screenshots.CHROMIUM, screenshots.HOMES, screenshots.PASSWORD

playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: make browser")
if shutil.which(CHROMIUM) is None:
    pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium fonts-noto-cjk", allow_module_level=True)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the fixtures are still
    # synchronous ones, so Django's guard against ORM use inside a loop does not apply.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with playwright.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield instance
        instance.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


class Visit:
    """One signed-in browser tab that records what went wrong while it was used."""

    def __init__(self, browser: Any, base_url: str, username: str) -> None:
        self.base_url = base_url
        self.context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.fetched: list[str] = []
        self.page.on("pageerror", lambda exc: self.problems.append(f"script error: {exc}"))
        self.page.on("console", lambda msg: msg.type == "error" and self.problems.append(f"console error: {msg.text}"))
        self.page.on("response", self._response)
        self.page.goto(f"{base_url}/accounts/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("form button[type=submit], form button")
        self.page.wait_for_load_state("networkidle")

    def _response(self, response: Any) -> None:
        if response.url.startswith(self.base_url):
            self.fetched.append(response.url.removeprefix(self.base_url))
            if response.status >= 400:
                self.problems.append(f"{response.status} {response.url}")

    def open(self, path: str) -> Any:
        self.page.goto(f"{self.base_url}{path}")
        self.page.wait_for_load_state("networkidle")
        return self.page


def test_every_role_home_loads_whole_with_no_script_error_csp_violation_or_missing_file(demo, live_server, browser):
    for username, role in HOMES:
        visit = Visit(browser, live_server.url, username)
        page = visit.open("/")
        assert "/accounts/" not in page.url and page.url.startswith(live_server.url), (username, page.url)
        assert page.locator("nav").count() >= 1 and page.title(), username
        assert visit.problems == [], (username, role, visit.problems)
        if demo.actor(username).is_staff_worker:
            # htmx ran under the CSP and fetched the bell fragment of the header.
            assert any("/notifications/bell/" in path for path in visit.fetched), (username, visit.fetched)
        visit.context.close()


def test_the_statistics_charts_draw_in_the_browser(demo, live_server, browser):
    visit = Visit(browser, live_server.url, "anguan")
    page = visit.open("/statistics/")
    page.wait_for_selector("canvas", timeout=10_000)  # ECharts drew at least one chart
    assert page.locator("canvas").count() >= 1
    assert page.locator("table").count() >= 1  # the same numbers as a table
    assert visit.problems == [], visit.problems
    visit.context.close()
