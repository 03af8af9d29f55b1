"""Servings and Pipelines found through the project, as modules are found through module_paths.

``mldsl validate pipelines/nightly.yaml`` names one file; its ``deploy: churn-api`` and a Sweep's
``pipeline:`` may live anywhere in the project. They are looked up in the project's folder (the
folder of ``mldsl.yaml``), compiled for reference only (never emitted: only files given are), and
their own errors are reported as the root cause.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mldsl.compiler.context import Context
from mldsl.lang.diagnostics import Diagnostics
from mldsl.lang.loader import YAML_SUFFIXES, Loaded, Workspace, load_file, real_path

#: folders that never hold a project's documents
_SKIP = {".git", ".mldsl", ".venv", "venv", "node_modules", "__pycache__", ".tox", "out", "build", "dist"}


def _index(ctx: Context) -> dict[tuple[str, str], list[tuple[Loaded | None, Path]]]:
    """Every (kind, name) document of the project, loaded once per compile (errors kept per file)."""
    cached = ctx.scratch.get("project_docs")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    index: dict[tuple[str, str], list[tuple[Loaded | None, Path]]] = {}
    root = ctx.ws.project_root
    given = {real_path(d.file) for d in ctx.ws.documents}
    if root is not None:
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d not in _SKIP and not d.startswith("."))
            for f in sorted(files):
                path = Path(folder) / f
                if not f.endswith(YAML_SUFFIXES) or real_path(path) in given or ctx.ws.refuses(path) is not None:
                    continue  # a link to a file outside the project is never read
                scratch = Workspace(project_root=root, unsaved=ctx.ws.unsaved, root=ctx.ws.root, readable=ctx.ws.readable)
                for doc in load_file(path, 1, scratch, explicit=False):
                    index.setdefault((doc.kind, doc.name), []).append((doc, path))
                for kind, name in scratch.broken:
                    index.setdefault((kind, name), []).append((None, path))
                if scratch.broken:  # the file's own errors: reported only if something refers to it
                    ctx.scratch.setdefault("project_diags", {})[path] = scratch.diagnostics
    ctx.scratch["project_docs"] = index
    return index


def find(ctx: Context, kind: str, name: str) -> Loaded | None:
    """The project's ``kind`` named ``name`` outside the files given; a broken one reports its errors once."""
    found = _index(ctx).get((kind, name), [])
    if not found:
        return None
    doc, path = found[0]
    if doc is None:
        reported = ctx.scratch.setdefault("project_reported", set())
        if path not in reported:
            reported.add(path)
            ctx.diags.extend(ctx.scratch.get("project_diags", {}).get(path, Diagnostics()).items)
        ctx.suppressed += 1  # the root cause is in that file
        return None
    return doc


def compiled(ctx: Context, kind: str, name: str, compile_doc: Callable[[Loaded], Any]) -> Any:
    """The project's ``kind`` named ``name``, compiled once per compile for reference; ``None`` when it is not in
    the project or has errors (reported at its own file, the reference counted as suppressed)."""
    doc = find(ctx, kind, name)
    if doc is None:
        return None
    done = ctx.scratch.setdefault(f"project_{kind}", {})
    if name not in done:
        done[name] = compile_doc(doc)
        if done[name] is None:
            ctx.suppressed += 1
    return done[name]
