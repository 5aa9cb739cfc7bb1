"""The national rules are one table in code (rulebook.national), synced to the database after migrate:
the table and the rows agree, every rule names a function that exists, and a rule's spans by date
never overlap, so exactly one row answers for any day it covers."""

from __future__ import annotations

import importlib
import itertools
from datetime import date, timedelta

import pytest

from xiezuoqu.rulebook.models import Rule
from xiezuoqu.rulebook.national import NATIONAL_RULES, UNIT_LABELS, Direction, national_default, rows_of
from xiezuoqu.rulebook.services import _spec_fields, sync_national_rules

pytestmark = pytest.mark.django_db


def test_the_table_in_the_database_is_the_table_in_code():
    rows = {(r.key, r.effective_from): r for r in Rule.objects.all()}
    assert set(rows) == {(spec.key, spec.effective_from) for spec in NATIONAL_RULES}
    for spec in NATIONAL_RULES:
        row = rows[(spec.key, spec.effective_from)]
        assert {name: getattr(row, name) for name in _spec_fields(spec)} == _spec_fields(spec), spec.key


def test_a_drifted_row_is_put_back_by_the_sync():
    row = Rule.objects.get(key="clue.disposal")
    Rule.objects.filter(pk=row.pk).update(value=3, source="改过的")
    Rule.objects.create(
        key="stale.rule", name="旧规则", source="旧", article="—", effective_from=date(2020, 1, 1),
        value=1, unit="days", enforced_by="x", direction="fixed",
    )  # fmt: skip
    assert sync_national_rules() == 2
    row.refresh_from_db()
    assert (row.value, row.source) == (1, "中国共产党纪律检查机关监督执纪工作规则")
    assert not Rule.objects.filter(key="stale.rule").exists()
    assert sync_national_rules() == 0


@pytest.mark.parametrize("spec", NATIONAL_RULES, ids=lambda s: f"{s.key}@{s.effective_from}")
def test_every_rule_names_a_function_that_exists(spec):
    module, _, name = spec.enforced_by.rpartition(".")
    assert callable(getattr(importlib.import_module(module), name))
    assert spec.name and spec.source and spec.article
    assert spec.unit in UNIT_LABELS


def test_spans_of_one_rule_do_not_overlap_and_one_is_open_ended():
    for key in {spec.key for spec in NATIONAL_RULES}:
        rows = sorted(rows_of(key), key=lambda s: s.effective_from)
        for earlier, later in itertools.pairwise(rows):
            assert earlier.effective_to is not None
            assert earlier.effective_to == later.effective_from - timedelta(days=1), key
        assert rows[-1].effective_to is None
        national_default(key)  # exactly one open-ended row
        assert len({spec.direction for spec in rows}) == 1, key


def test_overridable_rules_have_a_number_to_compare():
    for spec in NATIONAL_RULES:
        if spec.direction != Direction.FIXED:
            assert isinstance(spec.value, int), spec.key
