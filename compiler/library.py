"""The module library in scope of a project: every version of every module, compiled.

A pipeline compile only compiles the modules its steps use; browsing the
library (``mldsl ui``) needs all of them, with where each comes from and the
same resolution of ``name@range`` that steps get.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from mldsl.compiler import ir
from mldsl.compiler.context import Context
from mldsl.compiler.modules import module_for
from mldsl.compiler.passes import project
from mldsl.compiler.resolve import Registry, ResolveError
from mldsl.lang.diagnostics import Diagnostic
from mldsl.lang.loader import builtin_modules_dir, display_path, load_workspace


class Entry(NamedTuple):
    module: ir.Module
    origin: str  # "project" (given or a module path) or "built-in"
    source: str  # the file, as users read it


@dataclass
class Library:
    entries: list[Entry]
    diagnostics: list[Diagnostic]
    registry: Registry
    context: Context

    def resolve(self, uses: str, base: Path) -> ir.Module | ResolveError:
        """The module a step's ``uses`` names (``base``: the pipeline file's folder, for relative paths)."""
        try:
            doc = self.registry.resolve(uses, self.context, base)
        except ResolveError as exc:
            return exc
        found = module_for(self.context, doc)
        return found if found is not None else ResolveError("MLD403", f"module {uses!r} has errors")


def load_library(paths: list[Path]) -> Library:
    """Compile every module the project can use: its own, its module paths', the built-in ones."""
    ws = load_workspace(paths, all_modules=True)
    ctx = Context(ws, ws.diagnostics)
    project(ctx)
    registry = Registry.build(ctx)
    builtin = builtin_modules_dir().resolve()
    entries = []
    for docs in registry.by_name.values():
        for doc in docs:
            module = module_for(ctx, doc)
            if module is not None:
                origin = "built-in" if doc.file.resolve().is_relative_to(builtin) else "project"
                entries.append(Entry(module, origin, display_path(doc.file)))
    entries.sort(key=lambda e: (e.module.name, _version_key(e.module.version)))
    return Library(entries, ws.diagnostics.sorted(), registry, ctx)


def _version_key(version: str) -> tuple[int, ...]:
    core = version.split("-")[0].split("+")[0]
    return tuple(int(p) if p.isdigit() else 0 for p in core.split("."))
