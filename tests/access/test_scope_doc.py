"""docs/scope.md names, for every kind of object, the module holding its scope rule: its table is the one
generated from the registry, so a new kind, a moved rule or a changed flag fails until it is regenerated."""

from __future__ import annotations

from pathlib import Path

from xiezuoqu.access.docs import BEGIN, END, scope_table
from xiezuoqu.access.registry import POLICIES

# The one exception, with its reason: 统计 has no selectors.py; its monthly ledger's reads (and their
# rule) are the module statistics.ledger, which statistics.services imports as its selectors.
RULE_MODULES = {"statistics": "xiezuoqu.statistics.ledger"}
PAGE = Path(__file__).resolve().parents[2] / "docs" / "scope.md"


def test_the_scope_page_carries_the_generated_table():
    text = PAGE.read_text(encoding="utf-8")
    committed = text[text.index(BEGIN) : text.index(END) + len(END)]
    assert committed == scope_table(), "docs/scope.md is stale: regenerate its table with `xiezuoqu scope_table`"


def test_every_policy_is_a_row_and_its_rule_lives_in_its_apps_selectors():
    table = scope_table()
    for model, policy in POLICIES.items():
        assert f"`{model._meta.label}`" in table
        owner = model._meta.app_label
        # The rule of a kind is its own app's selectors (the one module to read for "who may see it").
        expected = RULE_MODULES.get(owner, f"xiezuoqu.{owner}.selectors")
        assert policy.scope_fn.__module__ == expected, (model, policy.scope_fn.__module__)
