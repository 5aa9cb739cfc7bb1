"""cases.services is a package of one module per stage: importing it (the app's ready() does) registers
the approval hooks of every stage once, in the order the precedents app relies on; it re-exports the
names callers use; and its modules import each other, never the package itself."""

from __future__ import annotations

import ast
from pathlib import Path

from xiezuoqu.approvals.matters import (
    CASE_DETENTION,
    CASE_SANCTION,
    FINAL_HOOKS,
    TRIAL_REINVESTIGATION,
    TRIAL_SUPPLEMENT,
)
from xiezuoqu.cases import services
from xiezuoqu.cases.services import decision, measures, trial

PACKAGE = Path(services.__file__).parent


def test_each_stages_approval_hook_is_registered_once():
    assert FINAL_HOOKS[CASE_DETENTION.slug].count(measures._detention_reviewed) == 1
    assert FINAL_HOOKS[TRIAL_REINVESTIGATION.slug].count(trial._return_decided) == 1
    assert FINAL_HOOKS[TRIAL_SUPPLEMENT.slug].count(trial._return_decided) == 1
    sanction_hooks = FINAL_HOOKS[CASE_SANCTION.slug]
    assert sanction_hooks.count(decision._decision_decided) == 1
    # The case's own hook approves the decision first; the precedents app's hook then reads it.
    assert sanction_hooks[0] is decision._decision_decided
    assert any(hook.__module__.startswith("xiezuoqu.precedents.") for hook in sanction_hooks[1:])


def test_the_package_re_exports_the_stage_functions_themselves():
    assert services.open_case.__module__ == "xiezuoqu.cases.services.opening"
    assert services.propose_decision is decision.propose_decision
    assert services.renew_freeze is measures.renew_freeze
    assert services.MAX_EVIDENCE_SIZE == 50 * 1024 * 1024
    for name in services.__all__:
        assert getattr(services, name) is not None, name


def test_no_stage_module_imports_the_package():
    for path in PACKAGE.glob("*.py"):
        if path.name == "__init__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert node.module != "xiezuoqu.cases.services", path.name
                assert not (node.module == "xiezuoqu.cases" and any(a.name == "services" for a in node.names))
                assert not (node.level == 1 and node.module is None), path.name  # from . import x
            if isinstance(node, ast.Import):
                assert all(a.name != "xiezuoqu.cases.services" for a in node.names), path.name
