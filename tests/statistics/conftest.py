"""The 总结会 test's hand-built dataset (2026 Q3 of the first zone, with rows just outside the period and
another zone's rows) is the statistics tests' data too: the two pages must agree on it."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from tests.intake.conftest import login
from tests.meetings.test_summary import Dataset, dataset  # the fixture, shared

Q3 = {"from": "2026-07", "to": "2026-09"}


def page(username: str, params: dict[str, Any] | None = None, path: str = "/statistics/") -> Any:
    return login(Client(), username).get(path, params or {})


def drill_count(username: str, url: str) -> int:
    response = login(Client(), username).get(url)
    assert response.status_code == 200, (url, response.status_code)
    found = re.search(r'data-count="(\d+)"', response.content.decode())
    assert found, url
    rows = response.content.decode().count('<tr class="row">')
    count = int(found.group(1))
    assert rows == min(count, 500), (url, rows, count)  # the list shows the rows it counts
    return count


__all__ = ["Q3", "Dataset", "dataset", "drill_count", "page"]
