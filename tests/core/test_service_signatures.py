"""Every public service function that writes an audit event is called by keyword (issue 14).

A write names what it writes: ``close_case(actor, case=…, reason=…)``, never ``close_case(actor, c, r)``,
so that a reordered or added parameter cannot silently shift an argument into the wrong place. The
acting person may come first, positionally; every other parameter is keyword-only. Pure helpers that
write nothing (``format_number(pattern, …)``, ``zone_of_unit(unit, day)``) take their subject
positionally and are not concerned.

"Writes an audit event" is read from the source: the function's own body calls ``record_event``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import xiezuoqu

SRC = Path(xiezuoqu.__file__).resolve().parent


def service_modules() -> list[Path]:
    return sorted(
        path
        for path in SRC.rglob("*.py")
        if "migrations" not in path.parts and (path.name == "services.py" or "services" in path.parts)
    )


def auditing_functions(path: Path) -> list[ast.FunctionDef]:
    found = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
            continue
        called = {
            call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", None)
            for call in ast.walk(node)
            if isinstance(call, ast.Call)
        }
        if "record_event" in called:
            found.append(node)
    return found


def positional_parameters(function: ast.FunctionDef) -> list[str]:
    return [a.arg for a in function.args.posonlyargs + function.args.args]


def test_auditing_service_functions_take_keywords_after_the_actor() -> None:
    functions = {path: auditing_functions(path) for path in service_modules()}
    # The scan must see the service layer, or it proves nothing.
    assert sum(len(found) for found in functions.values()) > 100
    offenders = [
        f"{path.relative_to(SRC)}:{f.lineno} {f.name}({', '.join(positional_parameters(f))}, …)"
        for path, found in functions.items()
        for f in found
        if positional_parameters(f) not in ([], ["actor"])
    ]
    assert offenders == [], "make these parameters keyword-only (after `*`):\n" + "\n".join(offenders)


def test_the_rule_reads_positional_parameters(tmp_path: Path) -> None:
    module = tmp_path / "services.py"
    module.write_text(
        "def good(actor, *, case):\n    record_event(actor=actor)\n"
        "def bad(actor, case):\n    audit.record_event(actor=actor)\n"
        "def pure(pattern, *, seq):\n    return pattern\n",
        encoding="utf-8",
    )
    found = auditing_functions(module)
    assert [f.name for f in found] == ["good", "bad"]
    assert [positional_parameters(f) for f in found] == [["actor"], ["actor", "case"]]
