"""clues.services is a package of one module per stage: importing it (the app's ready() does) registers the
disposal approval hook, the letter-reply due-date hook and the 线索研判 agenda kind once each; it re-exports
the names callers use, including the private enforcer rulebook.national names; and its modules import each
other, never the package itself."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from xiezuoqu.approvals.matters import CLUE_DISPOSAL, FINAL_HOOKS
from xiezuoqu.clues import rules, services
from xiezuoqu.clues.services import analysis, disposal, inquiry, opening, subjects
from xiezuoqu.deadlines.services import DUE_RECOMPUTED_HOOKS
from xiezuoqu.meetings.agenda import AGENDA_KINDS
from xiezuoqu.rulebook.national import NATIONAL_RULES

PACKAGE = Path(services.__file__).parent
NAME = "xiezuoqu.clues.services"


def test_each_stages_hook_is_registered_once():
    assert FINAL_HOOKS[CLUE_DISPOSAL.slug].count(disposal._disposal_decided) == 1
    assert DUE_RECOMPUTED_HOOKS[rules.LETTER_REPLY.kind].count(inquiry._reply_due_recomputed) == 1
    assert AGENDA_KINDS["clue_study"].on_resolution is analysis._zone_studied
    assert [k for k in AGENDA_KINDS if k == "clue_study"] == ["clue_study"]


def test_the_package_re_exports_the_stage_functions_themselves():
    assert services.open_clue.__module__ == "xiezuoqu.clues.services.opening"
    assert services.open_clue is opening.open_clue
    assert services.add_subject is subjects.add_subject
    assert services.settle_after_verification is disposal.settle_after_verification
    assert services.record_analysis is analysis.record_analysis
    assert services.CLUE_PATTERN == "{commission}{unit}线〔{year}〕{seq}号"
    for name in services.__all__:
        assert getattr(services, name) is not None, name


def test_every_clue_rule_of_the_national_table_names_a_function_the_package_has():
    enforcers = [spec.enforced_by for spec in NATIONAL_RULES if spec.enforced_by.startswith(NAME + ".")]
    assert f"{NAME}._open_conclusion" in enforcers
    for path in enforcers:
        module, _, name = path.rpartition(".")
        assert callable(getattr(importlib.import_module(module), name)), path


def test_no_stage_module_imports_the_package():
    for path in PACKAGE.glob("*.py"):
        if path.name == "__init__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert node.level == 0, f"{path.name}: relative import"  # absolute imports only
                assert node.module != NAME, path.name
                assert not (node.module == "xiezuoqu.clues" and any(a.name == "services" for a in node.names))
            if isinstance(node, ast.Import):
                assert all(a.name != NAME for a in node.names), path.name
