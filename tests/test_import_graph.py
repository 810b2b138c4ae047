"""The project's own import graph (assistant/, ingest/, connectors/): no new import cycles.

The graph is read from the source with ``ast``: every ``import`` a module runs, at module level
or deferred inside a function (a deferred import still ties the two modules together), but not
those under ``if TYPE_CHECKING:`` (never executed). Cycles are found as the strongly connected
components of that graph.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("assistant", "ingest", "connectors")

# Cycles that existed before this test and are not fixed yet. The test fails on any other cycle,
# and on a listed one that has gone (so that the list only ever shrinks: delete it then).
KNOWN_CYCLES = {
    frozenset({"assistant.stores.registry", "assistant.stores.warehouse"}),
    frozenset({"ingest.loaders.remit_store", "ingest.loaders.x12_835"}),
    frozenset({
        "ingest.parsers", "ingest.parsers.docx_parser", "ingest.parsers.eml", "ingest.parsers.pdf",
        "ingest.parsers.text",
    }),
    frozenset({"assistant.sample.riverbend.claims", "assistant.sample.riverbend.planted"}),
}

# The two the architecture review found (issue 17), fixed: they must stay gone.
FIXED_PAIRS = [
    ("connectors.http.app", "connectors.slack.app"),  # warm_up now lives in assistant/warmup.py
    ("ingest.job", "ingest.warehouse_io"),  # DocResult now lives in ingest/results.py
]


def project_modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the three packages."""
    out: dict[str, Path] = {}
    for pkg in PACKAGES:
        for f in sorted((ROOT / pkg).rglob("*.py")):
            parts = list(f.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = f
    return out


def _runtime_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    type_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for stmt in node.body:
                type_only.update(id(n) for n in ast.walk(stmt))
    return [
        n for n in ast.walk(tree)
        if isinstance(n, ast.Import | ast.ImportFrom) and id(n) not in type_only
    ]


def import_graph(mods: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the project modules it imports (a ``from pkg import name`` counts as an import
    of ``pkg.name`` when that is a module, else of ``pkg``)."""
    graph: dict[str, set[str]] = {}
    for name, path in mods.items():
        is_pkg = path.name == "__init__.py"
        targets: set[str] = set()
        for node in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets.update(a.name for a in node.names)
                continue
            if node.level:
                base = name.split(".") if is_pkg else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                targets.add(sub if sub in mods else source)
        graph[name] = {t for t in targets if t in mods and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, children = work[-1]
            for w in children:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[v])
                if low[v] == index[v]:
                    comp = set()
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        comp.add(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        found.append(frozenset(comp))
    return found


def test_the_graph_reader_finds_a_cycle_through_a_deferred_import(tmp_path: Path) -> None:
    pkg = tmp_path / "assistant"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from assistant.b import f\n")
    (pkg / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from assistant import c\n"
        "def f():\n    from . import a\n"
    )
    (pkg / "c.py").write_text("import assistant.a\n")
    mods = {
        "assistant": pkg / "__init__.py", "assistant.a": pkg / "a.py",
        "assistant.b": pkg / "b.py", "assistant.c": pkg / "c.py",
    }
    graph = import_graph(mods)
    assert graph["assistant.b"] == {"assistant.a"}  # the TYPE_CHECKING import is not an edge
    assert cycles(graph) == [frozenset({"assistant.a", "assistant.b"})]


def test_no_import_cycles_beyond_the_known_ones() -> None:
    mods = project_modules()
    assert len(mods) > 100 and "connectors.http.app" in mods and "ingest.job" in mods
    found = set(cycles(import_graph(mods)))
    new = found - KNOWN_CYCLES
    assert not new, f"new import cycles among the project's modules: {[sorted(c) for c in new]}"
    gone = KNOWN_CYCLES - found
    assert not gone, f"fixed, so delete from KNOWN_CYCLES: {[sorted(c) for c in gone]}"
    for a, b in FIXED_PAIRS:
        assert not any(a in c and b in c for c in found), f"{a} <-> {b} is a cycle again"


def test_the_core_never_imports_a_connector() -> None:
    """Connectors (HTTP, Slack) build on the assistant, not the other way round; only the
    CLI, itself an edge that starts the servers, may import them."""
    mods = project_modules()
    graph = import_graph(mods)
    wrong = sorted(f"{m} -> {t}" for m, targets in graph.items()
                   if m.startswith(("assistant.", "ingest.")) and not m.startswith("assistant.cli")
                   for t in targets if t.startswith("connectors"))
    assert not wrong, wrong


@pytest.mark.parametrize("module", sorted({m for pair in FIXED_PAIRS for m in pair}))
def test_each_former_cycle_member_imports_first_in_a_fresh_interpreter(module: str) -> None:
    """Imported first, before anything else of the project, each module loads on its own."""
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"], cwd=ROOT, capture_output=True, text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_every_module_imports_in_a_fresh_interpreter() -> None:
    names = [m for m in project_modules() if not m.endswith("__main__")]
    code = "import importlib, sys\nfor m in sys.argv[1:]:\n    importlib.import_module(m)\n"
    done = subprocess.run(
        [sys.executable, "-c", code, *names], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
