"""The commission-key check (scripts/check_commission_keys.py): the large tables a sharded or partitioned
deployment would split by commission carry ``commission_id``, or are listed with what they lack."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "check_commission_keys.py"


@pytest.fixture(scope="module")
def keys() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_commission_keys", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_commission_keys"] = module
    spec.loader.exec_module(module)
    return module


def test_every_large_table_has_the_commission_key_or_is_listed_with_what_it_lacks(keys: ModuleType) -> None:
    entries, problems = keys.check()
    assert problems == []
    assert len(entries) > len(keys.ROOTS)  # the children of the roots are found too


def test_the_roots_carry_the_key_and_an_index_that_starts_with_it(keys: ModuleType) -> None:
    entries = {e.label: e for e in keys.check()[0]}
    for label in keys.ROOTS:
        assert entries[label].has_key, label
        assert entries[label].led_by_key, f"{label}: no index starts with commission_id"


def test_a_large_table_that_loses_its_listing_is_reported(keys: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    listed = dict(keys.WITHOUT_KEY)
    del listed["intake.reportaccused"]
    monkeypatch.setattr(keys, "WITHOUT_KEY", listed)
    problems = keys.check()[1]
    assert len(problems) == 1 and "intake.reportaccused" in problems[0]


def test_a_listed_table_that_gains_the_key_must_leave_the_list(
    keys: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keys, "WITHOUT_KEY", {**keys.WITHOUT_KEY, "intake.report": "wrongly listed"})
    problems = keys.check()[1]
    assert len(problems) == 1 and "intake.report" in problems[0]


def test_unique_constraints_without_the_key_are_named(keys: ModuleType) -> None:
    entries = {e.label: e for e in keys.check()[0]}
    # The chain's global sequence is unique across commissions: a sharded audit log cannot enforce it.
    assert any("seq" in u for u in entries["audit.auditevent"].unique_without_key)
    assert not any("commission_id" in u for u in entries["dedup.lshbucket"].unique_without_key)
