"""The layering check (scripts/check_layers.py): the tree passes, and a new circle or back-up import fails."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "check_layers.py"


@pytest.fixture(scope="module")
def check_layers() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_layers", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_layers"] = module
    spec.loader.exec_module(module)
    return module


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "xiezuoqu" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_the_source_tree_has_no_unexplained_circle_or_back_up_import(check_layers: ModuleType) -> None:
    assert check_layers.problems(check_layers.Graph()) == []


def test_every_allowed_back_up_import_and_known_circle_states_its_reason(check_layers: ModuleType) -> None:
    for pair, reason in check_layers.ALLOWED_UPWARD.items():
        assert len(reason) > 20, pair
    for circle, reason in check_layers.KNOWN_CIRCLES.items():
        assert len(reason) > 20, circle


def test_every_app_is_in_exactly_one_layer(check_layers: ModuleType) -> None:
    units = [unit for _name, layer in check_layers.LAYERS for unit in layer]
    assert len(units) == len(set(units))
    graph = check_layers.Graph()
    assert {check_layers.unit_of(module) for module in graph.edges} <= set(units)


def test_a_new_circle_fails_even_through_a_function_local_import(check_layers: ModuleType, tmp_path: Path) -> None:
    src = _write(
        tmp_path,
        {
            "__init__.py": "",
            "clues/__init__.py": "",
            "clues/alpha.py": "from xiezuoqu.clues.beta import b\n",
            "clues/beta.py": "def b():\n    from .alpha import a\n    return a\n",
        },
    )
    graph = check_layers.Graph(src)
    assert check_layers.module_circles(graph) == [("clues.alpha", "clues.beta")]
    assert "import circle: clues.alpha <-> clues.beta" in check_layers.problems(graph)


def test_an_import_from_a_lower_layer_to_a_higher_one_fails(check_layers: ModuleType, tmp_path: Path) -> None:
    src = _write(
        tmp_path,
        {
            "__init__.py": "",
            "org/__init__.py": "",
            "org/models.py": "def f():\n    from xiezuoqu.archive import services\n    return services\n",
            "archive/__init__.py": "",
            "archive/services.py": "from xiezuoqu.org.models import f\n",
        },
    )
    graph = check_layers.Graph(src)
    assert list(check_layers.upward_imports(graph)) == [("org", "archive")]
    messages = check_layers.problems(graph)
    assert any(m.startswith("back-up import org -> archive (higher layer): xiezuoqu.org.models:2") for m in messages)
    # the same import downwards is fine
    assert not any("archive -> org" in m for m in messages)


def test_the_mermaid_diagram_draws_every_layer_and_marks_back_up_imports(check_layers: ModuleType) -> None:
    text = check_layers.mermaid(check_layers.Graph())
    assert text.startswith("flowchart BT\n")
    for name, _units in check_layers.LAYERS:
        assert f"subgraph {name}" in text
    for source, target in check_layers.ALLOWED_UPWARD:
        assert f"{check_layers.node_id(source)} -.-> {check_layers.node_id(target)}" in text


def test_the_committed_layer_document_shows_the_generated_diagram(check_layers: ModuleType) -> None:
    doc = (SCRIPT.parents[1] / "docs" / "architecture-layers.md").read_text(encoding="utf-8")
    block = doc.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert block == check_layers.mermaid(check_layers.Graph())
