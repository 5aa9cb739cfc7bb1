"""The layering check: the import graph of src/xiezuoqu, its circles and its back-up imports.

Run ``python scripts/check_layers.py`` (exit status 1 on a violation), ``--report`` for the counts and
every circle and back-up import, ``--mermaid`` for the layer diagram of docs/architecture-layers.md.

How the graph is built. Every ``.py`` file under src/xiezuoqu except migrations is parsed with ``ast``;
EVERY import statement counts — module level, inside a function or method, and under
``if TYPE_CHECKING:`` alike. A function-local import is how a circle is hidden from the interpreter, not
how it is removed: the code still needs the other module to run, so the check treats it as an edge like
any other. ``from package import name`` is an edge to ``package.name`` when that is a module, otherwise
to ``package``. Relative imports are resolved against the importing module.

What fails:

(a) a circle: a strongly connected set of two or more modules in the graph (``approvals.matters`` ↔
    ``approvals.models``, ``clues.selectors`` → ``cases.selectors`` → ``clues.selectors``), within one
    app or across apps, unless it is listed in ``KNOWN_CIRCLES`` (today's debt, each with its reason; the list may only
    shrink — an entry that no longer occurs fails too, so a fixed circle is struck off);
(b) a back-up import: an import from an app to an app of a HIGHER layer in ``LAYERS``, unless the pair
    is listed in ``ALLOWED_UPWARD`` with its reason (an entry no longer used fails as well).

Imports between apps of the same layer are allowed (they are peers: ``org`` and ``access`` need each
other's models) as long as no two MODULES form a circle; apps of different layers can only meet in a
circle through an allowed back-up import, so (b) and its allow-list govern those.
The top-level modules (``xiezuoqu.crypto``, ``xiezuoqu.statetable``…) and ``settings`` are the base,
below every app; ``urls``, ``api``, ``cli``, ``serve``, ``wsgi`` and ``demo`` are the roof, above them.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
PACKAGE = "xiezuoqu"

# The layers, bottom first. An app may import from its own layer and from any layer below it.
# Derived from DESIGN.md §4/§5 (org and audit under everything; the life cycle report → clue →
# verification → case → sanction → archive; statistics and the web shell read them all) and from the
# imports the code has.
LAYERS: list[tuple[str, list[str]]] = [
    ("base", ["_core", "settings", "formats", "sanctions.rules", "rulebook.national"]),
    ("foundation", ["org", "audit", "accounts", "access", "workdays", "rulebook", "web.forms"]),
    ("support", ["approvals", "deadlines", "dedup", "backup"]),
    ("intake", ["intake", "public"]),
    ("clues", ["clues", "teams", "recusal"]),
    ("verification", ["verification", "inspections", "training", "clearing", "screening"]),
    ("cases", ["cases", "filing", "meetings", "funds"]),
    ("sanctions", ["sanctions", "precedents"]),
    ("archive", ["archive", "statistics", "web"]),
    ("roof", ["_roof", "demo"]),
]
# An entry with a dot ("web.forms", "sanctions.rules") places one module apart from its app: the form
# helpers every app's views use, the sanction rules (a pure table, no imports of the project) that a
# case's decision is checked against, and the national rule table (rulebook.national) they read.

# Top-level modules of xiezuoqu/ that are not apps: the base every app may use, and the roof that wires
# the apps together (URLs, the API, the command line, the servers).
ROOF_MODULES = {"urls", "api", "cli", "serve", "wsgi"}

# Back-up imports the layering explains, one reason each: (importing unit, imported unit): reason.
ALLOWED_UPWARD: dict[tuple[str, str], str] = {
    ("accounts", "demo"): "the login page lists the demo logins, only when the demo data is loaded "
    "(function-local in accounts.views)",
    ("intake", "recusal"): "a report joined to a clue the actor has withdrawn from (回避) is out of reach: "
    "intake.selectors asks recusal.scope for the recused clue ids",
    ("intake", "clues"): "the report↔clue link (ClueReport) lives with clues; intake reads it for the "
    "recusal filter and to conclude the reports of a disposed clue (function-local)",
    ("dedup", "intake"): "dedup.sources lists the tables the duplicate index reads (reports), used only by "
    "the dedup_reindex command (function-local)",
    ("dedup", "clues"): "dedup.sources lists the tables the duplicate index reads (clues), used only by "
    "the dedup_reindex command (function-local)",
    ("clues", "meetings"): "线索研判: clues registers its agenda kind with meetings.agenda (an agreed "
    "resolution records the zone's study of the clue) and reads the attendance when it is recorded",
    ("teams", "cases"): "a seat on an investigation team weighs on its member while the case is filed or under "
    "investigation: teams.selectors.working_seats reads the Case model and its states (function-local)",
    ("cases", "sanctions"): "a decision opens its 处分期间 and an appeal's 撤销/变更 ends them: cases.services "
    "(its decision and appeal stages) calls sanctions.services.open_terms_for_decision / apply_appeal in the "
    "same transaction",
}

# Circles that exist today, by the sorted tuple of their members ("app.module"), each with why it is
# still there. The list only shrinks.
KNOWN_CIRCLES: dict[tuple[str, ...], str] = {}


def unit_of(module: str) -> str:
    """The layering unit of a dotted module name: a module listed in LAYERS, else its app (or the
    pseudo-apps _core/_roof for the top-level modules)."""
    short = module.removeprefix(f"{PACKAGE}.")
    for _name, units in LAYERS:
        for unit in units:
            if "." in unit and (short == unit or short.startswith(f"{unit}.")):
                return unit
    return app_of(module)


def app_of(module: str) -> str:
    """The app (or pseudo-app _core/_roof) a dotted module name belongs to: apps are the sub-packages."""
    parts = module.split(".")
    if len(parts) == 1:
        return "_core"
    first = parts[1]
    if f"{PACKAGE}.{first}" in _PACKAGES:
        return first
    if first in ROOF_MODULES:
        return "_roof"
    return "_core"


def layer_index() -> dict[str, int]:
    index: dict[str, int] = {}
    for position, (_name, apps) in enumerate(LAYERS):
        for app in apps:
            index[app] = position
    return index


_PACKAGES: set[str] = set()


def module_files(src: Path) -> dict[str, Path]:
    files: dict[str, Path] = {}
    _PACKAGES.clear()
    for path in sorted((src / PACKAGE).rglob("*.py")):
        relative = path.relative_to(src)
        if "migrations" in relative.parts:
            continue
        parts = list(relative.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
            _PACKAGES.add(".".join(parts))
        files[".".join(parts)] = path
    return files


def _resolve(name: str, known: set[str]) -> str | None:
    """The longest known module that ``name`` is or lies in."""
    while name:
        if name in known:
            return name
        if "." not in name:
            return None
        name = name.rsplit(".", 1)[0]
    return None


def imports_of(module: str, path: Path, known: set[str]) -> list[tuple[str, int]]:
    """(imported module, line) for every import statement in the file, at any depth."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _resolve(alias.name, known)
                if target:
                    found.append((target, node.lineno))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = module.split(".")
                if not is_package:
                    base_parts = base_parts[:-1]
                if node.level > 1:
                    base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                target = submodule if submodule in known else _resolve(base, known)
                if target:
                    found.append((target, node.lineno))
    return found


class Graph:
    def __init__(self, src: Path = SRC) -> None:
        self.files = module_files(src)
        known = set(self.files)
        # module -> {imported module: first line}
        self.edges: dict[str, dict[str, int]] = {}
        for module, path in self.files.items():
            targets: dict[str, int] = {}
            for target, line in imports_of(module, path, known):
                if target != module:
                    targets.setdefault(target, line)
            self.edges[module] = targets

    def app_edges(self) -> dict[str, dict[str, list[str]]]:
        """app -> {imported app: ["module:line -> module", …]}"""
        result: dict[str, dict[str, list[str]]] = {}
        for module, targets in self.edges.items():
            source_app = unit_of(module)
            result.setdefault(source_app, {})
            for target, line in targets.items():
                target_app = unit_of(target)
                if target_app != source_app:
                    result[source_app].setdefault(target_app, []).append(f"{module}:{line} -> {target}")
        return result


def strongly_connected(nodes: Iterable[str], edges: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; the components of two or more nodes, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work: list[tuple[str, Iterable[str]]] = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return sorted(components)


def module_circles(graph: Graph) -> list[tuple[str, ...]]:
    short = {module: module.removeprefix(f"{PACKAGE}.") for module in graph.edges}
    edges = {short[m]: [short[t] for t in targets] for m, targets in graph.edges.items()}
    return [tuple(c) for c in strongly_connected(sorted(edges), edges)]


def app_circles(graph: Graph) -> list[tuple[str, ...]]:
    app_edges = graph.app_edges()
    edges = {app: list(targets) for app, targets in app_edges.items()}
    return [tuple(c) for c in strongly_connected(sorted(edges), edges)]


def upward_imports(graph: Graph) -> dict[tuple[str, str], list[str]]:
    index = layer_index()
    found: dict[tuple[str, str], list[str]] = {}
    for source, targets in graph.app_edges().items():
        for target, where in targets.items():
            if index[target] > index[source]:
                found[(source, target)] = where
    return dict(sorted(found.items()))


def problems(graph: Graph) -> list[str]:
    messages: list[str] = []
    index = layer_index()
    apps = {unit_of(m) for m in graph.edges}
    for app in sorted(apps - set(index)):
        messages.append(f"app {app!r} is in no layer of LAYERS")
    if messages:
        return messages
    circles = module_circles(graph)
    for circle in circles:
        if circle not in KNOWN_CIRCLES:
            messages.append(f"import circle: {' <-> '.join(circle)}")
    for circle in KNOWN_CIRCLES:
        if circle not in circles:
            messages.append(f"KNOWN_CIRCLES lists {circle}, which no longer occurs: strike it off")
    upward = upward_imports(graph)
    for pair, where in upward.items():
        if pair not in ALLOWED_UPWARD:
            messages.append(f"back-up import {pair[0]} -> {pair[1]} (higher layer): {'; '.join(where)}")
    for pair in ALLOWED_UPWARD:
        if pair not in upward:
            messages.append(f"ALLOWED_UPWARD lists {pair}, which is no longer imported: strike it off")
    return messages


def node_id(unit: str) -> str:
    """A Mermaid node id for a unit ("web.forms" -> "u_web_forms")."""
    return "u_" + unit.replace(".", "_").lstrip("_")


def mermaid(graph: Graph) -> str:
    """The layers and the app-to-app imports as a Mermaid flowchart (bottom layer at the bottom)."""
    lines = ["flowchart BT"]
    for name, apps in LAYERS:
        lines.append(f"    subgraph {name}")
        lines.extend(f'        {node_id(app)}["{app}"]' for app in apps)
        lines.append("    end")
    upward = upward_imports(graph)
    for source, targets in sorted(graph.app_edges().items()):
        for target in sorted(targets):
            arrow = "-.->" if (source, target) in upward else "-->"
            lines.append(f"    {node_id(source)} {arrow} {node_id(target)}")
    return "\n".join(lines) + "\n"


def report(graph: Graph) -> str:
    out: list[str] = []
    mods = module_circles(graph)
    apps = app_circles(graph)
    upward = upward_imports(graph)
    out.append(f"modules: {len(graph.edges)}, import edges: {sum(len(t) for t in graph.edges.values())}")
    out.append(f"module circles: {len(mods)}")
    out.extend(f"  {' <-> '.join(c)}" for c in mods)
    out.append(f"app circles (information: peers of one layer may import each other): {len(apps)}")
    out.extend(f"  {' <-> '.join(c)}" for c in apps)
    statements = sum(len(w) for w in upward.values())
    out.append(f"back-up imports: {len(upward)} app pairs, {statements} module imports")
    for (source, target), where in upward.items():
        out.append(f"  {source} -> {target}")
        out.extend(f"      {w}" for w in where)
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", action="store_true", help="print the circles and back-up imports")
    parser.add_argument("--mermaid", action="store_true", help="print the layer diagram")
    args = parser.parse_args(argv)
    graph = Graph()
    if args.mermaid:
        sys.stdout.write(mermaid(graph))
        return 0
    if args.report:
        print(report(graph))
    messages = problems(graph)
    for message in messages:
        print(message)
    if not messages:
        print("layers: no unexplained circle, no unexplained back-up import")
    return 1 if messages else 0


if __name__ == "__main__":
    sys.exit(main())
