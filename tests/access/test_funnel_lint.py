"""Views, API handlers and exports never query a protected model directly: they go through its policy.

A source scan (like Zulip's semgrep rule): in views.py and api.py files, ``<Model>.objects`` for a model
under a scope policy is a bypass of the funnel and fails this test.
"""

from __future__ import annotations

import re
from pathlib import Path

from xiezuoqu.access.registry import POLICIES

SRC = Path(__file__).resolve().parents[2] / "src" / "xiezuoqu"


def test_no_view_or_api_bypasses_the_scope_funnel():
    names = {model.__name__ for model in POLICIES}
    pattern = re.compile(r"\b(" + "|".join(sorted(names)) + r")\.(objects|_default_manager)\b")
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name not in {"views.py", "api.py", "exports.py"}:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(SRC)}:{number}: {line.strip()}")
    assert not offenders, "protected models queried outside their selectors:\n" + "\n".join(offenders)
