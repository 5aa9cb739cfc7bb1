"""inspections.services is a package of one module per stage: importing it (the app's ready() does) registers
the plan's approval hook once; it re-exports the names callers use (and ``adapter``, which the views read
through it); and its modules import each other, never the package itself."""

from __future__ import annotations

import ast
from pathlib import Path

from xiezuoqu.approvals.matters import FINAL_HOOKS
from xiezuoqu.inspections import adapter, rules, services
from xiezuoqu.inspections.services import campaigns, cross_assignment, field_work, rectification, transfer

PACKAGE = Path(services.__file__).parent
NAME = "xiezuoqu.inspections.services"


def test_the_plan_approval_hook_is_registered_once():
    assert FINAL_HOOKS[rules.PLAN.slug] == [campaigns._plan_decided]


def test_the_package_re_exports_the_stage_functions_themselves():
    assert services.create_campaign.__module__ == "xiezuoqu.inspections.services.campaigns"
    assert services.propose_assignment is cross_assignment.propose_assignment
    assert services.add_finding is field_work.add_finding
    assert services.close_finding is rectification.close_finding
    assert services.transfer_finding is transfer.transfer_finding
    assert services.adapter is adapter
    for name in services.__all__:
        assert getattr(services, name) is not None, name


def test_no_stage_module_imports_the_package():
    for path in PACKAGE.glob("*.py"):
        if path.name == "__init__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert node.level == 0, f"{path.name}: relative import"  # absolute imports only
                assert node.module != NAME, path.name
                assert not (node.module == "xiezuoqu.inspections" and any(a.name == "services" for a in node.names))
            if isinstance(node, ast.Import):
                assert all(a.name != NAME for a in node.names), path.name
