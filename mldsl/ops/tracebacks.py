"""A Python module's traceback, mapped from the step's script back to the module's own file (issue #30 M7).

A python step runs a script: mldsl's step runtime (``mldsl.lang.runtime.prelude``, and a packages prelude) and,
after it, the module's file as written (compiler/modules.py; backends/argo/templates.py ``script_source`` keeps
it verbatim unless it holds ``{{``). Python's traceback names ``…/steps/004-train/script, line 136``; the
module's file is the script's tail, so its line is the script's line less the lines before that tail.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mldsl.runner.store import inside, log_tail

#: a traceback's frame in a step's script (the runner writes it to ``steps/<node id>/script``)
FRAME = re.compile(r'File "(?P<path>[^"\n]*[/\\]steps[/\\](?P<id>[^/\\"\n]+)[/\\]script)", line (?P<line>\d+)')
#: the line before the mapped frames appended to a failed step's log (``ops/failure.py`` reads them back)
MAPPED = "mldsl run: the traceback in the module's own file:"
#: a project's python files read at most, to find a module's file (a project is not a home folder)
MAX_FILES = 2000


def python_files(roots: Iterable[Path]) -> list[Path]:
    """The ``*.py`` files under ``roots``, skipping hidden folders (``.mldsl``, ``.git``, virtualenvs)."""
    out: list[Path] = []
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in ("node_modules", "__pycache__"))
            out += [Path(folder) / f for f in sorted(files) if f.endswith(".py")]
            if len(out) >= MAX_FILES:
                return out
    return out


def module_file(script: str, candidates: Iterable[Path]) -> tuple[Path, int] | None:
    """The file whose text ends the script, and how many lines of the script come before it."""
    for path in candidates:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if text.strip() and script.endswith(text):
            return path, script[: len(script) - len(text)].count("\n")
    return None


def mapped_frames(log: str, folder: Path, candidates: list[Path], shown: Path) -> list[str]:
    """The traceback's frames in step scripts, as lines of the modules' own files (paths shown relative to
    ``shown`` when inside it), each with its line of code."""
    out: list[str] = []
    scripts: dict[str, tuple[Path, int] | None] = {}
    for m in FRAME.finditer(log):
        if m["id"] not in scripts:
            script = inside(folder, os.path.join("steps", m["id"], "script"))
            try:
                text = script.read_text(encoding="utf-8") if script is not None else ""
            except (OSError, UnicodeDecodeError):
                text = ""
            scripts[m["id"]] = module_file(text, candidates) if text else None
        found = scripts[m["id"]]
        line = int(m["line"])
        if found is None or line <= found[1]:
            continue  # not a module's file, or a line of mldsl's own prelude
        path, offset = found
        try:
            code = path.read_text(encoding="utf-8").splitlines()[line - offset - 1].strip()
        except (OSError, UnicodeDecodeError, IndexError):
            code = ""
        name = os.path.relpath(path, shown) if path.is_relative_to(shown) else str(path)
        out.append(f'  File "{name}", line {line - offset}' + (f"\n    {code}" if code else ""))
    return out


def annotate_failures(record: dict[str, Any], folder: Path, roots: list[Path], shown: Path) -> bool:
    """For each failed step whose log holds a traceback through its script: the frames in the module's own
    file, appended to its log and named in its message. Whether the record changed."""
    candidates: list[Path] | None = None
    changed = False

    def visit(step: Any) -> None:
        nonlocal candidates, changed
        if not isinstance(step, dict):
            return
        log = step.get("log")
        path = inside(folder, log) if isinstance(log, str) else None
        if step.get("phase") in ("Failed", "Error") and path is not None:
            text = "\n".join(log_tail(path, 400))
            if FRAME.search(text):
                candidates = python_files(roots) if candidates is None else candidates
                frames = mapped_frames(text, folder, candidates, shown)
                if frames:
                    with open(path, "a", encoding="utf-8") as fh:
                        fh.write(MAPPED + "\n" + "\n".join(frames) + "\n")
                    last = re.match(r'\s*File "(.*)", line (\d+)', frames[-1])
                    where = f"{last[1]}:{last[2]}" if last else frames[-1].strip()
                    step["message"] = (step.get("message") or "failed") + f" (at {where})"
                    changed = True
        for inner in (step.get("steps") or {}).values() if isinstance(step.get("steps"), dict) else []:
            visit(inner)
        for item in step.get("items") or [] if isinstance(step.get("items"), list) else []:
            visit(item)

    for group in ("steps", "on_exit"):
        for step in (record.get(group) or {}).values():
            visit(step)
    return changed
