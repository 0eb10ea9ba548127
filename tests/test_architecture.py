"""The layers point one way (issue #13): ingest → stats → levels → report → cli.

The test walks every import of every module under ``src/evalkit`` (top-level and inside
functions, found with ``ast``) and fails on an import from a lower layer into a higher one,
on any import of presentation code (``i18n``, ``report``) from ``stats/``, and on a cycle
between modules.
"""
from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

from conftest import ROOT

SRC = ROOT / "src" / "evalkit"

#: layer of each module (dotted name under evalkit, longest prefix wins); lower numbers are lower
LAYERS = {
    "_config": 0, "_text": 0, "errors": 0, "atomic": 0, "bands": 0, "i18n": 0,
    "ingest": 1,
    "stats": 2,
    "levels": 3, "evaluation": 3, "studies": 3, "datasets": 3,
    "report": 4, "store": 4,
    "scaffold": 5, "workbench": 5, "cli": 5, "__main__": 5,
}


def module_name(path: Path) -> str:
    rel = path.relative_to(SRC).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def layer(mod: str) -> int | None:
    parts = mod.split(".")
    for i in range(len(parts), 0, -1):
        if ".".join(parts[:i]) in LAYERS:
            return LAYERS[".".join(parts[:i])]
    return None


def imports(path: Path) -> set[str]:
    """evalkit modules imported by ``path`` (relative imports resolved), anywhere in the file."""
    mod = module_name(path)
    pkg = mod.split(".") if path.name == "__init__.py" else mod.split(".")[:-1]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg[: len(pkg) - node.level + 1] if node.level > 1 else pkg
                target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            elif node.module and node.module.startswith("evalkit"):
                target = node.module.removeprefix("evalkit").lstrip(".")
            else:
                continue
            if node.module is None or not target:
                for a in node.names:  # from . import x  → the submodule x
                    out.add(".".join([*base, a.name]) if node.level else a.name)
            else:
                out.add(target)
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("evalkit."):
                    out.add(a.name.removeprefix("evalkit."))
    return {o for o in out if o}


MODULES = {module_name(p): p for p in SRC.rglob("*.py")}


@functools.cache
def import_graph() -> dict[str, set[str]]:
    """Module → the evalkit modules it imports (parsed when a test first asks, not at collection:
    every xdist worker collects this file)."""
    return {m: {i for i in imports(p)} for m, p in MODULES.items()}


def test_every_module_has_a_layer():
    missing = sorted(m for m in MODULES if m and layer(m) is None)
    assert not missing, f"give these modules a layer in tests/test_architecture.py: {missing}"


def test_no_upward_import():
    bad = []
    for m, deps in import_graph().items():
        if not m:
            continue  # the package root re-exports the public API lazily
        for d in deps:
            if layer(d) is not None and layer(d) > layer(m):
                bad.append(f"{m} (layer {layer(m)}) imports {d} (layer {layer(d)})")
    assert not bad, "\n".join(sorted(bad))


def test_stats_imports_no_presentation_code():
    bad = [(m, d) for m, deps in import_graph().items() if m.startswith("stats") for d in deps
           if d.split(".")[0] in ("i18n", "report", "levels", "evaluation", "cli")]
    assert not bad, bad


def test_errors_does_not_import_i18n():
    assert not {d for d in import_graph()["errors"] if d.startswith("i18n")}


def _resolve(d: str) -> str | None:
    parts = d.split(".")
    for i in range(len(parts), 0, -1):
        cand = ".".join(parts[:i])
        if cand in MODULES:
            return cand
    return None


def test_no_import_cycle():
    graph = {m: {r for d in deps if (r := _resolve(d)) and r != m} for m, deps in import_graph().items() if m}
    seen, cycles = set(), []

    def visit(n, path):
        if n in path:
            cycles.append(path[path.index(n):] + [n])
            return
        if n in seen:
            return
        path.append(n)
        for d in sorted(graph.get(n, ())):
            if d:  # the package root is not a module of a layer
                visit(d, path)
        path.pop()
        seen.add(n)

    for m in sorted(graph):
        visit(m, [])
    assert not cycles, cycles[:5]


@pytest.mark.parametrize("pattern", ["i18n", "report"])
def test_grep_finds_no_presentation_import_in_stats(pattern):
    import re

    rx = re.compile(rf"^\s*(from|import) .*({pattern})")
    hits = [f"{p}:{i}" for p in (SRC / "stats").rglob("*.py")
            for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if rx.search(line)]
    assert not hits, hits


def test_every_level_module_names_its_program_yaml_sections_and_schemas():
    import importlib

    from pydantic import BaseModel

    for name in ("reaction", "learning", "behaviour", "results", "roi", "costs", "instruments"):
        mod = importlib.import_module(f"evalkit.levels.{name}")
        assert set(mod.SCHEMA) == set(mod.SECTIONS), name
        assert all(issubclass(cls, BaseModel) for cls in mod.SCHEMA.values()), name
        assert callable(mod.evaluate), name
