"""The house plan's layers, checked on the import graph (#27): every import counts, the ones inside functions too.

Apps (``cli``, which starts ``ui`` and ``serve``) sit over the use cases (``ops``), which sit over the runner, the review,
the cluster client and the formatter, which sit over the backends, over the compiler, over the language core and Argo's semantics,
over ``util``. A module imports its own room or lower ones; siblings do not import each other; the runner reads
manifests as a cluster does, so it never imports the compiler or a backend; and the graph has no cycle, so no
import needs hiding in a function to dodge one. There is no exceptions list.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# the repository's top level maps onto one namespace (pyproject's package-dir)
PACKAGE_DIRS = {"mldsl": "mldsl", "mldsl.compiler": "compiler", "mldsl.backends": "backends"}

LAYERS: list[tuple[str, ...]] = [
    ("mldsl.__main__",),
    ("mldsl.cli",),  # the outermost adapter: `mldsl ui` starts the studio
    ("mldsl.ui", "mldsl.serve"),  # the studio; `mldsl serve`'s router in front of MLServer
    ("mldsl.ops",),
    ("mldsl.runner", "mldsl.review", "mldsl.cluster", "mldsl.fmt"),
    ("mldsl.backends",),
    ("mldsl.compiler",),
    ("mldsl.lang", "mldsl.argo"),
    ("mldsl.util",),
]
ROOT_MODULE = "mldsl"  # mldsl/__init__.py: the version only, importable by all


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package, folder in PACKAGE_DIRS.items():
        base = ROOT / folder
        for path in sorted(base.rglob("*.py")):
            rel = path.relative_to(base).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            name = ".".join([package, *parts])
            if folder == "mldsl" and rel.parts[0] in ("compiler", "backends"):
                continue
            found.setdefault(name, path)
    return found


@cache
def graph() -> dict[str, set[str]]:
    modules = _modules()
    edges: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        is_pkg = path.name == "__init__.py"
        for target in _imports(ast.parse(path.read_text(), str(path)), name, is_pkg):
            while target and target not in modules:  # pkg.name (a function, a class) is pkg
                target = target.rpartition(".")[0]
            if target and target != name:
                edges[name].add(target)
    return edges


def _imports(tree: ast.AST, name: str, is_pkg: bool) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.startswith("mldsl"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name if is_pkg else name.rpartition(".")[0]
                for _ in range(node.level - 1):
                    base = base.rpartition(".")[0]
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            if module.startswith("mldsl"):
                # as import-linter counts it: `from pkg import sub` imports pkg.sub when sub is a module
                yield from (f"{module}.{a.name}" for a in node.names)


def room(module: str) -> tuple[int, str]:
    for level, rooms in enumerate(LAYERS):
        for r in rooms:
            if module == r or module.startswith(r + "."):
                return level, r
    raise AssertionError(f"{module} is in no room of the house plan: add it to LAYERS or move it")


def test_every_module_has_a_room() -> None:
    for module in graph():
        if module != ROOT_MODULE:
            room(module)


def test_imports_go_down_only() -> None:
    wrong = []
    for module, targets in sorted(graph().items()):
        if module == ROOT_MODULE:
            continue
        level, own = room(module)
        for target in sorted(targets):
            if target == ROOT_MODULE:
                continue
            t_level, t_room = room(target)
            if t_room != own and t_level <= level:
                wrong.append(f"{module} imports {target} ({own} may not import {t_room})")
    assert not wrong, "\n".join(wrong)


def test_the_runner_reads_manifests_only() -> None:
    wrong = [
        f"{m} imports {t}"
        for m, ts in sorted(graph().items())
        if m.startswith("mldsl.runner")
        for t in sorted(ts)
        if t.startswith(("mldsl.compiler", "mldsl.backends"))
    ]
    assert not wrong, "\n".join(wrong)


def test_no_cycles() -> None:
    edges = graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


@pytest.mark.parametrize("folder", ["mldsl", "compiler", "backends"])
def test_the_graph_sees_every_file(folder: str) -> None:
    files = {p for p in (ROOT / folder).rglob("*.py")}
    assert files <= set(_modules().values()) | {p for p in files if "compiler" in p.parts[len(ROOT.parts) :][1:]}
